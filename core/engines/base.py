"""The result types every quality engine returns.

An engine looks at one requirement and says, per criterion, how well it does (0..1), why
(feedback in the requirement's language) and where (findings with character offsets).
Scoring, verdicts and persistence live elsewhere (core.scoring, core.evaluation); engines
only judge text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from core.engines.severity import Severity

Language = Literal["de", "en"]
Priority = Literal["high", "medium", "low"]


@dataclass(frozen=True, slots=True)
class Finding:
    """One defect in the text, located by character offsets: text[start:end] == fragment.

    `criteria` are the criteria it affects; `fails` those it fails on its own (a blocker or
    major finding, core.engines.severity), whatever their score.
    """

    code: str
    message: str
    start: int
    end: int
    fragment: str
    criteria: tuple[str, ...] = ()
    severity: Severity = "minor"
    fails: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CriterionResult:
    """An engine's judgement of one criterion."""

    criterion: str
    score: float
    feedback: str
    findings: tuple[Finding, ...] = ()


@dataclass(frozen=True, slots=True)
class Suggestion:
    """A concrete fix a person can apply, most important first."""

    text: str
    priority: Priority = "medium"


@dataclass(frozen=True, slots=True)
class Assessment:
    """What an engine says about one requirement, for the criteria it was asked about."""

    language: Language
    results: tuple[CriterionResult, ...]
    suggestions: tuple[Suggestion, ...] = ()
    rewrite: str | None = None
    engine: Literal["heuristic", "llm"] = "heuristic"
    model: str = "heuristic"
    fallback_reason: str | None = None
    extras: dict[str, str] = field(default_factory=dict)
    # The placeholders the text holds (TBD, bracketed gaps), whichever criteria were asked:
    # a text with any is unfinished, so it never passes.
    placeholders: tuple[str, ...] = ()

    @property
    def unfinished(self) -> bool:
        return bool(self.placeholders)
