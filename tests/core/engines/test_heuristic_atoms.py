"""Suggestion atoms of the heuristic engine: mechanical edits, advice, split points, EN and DE."""

from __future__ import annotations

import pytest

from core.engines import heuristic

ALL = [
    "clarity",
    "testability",
    "measurability",
    "atomicity",
    "completeness",
    "unambiguity",
]


def _atoms(text: str) -> list[tuple[str, str, bool]]:
    """(fragment, correction, resolves every criterion it names) per atom."""
    return [
        (a.original_fragment, a.correction, all(a.criteria.values()))
        for a in heuristic.suggest(text, criteria=ALL)
    ]


@pytest.mark.parametrize(
    ("text", "fragment", "correction"),
    [
        ("The system should log every login.", "should", "shall"),
        ("Das System sollte jede Anmeldung protokollieren.", "sollte", "muss"),
        ("Die Systeme sollten Daten speichern.", "sollten", "müssen"),
        ("The system shall lock the account, if possible.", ", if possible", ""),
    ],
)
def test_suggest_heuristic_mechanical_fix_resolves(
    text: str, fragment: str, correction: str
) -> None:
    assert (fragment, correction, True) in _atoms(text)


@pytest.mark.parametrize(
    ("text", "fragment", "marker"),
    [
        ("The system shall respond fast.", "fast", "[specify:"),
        ("Das System muss schnell antworten.", "schnell", "[präzisieren:"),
    ],
)
def test_suggest_heuristic_vague_term_marked_not_resolved(
    text: str, fragment: str, marker: str
) -> None:
    (atom,) = [a for a in heuristic.suggest(text, criteria=ALL) if a.original_fragment == fragment]
    assert atom.correction.startswith(f"{fragment} {marker}")
    assert atom.criteria["measurability"] is False
    assert atom.acceptance_criteria and fragment in atom.acceptance_criteria[0]


@pytest.mark.parametrize(
    ("text", "joint"),
    [
        ("The application shall export reports and send them by e-mail.", "and"),
        ("Das System muss Daten speichern und anzeigen.", "und"),
    ],
)
def test_suggest_heuristic_conjunction_is_split_point(text: str, joint: str) -> None:
    atom = next(a for a in heuristic.suggest(text, criteria=ALL) if a.original_fragment == joint)
    assert (atom.correction, atom.criteria["atomicity"]) == (joint, False)


def test_suggest_heuristic_second_sentence_modal_is_advice() -> None:
    atoms = heuristic.suggest("The system shall start. The system shall stop.", criteria=ALL)
    (atom,) = [a for a in atoms if "atomicity" in a.criteria]
    assert atom.original_fragment == "" and atom.correction


def test_suggest_heuristic_only_requested_criteria() -> None:
    atoms = heuristic.suggest("The system should be fast.", criteria=["atomicity"])
    assert atoms == []
    (atom,) = heuristic.suggest("The system should run.", criteria=["testability"])
    assert atom.criteria == {"testability": True}


def test_suggest_heuristic_clean_requirement_no_atoms() -> None:
    text = "When a user logs in, the system shall record the login time within 2 s."
    assert heuristic.suggest(text, criteria=ALL) == []
