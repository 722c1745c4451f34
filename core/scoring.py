"""Scores and verdicts (DESIGN §6): one definition for every engine and variant.

A criterion passes iff its score reaches CRITERION_PASS_THRESHOLD and no blocker or major
finding fails it; such a finding also caps the score strictly below the threshold (derived
from it, so it holds whatever the threshold is set to). The verdict passes iff the weighted
score reaches VERDICT_THRESHOLD and every requested criterion passes. A blocker (an
unfinished text) also caps the overall score below both the verdict threshold and
RELEASE_SCORE.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from core.engines.severity import Severity

Verdict = Literal["pass", "fail"]
# Clients of the original system release an item at score >= 0.8, whatever the verdict says.
RELEASE_SCORE = 0.8
# Where a failing finding leaves its criterion, as a share of the pass threshold: a major
# defect just below it (several still rank lower), a blocker far below.
CRITERION_CAP: dict[Severity, float] = {"blocker": 0.5, "major": 0.9}
BLOCKER_SCORE_CAP = 0.9


def weighted_score(scores_and_weights: Iterable[tuple[float, float]]) -> float:
    """Weighted mean of criterion scores, rounded to 3 decimals; 0.0 when nothing is weighted."""
    pairs = list(scores_and_weights)
    total_weight = sum(weight for _, weight in pairs)
    if total_weight <= 0:
        return 0.0
    return round(sum(score * weight for score, weight in pairs) / total_weight, 3)


def capped_criterion_score(score: float, failing: Iterable[Severity], threshold: float) -> float:
    """A criterion's score after the findings that fail it: below the threshold."""
    caps = [CRITERION_CAP[s] * threshold for s in failing if s in CRITERION_CAP]
    return round(min([score, *caps]), 3)


def capped_overall_score(score: float, *, blocker: bool, verdict_threshold: float) -> float:
    """The overall score; with a blocker, below both the verdict threshold and RELEASE_SCORE."""
    if not blocker:
        return score
    return round(min(score, BLOCKER_SCORE_CAP * min(verdict_threshold, RELEASE_SCORE)), 3)


def verdict_for(score: float, threshold: float, *, all_passed: bool = True) -> Verdict:
    """pass iff the overall score reaches VERDICT_THRESHOLD and every criterion passes."""
    return "pass" if all_passed and score >= threshold else "fail"


def criterion_passed(score: float, threshold: float, *, failed_by_finding: bool = False) -> bool:
    """A criterion passes iff its score reaches CRITERION_PASS_THRESHOLD and no blocker or
    major finding fails it."""
    return not failed_by_finding and score >= threshold


def clamp_score(value: float) -> float:
    """Scores live in 0..1, rounded to 3 decimals, whatever an engine returned."""
    return round(min(1.0, max(0.0, float(value))), 3)
