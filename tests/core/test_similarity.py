"""Near-duplicate detection within a batch."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.similarity import jaccard, near_duplicates, trigrams


@pytest.mark.parametrize(
    ("a", "b", "similar"),
    [
        ("The system shall log every login.", "the system shall LOG every login!", True),
        ("The system shall log every login.", "The system shall log every logins.", True),
        ("The system shall log every login.", "The printer shall print in colour.", False),
        ("Das System muss starten.", "Das System muss stoppen.", False),
    ],
)
def test_near_duplicates_threshold(a: str, b: str, similar: bool) -> None:
    pairs = near_duplicates({"A": a, "B": b}, threshold=0.8)
    assert bool(pairs) == similar


def test_near_duplicates_orders_pairs_by_similarity_then_input() -> None:
    texts = {
        "X": "alpha beta gamma delta",
        "Y": "completely unrelated words",
        "Z": "alpha beta gamma delta!",
        "W": "alpha beta gamma deltas",
    }
    pairs = near_duplicates(texts, threshold=0.7)
    assert [(p.a, p.b) for p in pairs] == [("X", "Z"), ("X", "W"), ("Z", "W")]
    assert pairs[0].similarity == 1.0 and 0.7 <= pairs[-1].similarity < 1.0


def test_jaccard_of_empty_sets_is_one() -> None:
    assert jaccard(trigrams(""), trigrams("!!")) == 1.0


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "the system shall",
                "log",
                "every",
                "login",
                "export",
                "report",
                "1",
                "2",
                "!",
                "within",
                "s",
            ]
        ),
        min_size=1,
        max_size=8,
    ).map(" ".join)
    | st.text(max_size=20),
    st.lists(st.text(alphabet="abcdefg 12!", max_size=25), max_size=8),
    st.sampled_from([0.5, 0.7, 0.8, 0.9, 1.0]),
)
def test_near_duplicates_prefix_filter_finds_every_pair(
    base: str, others: list[str], threshold: float
) -> None:
    """The filtered search returns exactly what comparing all pairs would."""
    texts = {f"T{i}": text for i, text in enumerate([base, base + "!", *others, base.upper()])}
    grams = {key: trigrams(text) for key, text in texts.items()}
    keys = list(texts)
    expected = {
        (a, b)
        for i, a in enumerate(keys)
        for b in keys[i + 1 :]
        if grams[a] and grams[b] and jaccard(grams[a], grams[b]) >= threshold
    }
    found = {(p.a, p.b) for p in near_duplicates(texts, threshold=threshold)}
    assert found == expected


def test_near_duplicates_capped_most_similar_first(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("core.similarity.MAX_PAIRS", 3)
    texts = {f"T{i}": "the same requirement text" + "!" * i for i in range(5)}
    texts["X"] = "the same requirement texts"
    pairs = near_duplicates(texts, threshold=0.5)
    assert len(pairs) == 3 and all(p.similarity == 1.0 for p in pairs)
