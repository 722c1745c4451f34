"""Suggestion atoms of the heuristic engine: complete corrections, EN and DE.

Every atom's correction is the whole requirement with one defect removed; where only a
person knows the missing fact it carries one placeholder, needsInput and the question.
"""

from __future__ import annotations

import pytest

from core.atoms import SuggestionAtom
from core.engines import heuristic
from core.engines.edits import apply_atoms, merge
from core.engines.heuristic._atoms import MAX_ATOMS

ALL = [
    "clarity",
    "testability",
    "measurability",
    "atomicity",
    "completeness",
    "unambiguity",
    "conciseness",
    "consistent_terminology",
]


def _atoms(text: str) -> list[SuggestionAtom]:
    return heuristic.suggest(text, criteria=ALL)


def _by_fragment(text: str, fragment: str) -> SuggestionAtom:
    (atom,) = [a for a in _atoms(text) if a.original_fragment == fragment]
    return atom


@pytest.mark.parametrize(
    ("text", "fragment", "correction"),
    [
        ("The system should log every login.", "should", "The system shall log every login."),
        (
            "Das System sollte jede Anmeldung protokollieren.",
            "sollte",
            "Das System muss jede Anmeldung protokollieren.",
        ),
        ("Die Systeme sollten Daten speichern.", "sollten", "Die Systeme müssen Daten speichern."),
        ("Das System soll Daten speichern.", "soll", "Das System muss Daten speichern."),
        ("Der Export kann Berichte erzeugen.", "kann", "Der Export muss Berichte erzeugen."),
        (
            "The system shall lock the account, if possible.",
            ", if possible",
            "The system shall lock the account.",
        ),
        (
            "Das System muss gegebenenfalls eine Warnung anzeigen.",
            "gegebenenfalls",
            "Das System muss eine Warnung anzeigen.",
        ),
        (
            "The gateway forwards the order to the warehouse.",
            "forwards",
            "The gateway shall forward the order to the warehouse.",
        ),
        (
            "Bei Bedarf muss das Controlling-System einen Bericht erzeugen.",
            "Bei Bedarf muss das Controlling-System einen Bericht erzeugen.",
            "Das Controlling-System muss einen Bericht erzeugen.",  # verb second again
        ),
        (
            "The partner API shall accept orders in JSON, XML, etc.",
            ", etc.",
            "The partner API shall accept orders in JSON, XML.",
        ),
        (
            "In order to save power, the display shall dim after 30 s.",
            "In order to save power, the",
            "The display shall dim after 30 s.",
        ),
    ],
)
def test_suggest_heuristic_resolving_atom_is_complete_text(
    text: str, fragment: str, correction: str
) -> None:
    atom = _by_fragment(text, fragment)
    assert atom.correction == correction
    assert not atom.needs_input and atom.question is None
    assert atom.criteria and all(atom.criteria.values())


@pytest.mark.parametrize(
    ("text", "fragment", "gap", "question"),
    [
        ("The system shall respond fast.", "fast", "[measurable bound, e.g.", "fast"),
        ("Das System muss schnell antworten.", "schnell", "[messbare Grenze, z. B.", "schnell"),
        ("The service shall work reliably.", "reliably", "[objective criterion", "reliably"),
        ("Der Server muss stabil laufen.", "stabil", "[objektives Kriterium", "stabil"),
        (
            "The uploader shall finish as fast as possible.",
            "as fast as possible",
            "[target value with unit]",
            "as fast as possible",
        ),
        (
            "The new importer shall be faster than the current one.",
            "faster",
            "[amount, e.g. 20 %] faster",
            "faster",
        ),
        ("The backup shall not lose records.", "not lose records", "[what shall happen", "not"),
        (
            "The system shall comply with the applicable standards.",
            "standards",
            "standards [document ID",
            "standards",
        ),
        (
            "The controller shall minimize the waiting time.",
            "minimize the waiting time",
            "to at most [",
            "target value",
        ),
    ],
)
def test_suggest_heuristic_needs_input_atom_replaces_the_defect(
    text: str, fragment: str, gap: str, question: str
) -> None:
    atom = _by_fragment(text, fragment)
    assert gap in atom.correction
    assert atom.correction.count("[") == 1  # one clear placeholder
    outside = atom.correction.split("[")[0] + atom.correction.split("]")[-1]
    assert question in gap or question not in outside  # replaced, not kept beside a note
    assert atom.needs_input is True and atom.question and question in atom.question
    assert not any(atom.criteria.values())
    assert heuristic.placeholders(atom.correction)  # a gap: never passes until filled


