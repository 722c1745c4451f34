"""Result types of suggest, rewrite and apply; evaluation results are base.Assessment.

Each carries the same engine metadata as an Assessment (engine, model, prompt version,
fallback reason), so routes can show which engine answered and why.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from core.atoms import SuggestionAtom

EngineName = Literal["heuristic", "llm"]
ApplyMode = Literal["merge", "split"]


@dataclass(frozen=True, slots=True)
class EngineMeta:
    """Which engine produced a result; fallback_reason is set when the LLM could not."""

    engine: EngineName
    model: str
    prompt_version: str | None = None
    fallback_reason: str | None = None


@dataclass(frozen=True, slots=True)
class SuggestResult:
    atoms: tuple[SuggestionAtom, ...]
    meta: EngineMeta


@dataclass(frozen=True, slots=True)
class RewriteResult:
    text: str
    meta: EngineMeta


@dataclass(frozen=True, slots=True)
class ApplyResult:
    """merge gives one requirement, split one per selected atom (or as the engine splits)."""

    items: tuple[str, ...]
    meta: EngineMeta
