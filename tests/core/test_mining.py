"""core.mining: sentence splitting, modal detection, kinds, lines, lists, notes, tables."""

from __future__ import annotations

import pytest

import core.mining
from core.engines.base import Language
from core.markdown import parse_table
from core.mining import classify, find_modal, mine, requirements_table, sentences


def split(text: str) -> list[str]:
    return [text[a:b] for a, b in sentences(text)]


def test_mining_exports() -> None:
    assert core.mining.__all__ == [
        "Candidate",
        "Document",
        "Kind",
        "Pair",
        "classify",
        "conflicts",
        "extract",
        "find_modal",
        "find_pairs",
        "mine",
        "read_documents",
        "requirements_table",
        "sentences",
    ]


@pytest.mark.parametrize(
    "text",
    [
        "Das System muss z. B. CSV exportieren.",
        "Das System muss CSV bzw. PDF exportieren.",
        "Das System muss beide Formate, d. h. CSV und PDF, exportieren.",
        "Die Antwort dauert ca. 2 s im Mittel.",
        "Der Auftrag Nr. 5 muss zuerst erscheinen.",
        "The system shall export formats, e.g. CSV and PDF.",
        "The system shall export one format, i.e. CSV.",
        "The system shall export CSV, PDF, etc. on request.",
        "Option A vs. Option B shall be selectable.",
        "The response shall take 1.5 s at most.",
        "Die Antwort muss binnen 0,5 s erfolgen.",
        "The client shall speak protocol v2.0 and read section 3.4.1 first.",
        "Die Lieferung erfolgt am 1. Januar.",
    ],
)
def test_sentences_keep_abbreviations_numbers_and_versions(text: str) -> None:
    assert split(text) == [text]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The system shall log. The user must log in.", 2),
        ("The system shall respond within 2 s. The log shall be kept.", 2),
        ("Die Antwort muss binnen 2 s erfolgen. Danach folgt mehr.", 2),
        ("The p95 latency shall stay low (p95). The log shall be kept.", 2),
        ("Ist das klar? Das System muss starten!", 2),
    ],
)
def test_sentences_split_where_a_sentence_ends(text: str, expected: int) -> None:
    assert len(split(text)) == expected


@pytest.mark.parametrize(
    ("text", "language", "modal"),
    [
        ("Das System muss Daten speichern.", "de", "muss"),
        ("Die Systeme müssen Daten speichern.", "de", "müssen"),
        ("Das System soll Daten speichern.", "de", "soll"),
        ("Die Systeme sollen Daten speichern.", "de", "sollen"),
        ("Das System sollte Daten speichern.", "de", "sollte"),
        ("Der Nutzer darf nicht löschen.", "de", "darf nicht"),
        ("Nur Administratoren dürfen Konten sperren.", "de", "dürfen nur"),
        ("Die Eingabe ist vor dem Speichern zu prüfen.", "de", "ist zu"),
        ("Die Schnittstelle ist gemäß Spezifikation umzusetzen.", "de", "ist zu"),
        ("Bei der Buchung sind Name, Adresse und Anliegen anzugeben.", "de", "sind zu"),
        ("Das System MUSS starten.", "de", "MUSS"),
        ("Das System SOLL starten.", "de", "SOLL"),
        ("Das System KANN starten.", "de", "KANN"),
        ("Sollte der Sensor ausfallen, muss das System warnen.", "de", "muss"),
        ("The system shall log events.", "en", "shall"),
        ("The system must not crash.", "en", "must not"),
        ("The system should log events.", "en", "should"),
        ("The system is required to archive data.", "en", "is required to"),
        ("The system will log events.", "en", "will"),
        ("The system MAY cache results.", "en", "MAY"),
        ("The user MUST NOT log in twice.", "en", "MUST NOT"),
        ("Should the link fail, the system shall retry.", "en", "shall"),
    ],
)
def test_find_modal_binding(text: str, language: Language, modal: str) -> None:
    assert find_modal(text, language) == modal


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Das System kann Daten speichern.", "de"),
        ("Der Nutzer darf Dateien hochladen.", "de"),  # permission (DIN 820-2)
        ("Die Datei ist zu groß.", "de"),
        ("Die Datei ist zu groß, um sie hochzuladen.", "de"),
        ("Er hat keine Lust, zu arbeiten.", "de"),
        ("„muss“ steht für eine Pflicht.", "de"),
        ("The system may cache results.", "en"),
        ("The user can export a report.", "en"),
        ("The number of users will double by 2027.", "en"),  # a fact, no system subject
        ('The key word "shall" marks a requirement.', "en"),
    ],
)
def test_find_modal_not_an_obligation(text: str, language: Language) -> None:
    assert find_modal(text, language) is None


