"""Weighted score and verdicts (DESIGN §6): one definition for every engine and variant."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

Verdict = Literal["pass", "fail"]


def weighted_score(scores_and_weights: Iterable[tuple[float, float]]) -> float:
    """Weighted mean of criterion scores, rounded to 3 decimals; 0.0 when nothing is weighted."""
    pairs = list(scores_and_weights)
    total_weight = sum(weight for _, weight in pairs)
    if total_weight <= 0:
        return 0.0
    return round(sum(score * weight for score, weight in pairs) / total_weight, 3)


def verdict_for(score: float, threshold: float) -> Verdict:
    """pass iff the overall score reaches VERDICT_THRESHOLD."""
    return "pass" if score >= threshold else "fail"


def criterion_passed(score: float, threshold: float) -> bool:
    """A criterion passes iff its score reaches CRITERION_PASS_THRESHOLD."""
    return score >= threshold


def clamp_score(value: float) -> float:
    """Scores live in 0..1, rounded to 3 decimals, whatever an engine returned."""
    return round(min(1.0, max(0.0, float(value))), 3)
