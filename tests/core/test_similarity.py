"""Near-duplicate detection within a batch."""

from __future__ import annotations

import pytest

from core.similarity import jaccard, near_duplicates, trigrams


@pytest.mark.parametrize(("a", "b", "similar"), [
    ("The system shall log every login.", "the system shall LOG every login!", True),
    ("The system shall log every login.", "The system shall log every logins.", True),
    ("The system shall log every login.", "The printer shall print in colour.", False),
    ("Das System muss starten.", "Das System muss stoppen.", False),
])
def test_near_duplicates_threshold(a: str, b: str, similar: bool) -> None:
    pairs = near_duplicates({"A": a, "B": b}, threshold=0.8)
    assert bool(pairs) == similar


def test_near_duplicates_orders_pairs_by_similarity_then_input() -> None:
    texts = {"X": "alpha beta gamma delta", "Y": "completely unrelated words",
             "Z": "alpha beta gamma delta!", "W": "alpha beta gamma deltas"}
    pairs = near_duplicates(texts, threshold=0.7)
    assert [(p.a, p.b) for p in pairs] == [("X", "Z"), ("X", "W"), ("Z", "W")]
    assert pairs[0].similarity == 1.0 and 0.7 <= pairs[-1].similarity < 1.0


def test_jaccard_of_empty_sets_is_one() -> None:
    assert jaccard(trigrams(""), trigrams("!!")) == 1.0
