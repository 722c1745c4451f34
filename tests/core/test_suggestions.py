"""Suggestion atoms built from a judgement, and applying them (merge and split)."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from core.batch_schemas import ApplyCreate, CorrectionTextCreate, SuggestionAtom
from core.corrections import apply_atoms, apply_corrections, save_manual_correction
from core.criteria import CriterionInfo
from core.exceptions import NotFound
from core.runtime import open_store
from core.schemas import CriterionDetail, EvaluationPublic, FindingPublic
from core.settings import Settings
from core.store.models import RewriteRecord
from core.suggestions import atoms_for, suggest
from tests.utils.engines import FakeEngine


def _detail(criterion: str, passed: bool, *findings: tuple[str, int, int, str]) -> CriterionDetail:
    return CriterionDetail(
        criterion=criterion,
        score=1.0 if passed else 0.3,
        passed=passed,
        feedback=f"{criterion}!",
        findings=[
            FindingPublic(code=c, message=f"fix {f}", start=s, end=e, fragment=f)
            for c, s, e, f in findings
        ],
    )


def _result(language: str, *details: CriterionDetail) -> EvaluationPublic:
    return EvaluationPublic(
        evaluation_id="e",
        verdict="fail",
        score=0.3,
        latency_ms=1,
        model="m",
        engine="heuristic",
        language=language,  # type: ignore[arg-type]
        details=list(details),
        suggestions=[],
    )


def test_atoms_for_groups_findings_by_location_in_text_order() -> None:
    text = "It should be fast."
    result = _result(
        "en",
        _detail("clarity", False, ("vague_term", 13, 17, "fast")),
        _detail("measurability", False, ("vague_term", 13, 17, "fast")),
        _detail("testability", False, ("weak_modal", 3, 9, "should")),
    )
    atoms = atoms_for(text, result, rewrite=None)
    assert [(a.original_fragment, a.correction, a.criteria) for a in atoms] == [
        ("should", "shall", {"testability": False}),
        ("fast", "[measurable bound]", {"clarity": False, "measurability": False}),
    ]
    assert atoms[1].acceptance_criteria == [
        "'fast' is replaced by a value with a unit that a test can check."
    ]
    assert atoms[0].notes == "fix should"


@pytest.mark.parametrize(
    ("fragment", "correction"),
    [
        ("sollte", "muss"),
        ("sollten", "müssen"),
        ("kann", "muss"),
    ],
)
def test_atoms_for_german_modal_replacements(fragment: str, correction: str) -> None:
    result = _result(
        "de", _detail("testability", False, ("weak_modal", 0, len(fragment), fragment))
    )
    assert atoms_for(fragment, result, rewrite=None)[0].correction == correction


def test_atoms_for_advice_and_rewrite() -> None:
    result = _result("en", _detail("measurability", False), _detail("clarity", True))
    atoms = atoms_for("Old text.", result, rewrite="New text within 2 s.")
    assert [(a.original_fragment, a.correction) for a in atoms] == [
        ("Old text.", "New text within 2 s."),
        ("", "measurability!"),
    ]
    assert atoms[0].criteria == {"measurability": True, "clarity": True}


def test_suggest_judges_and_builds_atoms(fake_engine: FakeEngine, settings: Settings) -> None:
    criteria = [CriterionInfo("clarity", "Clarity", "", 1.0, True)]
    suggested = suggest("A bad text.", criteria=criteria, language="en", settings=settings)
    assert suggested.judgement.result.verdict == "fail"
    assert [a.original_fragment for a in suggested.atoms] == ["bad"]


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
    ],
)
def test_apply_atoms_merge_and_split(
    text: str, atoms: list[SuggestionAtom], mode: str, expected: list[str]
) -> None:
    assert apply_atoms(text, atoms, mode=mode) == expected


def test_apply_corrections_records_checksums_per_item(settings: Settings) -> None:
    request = ApplyCreate(
        original_text="Save A and B.",
        mode="split",
        selected_suggestions=[_atom("and", "and", "atomicity")],
    )
    with Session(open_store(settings)) as session:
        result = apply_corrections(session=session, request=request)
        records = session.get(RewriteRecord, result.items[1].rewritten_id)
    assert [i.redefined_requirement for i in result.items] == ["Save A.", "B."]
    assert records is not None and records.source == "apply" and records.evaluation_id is None


def test_corrections_unknown_evaluation_not_found(settings: Settings) -> None:
    with Session(open_store(settings)) as session, pytest.raises(NotFound):
        save_manual_correction(
            session=session,
            request=CorrectionTextCreate(original_text="a", text="b", evaluation_id="nope"),
        )
