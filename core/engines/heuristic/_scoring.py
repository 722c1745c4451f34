"""Criterion scores from findings.

Every finding code carries a penalty per criterion it affects (the table below; rationale per
criterion in docs/heuristics.md). A criterion's score is the product of (1 - penalty) over its
findings, so one serious defect fails it (score < 0.7) while several small ones add up; each
repetition of the same code counts less (REPEAT_DECAY) so one bad habit does not zero a score.
"""

from __future__ import annotations

from collections.abc import Iterable

PASS_THRESHOLD = 0.7
REPEAT_DECAY = 0.5

WEIGHTS: dict[str, dict[str, float]] = {
    "vague_term": {"clarity": 0.35, "measurability": 0.35, "testability": 0.25, "unambiguity": 0.2},
    "vague_adverb": {"clarity": 0.1, "unambiguity": 0.1, "testability": 0.05},
    "vague_quantifier": {
        "measurability": 0.3,
        "clarity": 0.25,
        "testability": 0.2,
        "unambiguity": 0.2,
    },
    "subjective_term": {
        "clarity": 0.35,
        "testability": 0.3,
        "measurability": 0.25,
        "unambiguity": 0.2,
    },
    "nonverifiable_term": {
        "testability": 0.3,
        "clarity": 0.2,
        "measurability": 0.15,
        "completeness": 0.1,
    },
    "loophole": {"testability": 0.3, "unambiguity": 0.3, "completeness": 0.2, "clarity": 0.15},
    "weak_modal": {"testability": 0.35, "clarity": 0.2, "unambiguity": 0.15},
    "weak_phrase": {"testability": 0.3, "clarity": 0.15, "unambiguity": 0.1},
    "missing_modal": {"testability": 0.25, "completeness": 0.2, "clarity": 0.1},
    "superlative": {
        "measurability": 0.3,
        "testability": 0.25,
        "clarity": 0.15,
        "unambiguity": 0.15,
    },
    "comparative": {"measurability": 0.3, "unambiguity": 0.25, "testability": 0.2, "clarity": 0.1},
    "negative": {"clarity": 0.15, "testability": 0.15},
    "passive_voice": {"completeness": 0.2, "clarity": 0.1, "unambiguity": 0.1},
    "ambiguous_pronoun": {"unambiguity": 0.3, "clarity": 0.2},
    "multiple_requirements": {"atomicity": 0.45, "clarity": 0.1, "testability": 0.1},
    "number_without_unit": {"measurability": 0.35, "unambiguity": 0.15, "testability": 0.1},
    "missing_measure": {"measurability": 0.4, "testability": 0.3},
    # Fails completeness, testability and measurability alone: an unfinished text
    # ("[measurable bound]", TBD) can be neither tested nor measured.
    "placeholder": {
        "completeness": 0.5,
        "testability": 0.35,
        "measurability": 0.35,
        "clarity": 0.2,
    },
    "design_term": {"design_independence": 0.4},
    "filler": {"conciseness": 0.2, "clarity": 0.05},
    "rationale": {"conciseness": 0.25, "atomicity": 0.1},
    "vague_reference": {"completeness": 0.3, "unambiguity": 0.25, "clarity": 0.15},
    "long_sentence": {"conciseness": 0.35, "clarity": 0.25, "atomicity": 0.1, "unambiguity": 0.05},
    "inconsistent_term": {"consistent_terminology": 0.25},
    "mixed_modals": {"consistent_terminology": 0.3},
    "too_short": {"completeness": 0.4, "clarity": 0.2},
}
# Criteria the engine has rules for; any other key gets 1.0 and a "no rule" note.
RULED = frozenset(c for w in WEIGHTS.values() for c in w)


def criteria_of(code: str) -> tuple[str, ...]:
    """Criteria a finding code affects, heaviest first."""
    weights = WEIGHTS.get(code, {})
    return tuple(sorted(weights, key=lambda c: -weights[c]))


def score(criterion: str, codes: Iterable[str]) -> float:
    """Score of one criterion given the codes of all findings, rounded to 3 decimals."""
    value = 1.0
    seen: dict[str, int] = {}
    for code in codes:
        penalty = WEIGHTS.get(code, {}).get(criterion, 0.0)
        if penalty:
            repeat = seen.get(code, 0)
            seen[code] = repeat + 1
            value *= 1.0 - penalty * REPEAT_DECAY**repeat
    return round(value, 3)
