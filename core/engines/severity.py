"""How serious each finding code is, and which criteria it fails: one table for both engines.

The table is data (core/lexicons/findings.json, reasons in docs/heuristics.md). A blocker
or major finding fails the criteria listed under `fails`; core.scoring turns that into a
score below CRITERION_PASS_THRESHOLD, whatever the threshold is. Minor findings only take
their penalty weights, so several of them add up.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

Severity = Literal["blocker", "major", "minor"]
SEVERITY_RANK: dict[Severity, int] = {"blocker": 0, "major": 1, "minor": 2}
TABLE_PATH = Path(__file__).resolve().parents[1] / "lexicons" / "findings.json"
# The largest penalty a finding may put on a criterion it does not fail: one such finding
# alone leaves the criterion above the default pass threshold (0.7); several add up.
MAX_PENALTY_ALONE = 0.25


@dataclass(frozen=True, slots=True)
class CodeRule:
    """What one finding code means for the scores."""

    severity: Severity
    fails: tuple[str, ...]
    weights: dict[str, float]


def _load(path: Path) -> dict[str, CodeRule]:
    raw = json.loads(path.read_text(encoding="utf-8"))["codes"]
    rules = {
        code: CodeRule(entry["severity"], tuple(entry["fails"]), dict(entry["weights"]))
        for code, entry in raw.items()
    }
    for code, rule in rules.items():
        if rule.severity not in SEVERITY_RANK or not set(rule.fails) <= set(rule.weights):
            raise ValueError(f"{path}: bad rule for {code!r}")
        if (rule.severity == "minor") != (not rule.fails):
            raise ValueError(f"{path}: {code!r}: only blocker and major findings fail criteria")
        if any(w > MAX_PENALTY_ALONE for c, w in rule.weights.items() if c not in rule.fails):
            raise ValueError(f"{path}: {code!r}: a penalty above {MAX_PENALTY_ALONE} must fail")
    return rules


RULES = _load(TABLE_PATH)
UNKNOWN = CodeRule("minor", (), {})


def rule_of(code: str) -> CodeRule:
    """The rule for a code; codes outside the table (an LLM's own) are minor."""
    return RULES.get(code, UNKNOWN)
