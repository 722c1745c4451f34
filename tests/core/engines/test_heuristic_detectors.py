"""Every detector of the heuristic engine, with positive and negative examples in EN and DE."""

from __future__ import annotations

import pytest

from core.engines.base import Language
from core.engines.heuristic import analyse
from core.engines.heuristic._scoring import WEIGHTS


def found(text: str, language: Language) -> list[tuple[str, str]]:
    """(code, fragment) of every hit, checking that offsets and fragments agree."""
    hits, _ = analyse(text, language)
    return [(h.code, text[h.start : h.end]) for h in hits]


def codes(text: str, language: Language) -> set[str]:
    return {code for code, _ in found(text, language)}


# Long sentences: 40 words of plain requirement text, over the limit in both languages.
LONG_EN = "The system shall record " + " and ".join(["the order"] * 12) + "."
LONG_DE = "Das System muss " + " und ".join(["den Auftrag"] * 12) + " speichern."

POSITIVE = [
    # vague and subjective terms
    ("en", "The system shall be fast.", "vague_term", "fast"),
    ("en", "The interface shall be user-friendly.", "subjective_term", "user-friendly"),
    ("en", "The system shall provide adequate logging.", "subjective_term", "adequate"),
    ("de", "Das System muss schnell reagieren.", "vague_term", "schnell"),
    ("de", "Die Oberfläche muss benutzerfreundlich sein.", "subjective_term", "benutzerfreundlich"),
    (
        "de",
        "Das System muss eine angemessene Protokollierung bieten.",
        "subjective_term",
        "angemessene",
    ),
    ("en", "The system shall store several reports.", "vague_quantifier", "several"),
    ("de", "Das System muss mehrere Berichte speichern.", "vague_quantifier", "mehrere"),
    (
        "en",
        "The operator shall respond appropriately to alarms.",
        "subjective_term",
        "appropriately",
    ),
    ("en", "The display shall update smoothly.", "subjective_term", "smoothly"),
    ("en", "The pump shall stop gently.", "vague_adverb", "gently"),
    # open-ended and loopholes
    ("en", "The system shall support PDF export.", "nonverifiable_term", "support"),
    ("de", "Das System muss den PDF-Export unterstützen.", "nonverifiable_term", "unterstützen"),
    ("en", "The system shall log errors if possible.", "loophole", "if possible"),
    ("en", "The system shall export CSV, XML, etc.", "loophole", "etc."),
    ("en", "The report shall list orders, invoices and so on.", "loophole", "and so on"),
    ("de", "Das System muss gegebenenfalls eine Warnung anzeigen.", "loophole", "gegebenenfalls"),
    ("de", "Das System muss CSV, XML usw. exportieren.", "loophole", "usw."),
    # weak modals and phrases
    ("en", "The system should log every login.", "weak_modal", "should"),
    ("en", "The user may export the report.", "weak_modal", "may"),
    ("en", "The system is expected to log every login.", "weak_phrase", "is expected to"),
    ("de", "Das System sollte jede Anmeldung protokollieren.", "weak_modal", "sollte"),
    ("de", "Der Nutzer kann den Bericht exportieren.", "weak_modal", "kann"),
    ("de", "Es ist vorgesehen, jede Anmeldung zu protokollieren.", "weak_phrase", "ist vorgesehen"),
    # superlatives and comparatives
    ("en", "The system shall offer the best search results.", "superlative", "best"),
    ("en", "The system shall respond as fast as possible.", "superlative", "as fast as possible"),
    ("de", "Das System muss die beste Qualität liefern.", "superlative", "beste"),
    ("de", "Das System muss schnellstmöglich reagieren.", "superlative", "schnellstmöglich"),
    ("en", "The new system shall be faster.", "comparative", "faster"),
    ("en", "The system shall offer better search results.", "comparative", "better"),
    ("de", "Das neue System muss schneller sein.", "comparative", "schneller"),
    ("de", "Das System muss bessere Ergebnisse liefern.", "comparative", "bessere"),
    # negative statements
    ("en", "The system shall not delete user data.", "negative", "not"),
    ("en", "The system shall never store passwords in clear text.", "negative", "never"),
    ("de", "Das System darf keine Nutzerdaten löschen.", "negative", "keine"),
    ("de", "Das System darf Passwörter nicht im Klartext speichern.", "negative", "nicht"),
    # passive voice without agent
    ("en", "The data shall be stored.", "passive_voice", "be stored"),
    ("en", "All invoices shall be archived nightly.", "passive_voice", "be archived"),
    ("de", "Die Daten müssen gespeichert werden.", "passive_voice", "gespeichert werden"),
    (
        "de",
        "Der Bericht wird an den Administrator gesendet.",
        "passive_voice",
        "wird an den Administrator gesendet",
    ),
    # ambiguous pronouns
    (
        "en",
        "The controller sends a message to the display and it shall show a warning.",
        "ambiguous_pronoun",
        "it",
    ),
    (
        "en",
        "The server forwards the request to the proxy. This shall be logged.",
        "ambiguous_pronoun",
        "This",
    ),
    (
        "de",
        "Wenn der Sensor ein Signal an das Steuergerät sendet, muss es die Warnung anzeigen.",
        "ambiguous_pronoun",
        "es",
    ),
    (
        "de",
        "Der Server sendet die Anfrage an den Proxy. Dies muss protokolliert werden.",
        "ambiguous_pronoun",
        "Dies",
    ),
    # several requirements in one
    ("en", "The system shall display and print the report.", "multiple_requirements", "and"),
    (
        "en",
        "The system shall log errors and the operator shall review them.",
        "multiple_requirements",
        "and",
    ),
    (
        "en",
        "The system shall store orders. It shall print invoices.",
        "multiple_requirements",
        "shall",
    ),
    ("de", "Das System muss die Daten speichern und anzeigen.", "multiple_requirements", "und"),
    (
        "de",
        "Das System muss Fehler protokollieren und der Bediener muss sie prüfen.",
        "multiple_requirements",
        "und",
    ),
    # numbers without units and missing measures
    ("en", "The system shall respond within 5.", "number_without_unit", "5"),
    ("en", "The upload shall take at most 10.", "number_without_unit", "10"),
    ("de", "Das System muss innerhalb von 5 reagieren.", "number_without_unit", "5"),
    ("de", "Der Upload darf höchstens 10 dauern.", "number_without_unit", "10"),
    ("en", "The system shall have good performance.", "missing_measure", "performance"),
    ("en", "The service shall offer high availability.", "missing_measure", "availability"),
    ("de", "Das System muss eine kurze Antwortzeit haben.", "missing_measure", "Antwortzeit"),
    ("de", "Der Dienst muss eine hohe Verfügbarkeit bieten.", "missing_measure", "Verfügbarkeit"),
    # placeholders
    ("en", "The timeout shall be TBD seconds.", "placeholder", "TBD"),
    ("en", "The format is to be defined.", "placeholder", "to be defined"),
    ("de", "Das Zeitlimit muss TBD Sekunden betragen.", "placeholder", "TBD"),
    ("de", "Das Format ist noch zu klären.", "placeholder", "noch zu klären"),
    ("en", "The response time shall be [measurable bound].", "placeholder", "[measurable bound]"),
    (
        "en",
        "The system shall be fast [specify: within 200 ms].",
        "placeholder",
        "[specify: within 200 ms]",
    ),
    ("en", "The timeout shall be XXX seconds.", "placeholder", "XXX"),
    ("en", "TODO: the export format.", "placeholder", "TODO"),
    ("de", "Die Antwortzeit muss [messbare Grenze] betragen.", "placeholder", "[messbare Grenze]"),
    ("de", "Das System muss [Wert] Nutzer bedienen.", "placeholder", "[Wert]"),
    ("de", "Das Zeitlimit muss XXX Sekunden betragen.", "placeholder", "XXX"),
    # missing modal, design terms, references, rationale, terminology
    (
        "en",
        "The system logs every login attempt.",
        "missing_modal",
        "The system logs every login attempt",
    ),
    (
        "de",
        "Das System protokolliert jede Anmeldung.",
        "missing_modal",
        "Das System protokolliert jede Anmeldung",
    ),
    ("en", "The system shall store orders in a MySQL database.", "design_term", "MySQL"),
    (
        "de",
        "Das System muss Aufträge über eine Schaltfläche speichern.",
        "design_term",
        "Schaltfläche",
    ),
    (
        "en",
        "The system shall validate input as described above.",
        "vague_reference",
        "as described above",
    ),
    (
        "de",
        "Das System muss Eingaben wie oben beschrieben prüfen.",
        "vague_reference",
        "wie oben beschrieben",
    ),
    ("en", "The system shall log logins so that audits are possible.", "rationale", "so that"),
    (
        "de",
        "Das System muss Anmeldungen protokollieren, damit Prüfungen möglich sind.",
        "rationale",
        "damit",
    ),
    (
        "en",
        "The user shall confirm the order and the customer shall pay.",
        "inconsistent_term",
        "customer",
    ),
    (
        "de",
        "Der Benutzer muss bestätigen und der Nutzer muss zahlen.",
        "inconsistent_term",
        "Nutzer",
    ),
    ("en", "The system shall log logins and must encrypt them.", "mixed_modals", "must"),
    (
        "de",
        "Das System muss Anmeldungen protokollieren und soll sie verschlüsseln.",
        "mixed_modals",
        "soll",
    ),
    ("en", "The system shall basically log every login.", "filler", "basically"),
    ("de", "Das System muss eigentlich jede Anmeldung protokollieren.", "filler", "eigentlich"),
    ("en", "Login.", "too_short", "Login"),
    ("de", "Anmeldung prüfen.", "too_short", "Anmeldung prüfen"),
    ("en", LONG_EN, "long_sentence", LONG_EN[:-1]),
    ("de", LONG_DE, "long_sentence", LONG_DE[:-1]),
    # "soll" reads as an obligation or a recommendation (DIN 820-2 knows only "muss")
    ("de", "Das System soll jede Anmeldung protokollieren.", "ambiguous_modal", "soll"),
    ("de", "Sitzende Fußgänger dürfen erkannt werden.", "weak_modal", "dürfen"),
    # a possibility in a relative clause is still an uncertain statement about the object
    ("en", "Errors that can corrupt data shall be reported within 2 s.", "weak_modal", "can"),
    ("en", "The controller shall minimize the waiting time.", "unbounded_objective", "minimize"),
    ("de", "Die Steuerung muss die Wartezeit minimieren.", "unbounded_objective", "minimieren"),
    # one requirement, one sentence
    (
        "en",
        "The system shall log every error within 2 seconds. The log is read by the auditors.",
        "extra_sentence",
        "The log is read by the auditors",
    ),
    (
        "de",
        "Das System muss Fehler binnen 2 Sekunden melden. Gemessen wird ab dem Eingang.",
        "extra_sentence",
        "Gemessen wird ab dem Eingang",
    ),
    # references no reader can follow
    (
        "en",
        "The system shall comply with the applicable standards.",
        "vague_reference",
        "standards",
    ),
    (
        "de",
        "Alle Parameter müssen innerhalb der Spezifikation liegen.",
        "vague_reference",
        "Spezifikation",
    ),
    ("en", "This function shall log every error within 2 s.", "vague_reference", "This"),
    ("de", "Dazu muss das Steuergerät die Kennung einlesen.", "vague_reference", "Dazu"),
    # a negation in the main clause, no bound: still a negative statement
    ("en", "The backup shall not lose records.", "negative", "not"),
    ("de", "Die Sicherung darf keine Datensätze verlieren.", "negative", "keine"),
]

