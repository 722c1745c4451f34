"""One analysis per text: every caller reads assessment, atoms, rewrite and placeholders from
the same run of the detectors (counted by wrapping the detector entry point)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import pytest
from sqlmodel import Session

from core.batch import answer_table
from core.contract.batch import RefineCreate
from core.contract.bodies import BatchInput, checked_table
from core.engines.heuristic import _analysis
from core.refine import refine
from core.runtime import open_store
from core.settings import Settings

TEXTS = ("The system should be fast, if possible.", "Das System sollte schnell sein.")


@pytest.fixture
def analysed(monkeypatch: pytest.MonkeyPatch) -> Iterator[Counter[str]]:
    """How often the detectors ran on each text."""
    counts: Counter[str] = Counter()
    detect = _analysis.analyse

    def counted(text: str, *args: object, **kwargs: object) -> object:
        counts[text] += 1
        return detect(text, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(_analysis, "analyse", counted)
    yield counts


@pytest.mark.parametrize("mode", ["evaluate", "suggest", "rewrite"])
def test_run_table_row_analysed_once(analysed: Counter[str], settings: Settings, mode: str) -> None:
    table = "| id | requirementText |\n|---|---|\n" + "".join(
        f"| R{i} | {text} |\n" for i, text in enumerate(TEXTS)
    )
    with Session(open_store(settings)) as session:
        result = answer_table(
            session=session,
            settings=settings,
            source=BatchInput(checked_table(table, settings)),
            mode=mode,  # type: ignore[arg-type]
            variant="v2",
        ).public()
    assert len(result.items) == len(TEXTS)
    assert analysed == Counter(dict.fromkeys(TEXTS, 1))


def test_refine_round_analyses_its_text_once(analysed: Counter[str], settings: Settings) -> None:
    with Session(open_store(settings)) as session:
        result = refine(
            session=session,
            settings=settings,
            request=RefineCreate(requirementText=TEXTS[0], maxIterations=5),
            variant="v2",
        )
    rounds = [iteration.text for iteration in result.iterations]
    assert len(rounds) >= 2  # the modal and the loophole went in round 1
    assert analysed == Counter(rounds)