@pytest.mark.parametrize(
    ("text", "correction"),
    [
        (
            "The system shall display the balance and shall print the receipt.",
            "The system shall display the balance. The system shall print the receipt.",
        ),
        (
            "The system shall display and print the receipt.",
            "The system shall display the receipt. The system shall print the receipt.",
        ),
        (
            "Das System muss die Daten speichern und anzeigen.",
            "Das System muss die Daten speichern. Das System muss die Daten anzeigen.",
        ),
    ],
)
def test_suggest_heuristic_split_atom_cuts_into_sentences(text: str, correction: str) -> None:
    (atom,) = [a for a in _atoms(text) if "atomicity" in a.criteria]
    assert atom.correction == correction
    assert atom.original_fragment in text and len(atom.original_fragment) < len(text) / 2
    assert atom.criteria["atomicity"] is False  # two requirements until apply(split)
    assert apply_atoms(text, [atom], "split") == correction.replace(". ", ".\n").split("\n")


@pytest.mark.parametrize(
    "text",
    [
        "The system should be fast, if possible.",
        "Das System sollte schnell und benutzerfreundlich sein.",
        "The gateway forwards the order and then it is stored and a mail is sent.",
        "Der Export kann bei Bedarf eine Zusammenfassung erzeugen.",
        "The system shall display the balance and shall print the receipt.",
        "Reports shall be able to be generated TBD [open point].",
    ],
)
def test_suggest_heuristic_no_atom_is_a_no_op(text: str) -> None:
    for atom in _atoms(text):
        assert atom.correction.strip() != text.strip()
        assert atom.original_fragment and atom.original_fragment in text
        assert merge(text, [atom]) == atom.correction  # applying it gives the correction


@pytest.mark.parametrize(
    ("text", "merged"),
    [
        (
            "The system should export PDF and send mail.",
            "The system shall export PDF. The system shall send mail.",
        ),
        (
            "Das System sollte die Daten speichern und anzeigen.",
            "Das System muss die Daten speichern. Das System muss die Daten anzeigen.",
        ),
    ],
)
def test_suggest_heuristic_split_and_modal_combine(text: str, merged: str) -> None:
    """The split changes only its joint and gives the new sentence the binding modal, so
    it merges with the modal atom of the same sentence."""
    atoms = heuristic.suggest(text, criteria=["testability", "atomicity"])
    assert len(atoms) == 2
    assert merge(text, atoms) == merged
    assert apply_atoms(text, atoms, "split") == merged.replace(". ", ".\n").split("\n")


def test_suggest_heuristic_placeholder_needs_a_person_not_an_atom() -> None:
    assert _atoms("The timeout shall be TBD.") == []


def test_suggest_heuristic_atoms_merge_into_one_text() -> None:
    text = "Das System sollte schnell und benutzerfreundlich sein."
    merged = merge(text, _atoms(text))
    assert merged.startswith("Das System muss [messbare Grenze")
    assert "schnell" not in merged and "benutzerfreundlich" not in merged.split("]")[-1]


def test_suggest_heuristic_second_sentence_needs_no_atom() -> None:
    atoms = heuristic.suggest("The system shall start. The system shall stop.", criteria=ALL)
    assert atoms == []


def test_suggest_heuristic_only_requested_criteria() -> None:
    assert heuristic.suggest("The system should be fast.", criteria=["atomicity"]) == []
    (atom,) = heuristic.suggest("The system should run.", criteria=["testability"])
    assert atom.criteria == {"testability": True}


def test_suggest_heuristic_clean_requirement_no_atoms() -> None:
    text = "When a user logs in, the system shall record the login time within 2 s."
    assert heuristic.suggest(text, criteria=ALL) == []


def test_suggest_heuristic_long_defective_text_is_bounded() -> None:
    """Each atom carries the whole text: a 5,000-character text full of defects gets at most
    MAX_ATOMS of them, not one per finding."""
    text = ("The system should be fast, if possible. " * 125)[:5000]
    atoms = heuristic.suggest(text, criteria=ALL)
    assert 0 < len(atoms) <= MAX_ATOMS


@pytest.mark.parametrize(
    "text",
    [
        "The system should be fast, if possible.",
        "Das System sollte schnell sein.",
        "The system shall export reports and send them by e-mail.",
    ],
)
def test_atoms_name_the_finding_they_fix(text: str) -> None:
    """Each atom carries the code of a finding the evaluation reports inside its fragment,
    so a decision on the atom is counted per finding code."""
    findings = {
        (f.code, f.start, f.end)
        for result in heuristic.assess(text, criteria=ALL).results
        for f in result.findings
    }
    atoms = _atoms(text)
    assert atoms
    for atom in atoms:
        start = text.index(atom.original_fragment)
        end = start + len(atom.original_fragment)
        assert any(
            code == atom.finding_code and start <= f_start and f_end <= end
            for code, f_start, f_end in findings
        ), (atom.finding_code, atom.original_fragment)