NEGATIVE = [
    ("en", "The system shall respond within 200 ms.", "vague_term"),
    ("en", "The system shall respond faster than 200 ms.", "comparative"),
    ("en", "The response time shall be less than 2 s.", "comparative"),
    ("en", "The system shall support at least 10 users.", "superlative"),
    ("en", "The system shall log errors as well as warnings.", "subjective_term"),
    ("en", "The system shall log every login.", "weak_modal"),
    ("en", "The system shall export the report as PDF.", "loophole"),
    ("en", "The upload shall not exceed 10 MB.", "negative"),
    ("en", "The data shall be stored by the server.", "passive_voice"),
    ("en", "It shall be possible to export the report.", "ambiguous_pronoun"),
    ("en", "The system shall log every login.", "multiple_requirements"),
    ("en", "The system shall keep stored and processed data for 5 years.", "multiple_requirements"),
    ("en", "The system shall support search and display of results.", "multiple_requirements"),
    ("en", "The system shall respond within 5 seconds.", "number_without_unit"),
    ("en", "The system shall respond within 2 s for 95 % of requests.", "missing_measure"),
    ("en", "The timeout shall be 30 seconds.", "placeholder"),
    ("en", "The system shall log every login.", "missing_modal"),
    ("en", "The operator shall acknowledge the alarm manually.", "vague_adverb"),
    ("de", "Das System muss innerhalb von 200 ms reagieren.", "vague_term"),
    ("de", "Die Antwortzeit muss kleiner als 2 s sein.", "comparative"),
    ("de", "Das System muss mindestens 10 Nutzer unterstützen.", "superlative"),
    ("de", "Das System muss jede Anmeldung protokollieren.", "weak_modal"),
    ("de", "Das System muss die Daten speichern können.", "weak_modal"),
    ("de", "Das System muss den Bericht als PDF exportieren.", "loophole"),
    ("de", "Der Upload darf nicht mehr als 10 MB betragen.", "negative"),
    ("de", "Die Daten müssen vom Server gespeichert werden.", "passive_voice"),
    ("de", "Es muss möglich sein, den Bericht zu exportieren.", "ambiguous_pronoun"),
    ("de", "Das System muss jede Anmeldung protokollieren.", "multiple_requirements"),
    ("de", "Das System muss innerhalb von 5 Sekunden reagieren.", "number_without_unit"),
    ("de", "Das System muss innerhalb von 2 s bei 95 % der Anfragen antworten.", "missing_measure"),
    ("de", "Das Zeitlimit muss 30 Sekunden betragen.", "placeholder"),
    ("en", "The system shall comply with [1] and [2, 5-7].", "placeholder"),
    ("en", "The system shall follow the [style guide](https://example.org).", "placeholder"),
    ("de", "Das System muss die Norm [3] erfüllen.", "placeholder"),
    ("de", "Die Konzepte in Kapitel 5 sind umzusetzen.", "missing_modal"),
    ("de", "Der Benutzer muss die Bestellung bestätigen.", "inconsistent_term"),
    ("de", "Das System muss Anmeldungen protokollieren.", "mixed_modals"),
    ("en", "The system shall store 12 reports.", "vague_quantifier"),
    ("de", "Das System muss 12 Berichte speichern.", "vague_quantifier"),
    ("de", "Das System muss Fehler binnen 2 s melden.", "subjective_term"),
    ("en", "The system shall export the report as PDF.", "nonverifiable_term"),
    ("de", "Das System muss den Bericht als PDF exportieren.", "nonverifiable_term"),
    ("en", "The system shall log every login.", "weak_phrase"),
    ("de", "Das System muss jede Anmeldung protokollieren.", "weak_phrase"),
    ("en", "The user shall be able to select a delivery date.", "design_term"),
    ("de", "Der Nutzer muss ein Lieferdatum auswählen können.", "design_term"),
    ("en", "The system shall log every login.", "filler"),
    ("de", "Das System muss jede Anmeldung protokollieren.", "filler"),
    ("en", "The system shall log every login.", "rationale"),
    ("de", "Das System muss um 12 Uhr einen Bericht senden.", "rationale"),
    ("en", "The system shall validate input as defined in section 4.2.", "vague_reference"),
    ("de", "Das System muss Eingaben gemäß Abschnitt 4.2 prüfen.", "vague_reference"),
    ("en", "The system shall log every login.", "long_sentence"),
    ("de", "Das System muss jede Anmeldung protokollieren.", "long_sentence"),
    ("en", "The system shall log every login.", "too_short"),
    ("de", "Das System muss jede Anmeldung protokollieren.", "too_short"),
    ("en", "The user shall confirm the order.", "inconsistent_term"),
    ("en", "The system shall log logins and shall encrypt them.", "mixed_modals"),
    ("de", "Das System muss jede Anmeldung protokollieren.", "ambiguous_modal"),
    ("de", "Die Korrektur darf nur erfolgen, wenn der Wert 1 ist.", "weak_modal"),
    ("de", "Das Bild darf eine Latenz von maximal 300 ms aufweisen.", "weak_modal"),
    # a possibility or a negation inside a condition describes the trigger, not the duty
    ("en", "If the operator cannot log in, the system shall lock the account.", "negative"),
    ("en", "If the sensor can fail, the system shall raise an alarm.", "weak_modal"),
    ("de", "Wenn keine Verbindung besteht, muss das Gerät die Daten puffern.", "negative"),
    ("de", "Wenn der Sensor ausfallen kann, muss das System binnen 2 s warnen.", "weak_modal"),
    ("en", "The controller shall minimize the waiting time to 30 s.", "unbounded_objective"),
    ("de", "Die Steuerung muss die Wartezeit auf 30 s minimieren.", "unbounded_objective"),
    ("de", "Ist der Wert nicht gültig, so muss das System den Fehler melden.", "negative"),
    # a prohibition with a quantity is a limit
    ("de", "Das Lenkmoment darf nicht mehr als 3 Nm betragen.", "negative"),
    ("en", "5.2.3 The torque shall not exceed 3 Nm.", "negative"),
    # quoted literals name a value or a label
    ("de", "Das Signal muss den Wert 'keine Anzeige' erhalten.", "negative"),
    ("en", 'The button "Fast mode" shall start the export within 1 s.', "vague_term"),
    # brackets that are notation, not gaps
    ("de", "Die Geschwindigkeit v[t0] muss im Bereich [0..90] liegen.", "placeholder"),
    ("en", "The speed [m/s] shall be logged every 100 ms.", "placeholder"),
    ("en", "The trigger shall fire when [x < 5 and y > 2] holds.", "placeholder"),
    ("en", "The system shall log every error within 2 seconds.", "extra_sentence"),
    ("de", "Das System muss Fehler binnen 2 Sekunden melden.", "extra_sentence"),
    ("en", "The system shall comply with the standard ISO 26262.", "vague_reference"),
    ("de", "Die Schnittstelle muss dem Lastenheft 'Fences' entsprechen.", "vague_reference"),
    ("de", "Die Ausgabe muss Kapitel Degradation erfüllen.", "vague_reference"),
]


