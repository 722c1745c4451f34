"""Auto-refine: suggest -> apply(merge) -> re-evaluate, with every round's score; a text
that still holds placeholders never passes."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import Session, func, select

from core.contract.batch import RefineCreate
from core.refine import refine
from core.runtime import open_store
from core.settings import Settings
from core.store.models import Evaluation, RewriteRecord
from tests.utils.engines import FakeEngine


def _refine(settings: Settings, text: str, **extra: object) -> tuple[Any, int, int]:
    engine = open_store(settings)
    with Session(engine) as session:
        result = refine(
            session=session,
            settings=settings,
            variant="v2",
            request=RefineCreate(requirement_text=text, **extra),
        )  # type: ignore[arg-type]
        evaluations = session.exec(select(func.count()).select_from(Evaluation)).one()
        rewrites = session.exec(select(func.count()).select_from(RewriteRecord)).one()
    return result, int(evaluations), int(rewrites)


def test_refine_improves_until_pass(fake_engine: FakeEngine, settings: Settings) -> None:
    fake_engine.fix = "within 2 s"
    result, evaluations, rewrites = _refine(settings, "A bad requirement.")
    assert [(i.iteration, i.verdict, i.applied, i.placeholders) for i in result.iterations] == [
        (0, "fail", 0, 0),
        (1, "pass", 1, 0),
    ]
    assert result.iterations[0].score < result.iterations[1].score
    assert (result.final_text, result.verdict, result.stop_reason) == (
        "A within 2 s requirement.",
        "pass",
        "passed",
    )
    assert (evaluations, rewrites) == (2, 1)


def test_refine_placeholder_left_never_passes(fake_engine: FakeEngine, settings: Settings) -> None:
    """The engine scores the bracketed gap as fine, but the text holds a placeholder: its
    evaluation fails (DESIGN §6: text with a placeholder never passes) and refine stops,
    since only a person can fill it."""
    result, _, _ = _refine(settings, "A bad requirement.")
    last = result.iterations[-1]
    assert (last.text, last.verdict, last.placeholders) == (
        "A [measurable bound] requirement.",
        "fail",
        1,
    )
    assert (result.verdict, result.stop_reason) == ("fail", "needs_input")


@pytest.mark.parametrize(
    ("text", "language", "final", "asked"),
    [
        ("The system should be fast.", "en", "The system shall be fast.", "fast"),
        ("Das System sollte schnell sein.", "de", "Das System muss schnell sein.", "schnell"),
        ("The response time shall be TBD.", "en", "The response time shall be TBD.", None),
        (
            "Die Antwortzeit muss [messbare Grenze] betragen.",
            "de",
            "Die Antwortzeit muss [messbare Grenze] betragen.",
            None,
        ),
    ],
)
def test_refine_heuristic_stops_when_only_a_person_can_go_on(
    settings: Settings, text: str, language: str, final: str, asked: str | None
) -> None:
    """The binding modal is applied; the bound is asked for, never invented, and a
    placeholder is never filled in: the loop stops at once with needs_input."""
    result, _, _ = _refine(
        settings,
        text,
        context={"language": language},
        criteria_keys=["clarity", "testability", "measurability", "completeness"],
        max_iterations=5,
    )
    assert result.final_text == final
    assert (result.verdict, result.stop_reason) == ("fail", "needs_input")
    assert len(result.iterations) == (2 if final != text else 1)
    if asked is None:
        assert result.iterations[-1].placeholders >= 1 and result.questions == []
    else:
        assert any(asked in question for question in result.questions)


@pytest.mark.parametrize("max_iterations", [1, 3])
def test_refine_stops_at_max_iterations(
    fake_engine: FakeEngine, settings: Settings, max_iterations: int
) -> None:
    fake_engine.bad_words = ("bad", "measurable")  # every fix brings a new defect
    result, evaluations, _ = _refine(settings, "A bad one.", max_iterations=max_iterations)
    assert result.stop_reason == "max_iterations"
    assert len(result.iterations) == max_iterations + 1 == evaluations


def test_refine_stops_when_nothing_changes(fake_engine: FakeEngine, settings: Settings) -> None:
    fake_engine.finding_code = "passive_voice"  # no mechanical fix: the atom is advice
    result, evaluations, _ = _refine(settings, "A bad one.", max_iterations=5)
    assert (result.stop_reason, evaluations) == ("no_change", 1)


def test_refine_already_passing_is_one_iteration(
    fake_engine: FakeEngine, settings: Settings
) -> None:
    result, _, rewrites = _refine(settings, "A fine requirement.")
    assert (len(result.iterations), result.stop_reason, rewrites) == (1, "passed", 0)
