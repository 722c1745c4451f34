"""Acceptance 7 of issue 13, guarded: mining on the marked documents of bench/mining.py keeps
precision and recall >= 0.9 per language, on the tuned and on the held-out documents."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.mining import by_language, documents, pair, read_marked
from core.mining import mine

FLOOR = 0.9


@pytest.mark.parametrize("held_out", [False, True], ids=["tuned", "held-out"])
def test_mining_bench_precision_and_recall_floors(held_out: bool) -> None:
    scores = by_language(held_out)
    assert set(scores) == {"de", "en"}
    for language, score in scores.items():
        assert score.precision >= FLOOR, (language, score)
        assert score.recall >= FLOOR, (language, score)


def test_mining_bench_has_two_tuned_documents_per_language() -> None:
    names = [p.name for p in documents(held_out=False)]
    assert sum(n.startswith("de_") for n in names) >= 2
    assert sum(n.startswith("en_") for n in names) >= 2


def test_mining_bench_markers_never_reach_the_miner() -> None:
    for path in documents(held_out=False) + documents(held_out=True):
        text, marked = read_marked(path)
        assert "[[" not in text and marked


def test_mining_bench_matches_on_line_and_overlap(tmp_path: Path) -> None:
    doc = tmp_path / "en_x.md"
    doc.write_text("[[f]]The system shall log.\nThe system shall also print.\n", encoding="utf-8")
    text, marked = read_marked(doc)
    pairs, extra, missed = pair(mine(text), marked)
    assert (len(pairs), len(extra), len(missed)) == (1, 1, 0)
    assert pairs[0][0].line == 1
