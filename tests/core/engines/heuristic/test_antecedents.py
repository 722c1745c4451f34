"""Candidate antecedents: which noun phrases count and with which agreement features, EN and DE."""

from __future__ import annotations

import pytest

from core.engines.base import Language
from core.engines.heuristic._antecedents import (
    FEATURES,
    Candidate,
    Candidates,
    candidates,
    grammar,
    mask_of,
)
from core.engines.heuristic._lexicon import load
from core.engines.heuristic._text import build_doc


def found(text: str, language: Language) -> list[tuple[str, str]]:
    """(head word, feature letters) of every candidate in text order."""
    doc = build_doc(text, load(language).words("abbreviations"))
    return [
        (doc.token(c.head), "".join(f for f in FEATURES if c.mask & mask_of(f)))
        for c in candidates(doc, grammar(language)).found
    ]


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        (
            "en",
            "The sensors send the alarm to the display.",
            [("sensors", "p"), ("alarm", "s"), ("display", "s")],
        ),
        ("en", "Each user shall confirm these orders.", [("user", "h"), ("orders", "p")]),
        ("en", "The AIPs reach the CS with data.", [("AIPs", "p"), ("CS", "s"), ("data", "sp")]),
        (
            "en",
            "The function maintains a record of requests.",
            [("function", "s"), ("record", "s"), ("requests", "p")],
        ),
        ("en", "The WBS consists of a plan.", [("WBS", "s"), ("plan", "s")]),
        (
            "en",
            "Users are named by numbers tied to the roles.",
            [("Users", "p"), ("numbers", "p"), ("roles", "p")],
        ),
        ("en", "A number of requests reach the server.", [("requests", "p"), ("server", "s")]),
        (
            "en",
            "In accordance with the plan, the server restarts.",
            [("plan", "s"), ("server", "s")],
        ),
        (
            "en",
            "The sensor and the controller shall fail.",
            [("sensor", "s"), ("controller", "s"), ("controller", "p")],
        ),
        (
            "en",
            "The system shows the map and allows the user to zoom.",
            [("system", "s"), ("map", "s"), ("user", "h")],
        ),
        (
            "de",
            "Der Server sendet die Meldung an das Modul.",
            [("Server", "pmf"), ("Meldung", "pf"), ("Modul", "n")],
        ),
        ("de", "Das System prüft den neuen schnellen Server.", [("System", "n"), ("Server", "pm")]),
        ("de", "Das System zählt die Anzahl der Fehler.", [("System", "n"), ("Fehler", "pmf")]),
        (
            "de",
            "Im Rahmen der Wartung startet das Gerät neu.",
            [("Wartung", "pmf"), ("Gerät", "n")],
        ),
        ("de", "Das System zeigt Ihnen, was Sie angefordert haben.", [("System", "n")]),
        (
            "de",
            "Der Sensor und der Regler fallen aus.",
            [("Sensor", "pmf"), ("Regler", "p"), ("Regler", "pmf")],
        ),
    ],
)
def test_find_candidates_with_features(
    language: Language, text: str, expected: list[tuple[str, str]]
) -> None:
    assert found(text, language) == expected


def test_count_candidates_by_range_and_features() -> None:
    found = Candidates(
        [Candidate(1, mask_of("s")), Candidate(4, mask_of("p")), Candidate(7, mask_of("sp"))]
    )
    assert found.count(0, 8) == 3
    assert found.count(0, 8, mask_of("p")) == 2
    assert found.count(2, 7, mask_of("s")) == 0
    assert found.first(2, 8) == Candidate(4, mask_of("p"))
    assert found.first(8, 9) is None
