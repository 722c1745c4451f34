"""Criterion scores from findings, before the severity caps core.scoring applies.

Every finding code carries a penalty per criterion it affects (core/lexicons/findings.json;
rationale per criterion in docs/heuristics.md). A criterion's score is the product of
(1 - penalty) over its findings, so several small defects add up; each repetition of the
same code counts less (REPEAT_DECAY) so one bad habit does not zero a score. Whether one
finding alone fails a criterion is its severity's business (core.engines.severity).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol, TypeVar

from core.engines.severity import RULES

REPEAT_DECAY = 0.5


class _Coded(Protocol):
    @property
    def code(self) -> str: ...


HitT = TypeVar("HitT", bound=_Coded)
WEIGHTS: dict[str, dict[str, float]] = {code: rule.weights for code, rule in RULES.items()}
# Criteria the engine has rules for; any other key gets 1.0 and a "no rule" note.
RULED = frozenset(c for w in WEIGHTS.values() for c in w)


def criteria_of(code: str) -> tuple[str, ...]:
    """Criteria a finding code affects, heaviest first."""
    weights = WEIGHTS.get(code, {})
    return tuple(sorted(weights, key=lambda c: -weights[c]))


def affecting(hits: Iterable[HitT], criteria: Iterable[str]) -> list[HitT]:
    """The hits whose code affects at least one of the criteria."""
    requested = set(criteria)
    return [h for h in hits if requested.intersection(WEIGHTS.get(h.code, ()))]


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
