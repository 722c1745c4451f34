"""The engine measured on our own labelled verdict set (tests/data/verdict_set.json).

The set was written for this project from requirements-engineering principles (ISO/IEC/IEEE
29148 weak-word classes, INCOSE rules, NASA ARM, SOPHIST templates), not taken from the
held-out benchmarks. Each item has the verdict a reviewer would give and the fragments a
reviewer must see highlighted. Every text goes through the product path (core.evaluation.judge)
with all active default criteria of core/criteria.json, on the offline (heuristic) engine.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, TypedDict

import pytest

from core.catalogue import catalogue_criteria
from core.evaluation import Judgement, judge
from core.settings import Settings, load_settings

SET_PATH = Path(__file__).parents[1] / "data" / "verdict_set.json"
MIN_ITEMS = 60
MIN_ACCURACY = 0.95
MIN_RECALL = 0.9


class VerdictItem(TypedDict):
    id: str
    language: Literal["en", "de"]
    text: str
    verdict: Literal["pass", "fail"]
    flag: list[str]
    why: str


@dataclass(frozen=True, slots=True)
class Outcome:
    item: VerdictItem
    judgement: Judgement


def load_items() -> list[VerdictItem]:
    items: list[VerdictItem] = json.loads(SET_PATH.read_text(encoding="utf-8"))
    return items


def fragment_span(text: str, fragment: str) -> tuple[int, int] | None:
    """The first occurrence of fragment in text, not inside a longer word ("it" in "submits")."""
    match = re.search(rf"(?<!\w){re.escape(fragment)}(?!\w)", text)
    return None if match is None else match.span()


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory: pytest.TempPathFactory) -> list[Outcome]:
    settings: Settings = load_settings(
        _env_file=None,
        sqlite_path=tmp_path_factory.mktemp("verdict_set") / "reqgate.db",
        mock_mode=True,
        openai_api_key=None,
    )
    criteria = {language: catalogue_criteria(language) for language in ("en", "de")}
    return [
        Outcome(
            item,
            judge(
                item["text"],
                criteria=criteria[item["language"]],
                language=item["language"],
                settings=settings,
            ),
        )
        for item in load_items()
    ]


def test_load_verdict_set_is_well_formed() -> None:
    items = load_items()
    assert len(items) >= MIN_ITEMS
    assert {item["language"] for item in items} == {"en", "de"}
    assert {item["verdict"] for item in items} == {"pass", "fail"}
    ids = [item["id"] for item in items]
    assert len(ids) == len(set(ids)), "duplicate ids"
    problems: list[str] = []
    for item in items:
        if item["verdict"] == "pass" and item["flag"]:
            problems.append(f"{item['id']}: a good requirement has flags {item['flag']}")
        if item["verdict"] == "fail" and not item["flag"]:
            problems.append(f"{item['id']}: a bad requirement flags nothing")
        for fragment in item["flag"]:
            if fragment_span(item["text"], fragment) is None:
                problems.append(f"{item['id']}: flag {fragment!r} is not in the text")
    assert not problems, "\n".join(problems)


def test_judge_verdict_set_reaches_verdict_accuracy(outcomes: list[Outcome]) -> None:
    wrong = [o for o in outcomes if o.judgement.result.verdict != o.item["verdict"]]
    accuracy = 1 - len(wrong) / len(outcomes)
    lines = [
        f"  {o.item['id']}: expected {o.item['verdict']}, got {o.judgement.result.verdict}"
        f" (score {o.judgement.result.score:.2f}): {o.item['text']}"
        for o in wrong
    ]
    assert accuracy >= MIN_ACCURACY, (
        f"verdict accuracy {accuracy:.3f} < {MIN_ACCURACY} "
        f"({len(wrong)} of {len(outcomes)} misclassified):\n" + "\n".join(lines)
    )


def test_judge_verdict_set_finds_flagged_fragments(outcomes: list[Outcome]) -> None:
    total = 0
    missed: list[str] = []
    for outcome in outcomes:
        spans = [
            (finding.start, finding.end)
            for detail in outcome.judgement.result.details
            for finding in detail.findings
        ]
        for fragment in outcome.item["flag"]:
            total += 1
            span = fragment_span(outcome.item["text"], fragment)
            assert span is not None, f"{outcome.item['id']}: {fragment!r} not in text"
            if not any(start < span[1] and span[0] < end for start, end in spans):
                found = sorted(
                    {f.fragment for d in outcome.judgement.result.details for f in d.findings}
                )
                missed.append(f"  {outcome.item['id']}: {fragment!r} (engine flagged {found})")
    recall = 1 - len(missed) / total
    assert recall >= MIN_RECALL, (
        f"flagged-fragment recall {recall:.3f} < {MIN_RECALL} "
        f"({len(missed)} of {total} fragments missed):\n" + "\n".join(missed)
    )