@pytest.mark.parametrize(("language", "text", "code", "fragment"), POSITIVE)
def test_detect_smell_positive(language: Language, text: str, code: str, fragment: str) -> None:
    assert (code, fragment) in found(text, language)


@pytest.mark.parametrize(("language", "text", "code"), NEGATIVE)
def test_detect_smell_negative(language: Language, text: str, code: str) -> None:
    assert code not in codes(text, language)


@pytest.mark.parametrize("examples", ["positive", "negative"])
def test_detect_every_code_tested_in_both_languages(examples: str) -> None:
    rows = [(r[0], r[2]) for r in (POSITIVE if examples == "positive" else NEGATIVE)]
    by_code: dict[str, set[str]] = {code: set() for code in WEIGHTS}
    for language, code in rows:
        by_code[code].add(language)
    one_language = {code for code, langs in by_code.items() if langs != {"en", "de"}}
    # '-ly' adverbs are an English word-formation rule; German has no such suffix. English
    # has no modal that reads both as a duty and as advice the way German "soll" does.
    assert one_language == {"vague_adverb", "ambiguous_modal"}


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        ("en", "The system shall display the balance.", "ubiquitous"),
        ("en", "When the user presses Save, the system shall store the form.", "event_driven"),
        ("en", "While in maintenance mode, the system shall reject logins.", "state_driven"),
        ("en", "If the sensor fails, then the system shall raise an alarm.", "unwanted_behaviour"),
        (
            "en",
            "Where a printer is installed, the system shall print receipts.",
            "optional_feature",
        ),
        ("en", "While the pump runs, when the level drops, the system shall alarm.", "complex"),
        ("en", "The system displays the balance.", "none"),
        ("de", "Das System muss den Kontostand anzeigen.", "ubiquitous"),
        (
            "de",
            "Wenn der Nutzer Speichern drückt, muss das System das Formular speichern.",
            "event_driven",
        ),
        ("de", "Während der Fahrt muss das System die Geschwindigkeit anzeigen.", "state_driven"),
        (
            "de",
            "Falls der Sensor ausfällt, muss das System einen Alarm auslösen.",
            "unwanted_behaviour",
        ),
        (
            "de",
            "Sofern ein Drucker vorhanden ist, muss das System Belege drucken.",
            "optional_feature",
        ),
        ("de", "Das System zeigt den Kontostand an.", "none"),
    ],
)
def test_classify_ears_pattern(language: Language, text: str, expected: str) -> None:
    assert analyse(text, language)[1] == expected


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "The system should be fast and user-friendly, if possible, etc."),
        ("de", "Das System sollte schnell und benutzerfreundlich sein, ggf. usw."),
        ("en", "  \n\tThe   system\nshall  respond   within 5.  "),
        ("de", "Ärger über Änderungen: die Größe muss ggf. ≥ 5 MB sein, äußerst große usw."),
    ],
)
def test_detect_spans_match_fragments(language: Language, text: str) -> None:
    hits, _ = analyse(text, language)
    assert hits
    for hit in hits:
        assert 0 <= hit.start < hit.end <= len(text)
        assert text[hit.start : hit.end].strip() == text[hit.start : hit.end]
