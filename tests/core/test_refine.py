"""Auto-refine: suggest -> apply(merge) -> re-evaluate, with every round's score."""

from __future__ import annotations

import pytest
from sqlmodel import Session, func, select

from core.batch_schemas import RefineCreate
from core.refine import refine
from core.runtime import open_store
from core.settings import Settings
from core.store.models import Evaluation, RewriteRecord
from tests.utils.engines import FakeEngine


def _refine(settings: Settings, text: str, **extra: object) -> tuple[object, int, int]:
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
    result, evaluations, rewrites = _refine(settings, "A bad requirement.")
    assert [(i.iteration, i.verdict, i.applied) for i in result.iterations] == [  # type: ignore[attr-defined]
        (0, "fail", 0),
        (1, "pass", 1),
    ]
    assert result.iterations[0].score < result.iterations[1].score  # type: ignore[attr-defined]
    assert (result.final_text, result.stop_reason) == (  # type: ignore[attr-defined]
        "A [measurable bound] requirement.",
        "passed",
    )
    assert (evaluations, rewrites) == (2, 1)


@pytest.mark.parametrize("max_iterations", [1, 3])
def test_refine_stops_at_max_iterations(
    fake_engine: FakeEngine, settings: Settings, max_iterations: int
) -> None:
    fake_engine.bad_words = ("bad", "measurable")  # every fix brings a new defect
    result, evaluations, _ = _refine(settings, "A bad one.", max_iterations=max_iterations)
    assert result.stop_reason == "max_iterations"  # type: ignore[attr-defined]
    assert len(result.iterations) == max_iterations + 1 == evaluations  # type: ignore[attr-defined]


def test_refine_stops_when_nothing_changes(fake_engine: FakeEngine, settings: Settings) -> None:
    fake_engine.finding_code = "passive_voice"  # no mechanical fix: the atom is advice
    result, evaluations, _ = _refine(settings, "A bad one.", max_iterations=5)
    assert (result.stop_reason, evaluations) == ("no_change", 1)  # type: ignore[attr-defined]


def test_refine_already_passing_is_one_iteration(
    fake_engine: FakeEngine, settings: Settings
) -> None:
    result, _, rewrites = _refine(settings, "A fine requirement.")
    assert (len(result.iterations), result.stop_reason, rewrites) == (1, "passed", 0)  # type: ignore[attr-defined]