@pytest.mark.parametrize(
    ("text", "language", "kind"),
    [
        ("Die Antwortzeit muss unter 2 s liegen.", "de", "quality"),
        ("Das System muss zu 99,5 % verfügbar sein.", "de", "quality"),
        ("Alle Verbindungen müssen verschlüsselt sein.", "de", "quality"),
        ("Das System muss PostgreSQL 15 verwenden.", "de", "constraint"),
        ("Die App darf nur Android 12 voraussetzen.", "de", "constraint"),
        ("Das System muss Aufträge anlegen.", "de", "functional"),
        ("The service shall have a latency below 500 ms.", "en", "quality"),
        ("The kiosk shall meet WCAG 2.1 level AA.", "en", "quality"),
        ("The service shall be written in Go.", "en", "constraint"),
        ("The app shall be compatible with Firefox 120.", "en", "constraint"),
        ("The system shall print a receipt.", "en", "functional"),
    ],
)
def test_classify_kind(text: str, language: Language, kind: str) -> None:
    assert classify(text, language) == kind


DOC_DE = """# Lastenheft

Dieses Dokument beschreibt das System. Die Nutzer müssen derzeit alles
von Hand pflegen.

## Anforderungen

Das System muss Aufträge
anlegen. Es soll Aufträge löschen.

Das System muss exportieren:
- CSV
- PDF
- Das System soll XML exportieren.

Hinweis: Das System muss nicht zertifiziert sein.

Beispiel: Ein Auftrag muss eine Nummer haben.

> **Hinweis:** Der Export muss nicht signiert sein.

Was muss das System können?

„Lager“ bezeichnet den Ort, an dem Waren gelagert werden müssen.

| Nr. | Anforderung |
|-----|-------------|
| A1 | Die Antwortzeit muss unter 2 s liegen. |

```
Das System muss im Code-Block ignoriert werden.
```
"""


def test_mine_finds_lines_lists_cells_and_skips_informative_text() -> None:
    found = [(c.line, c.text, c.modal) for c in mine(DOC_DE, source="x.md")]
    assert found == [
        (8, "Das System muss Aufträge anlegen.", "muss"),
        (9, "Es soll Aufträge löschen.", "soll"),
        (12, "Das System muss exportieren: CSV", "muss"),
        (13, "Das System muss exportieren: PDF", "muss"),
        (14, "Das System soll XML exportieren.", "soll"),
        (28, "Die Antwortzeit muss unter 2 s liegen.", "muss"),
    ]


def test_mine_candidate_fields_and_stable_ids() -> None:
    first, second = mine(DOC_DE, source="x.md"), mine(DOC_DE, source="x.md")
    assert [c.id for c in first] == [c.id for c in second]
    assert first[0].id.startswith("MIN-") and first[0].id.endswith("-1")
    assert {c.language for c in first} == {"de"} and {c.source for c in first} == {"x.md"}
    assert first[-1].kind == "quality"


def test_mine_numbered_list_and_setext_heading_en() -> None:
    doc = "Borrowing\n---------\n\n1. The kiosk shall lend media.\n2) Staff can help.\n"
    assert [(c.line, c.text) for c in mine(doc)] == [(4, "The kiosk shall lend media.")]


def test_mine_uses_the_given_language() -> None:
    assert mine("Das System shall log.", language="en")[0].modal == "shall"
    assert mine("The system muss log.", language="de")[0].modal == "muss"


def test_requirements_table_reads_back_as_a_batch_table() -> None:
    found = mine(DOC_DE, source="x.md")
    table = parse_table(requirements_table(found))
    assert [(r.id, r.text) for r in table.rows] == [(c.id, c.text) for c in found]
    assert table.rows[0].context == {
        "language": "de",
        "source": "x.md",
        "line": 8,
        "kind": "functional",
        "modal": "muss",
        "origin": "rules",
    }


def test_mine_mixed_document_takes_each_sentences_language() -> None:
    doc = (
        "Das System muss Aufträge speichern. Die Daten werden täglich gesichert.\n\n"
        "The system shall export every order as CSV.\n"
    )
    found = [(c.language, c.modal) for c in mine(doc)]
    assert found == [("de", "muss"), ("en", "shall")]
    assert [c.language for c in mine(doc, language="de")] == ["de"]
