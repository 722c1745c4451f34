"""Applying atoms without a model (core.engines.edits): merge and split, EN and DE."""

from __future__ import annotations

import pytest

from core.atoms import SuggestionAtom
from core.engines.edits import apply_atoms, is_split_point


def _atom(fragment: str, correction: str, *criteria: str) -> SuggestionAtom:
    return SuggestionAtom(
        correction=correction, original_fragment=fragment, criteria={c: False for c in criteria}
    )


@pytest.mark.parametrize(
    ("text", "atoms", "mode", "expected"),
    [
        (
            "The system should be fast.",
            [_atom("should", "shall"), _atom("fast", "quick in 2 s")],
            "merge",
            ["The system shall be quick in 2 s."],
        ),
        ("The mayor may sign.", [_atom("may", "shall")], "merge", ["The mayor shall sign."]),
        ("Whole.", [_atom("Whole.", "Entirely new.")], "merge", ["Entirely new."]),
        ("Unchanged.", [_atom("", "advice only"), _atom("absent", "x")], "merge", ["Unchanged."]),
        (
            "The system shall lock it, if possible.",
            [_atom(", if possible", "")],
            "merge",
            ["The system shall lock it."],
        ),
        (
            "The system shall  possibly respond .",
            [_atom("possibly", "")],
            "merge",
            ["The system shall respond."],
        ),
        (
            "The application shall export reports as PDF and send them by e-mail and archive them.",
            [_atom("and", "and", "atomicity")],
            "split",
            [
                "The application shall export reports as PDF.",
                "The application shall send them by e-mail.",
                "The application shall archive them.",
            ],
        ),
        (
            "Das System sollte Daten speichern und Berichte erzeugen.",
            [_atom("sollte", "muss"), _atom("und", "und", "atomicity")],
            "split",
            ["Das System muss Daten speichern.", "Das System muss Berichte erzeugen."],
        ),
        (
            "The system shall start.",
            [_atom("and", "and", "atomicity")],
            "split",
            ["The system shall start."],
        ),
        (
            "Export PDF and send mail.",
            [_atom("and", "and", "atomicity")],
            "merge",
            ["Export PDF and send mail."],
        ),
        (
            "The system should export PDF and send mail.",
            [_atom("should", "shall", "atomicity", "testability")],
            "split",
            ["The system shall export PDF and send mail."],
        ),
    ],
)
def test_apply_atoms_merge_and_split(
    text: str, atoms: list[SuggestionAtom], mode: str, expected: list[str]
) -> None:
    assert apply_atoms(text, atoms, mode) == expected


@pytest.mark.parametrize(
    ("atom", "expected"),
    [
        (_atom("and", "and", "atomicity"), True),
        (_atom("und", " und ", "atomicity", "clarity"), True),
        (_atom("and", "; the system shall also", "atomicity"), False),
        (_atom("and", "and", "clarity"), False),
        (_atom("", "", "atomicity"), False),
    ],
)
def test_is_split_point_only_unchanged_atomicity_atoms(
    atom: SuggestionAtom, expected: bool
) -> None:
    assert is_split_point(atom) is expected
