"""Result types of suggest, rewrite, apply and find; evaluation results are base.Assessment.

Each carries the same engine metadata as an Assessment (engine, model, prompt version,
fallback reason), so routes can show which engine answered and why.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from core.atoms import SuggestionAtom
from core.engines.base import Language

EngineName = Literal["heuristic", "llm"]
ApplyMode = Literal["merge", "split"]
RequirementKind = Literal["functional", "quality", "constraint"]


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


@dataclass(frozen=True, slots=True)
class DocumentPiece:
    """A part of a document to search for requirements, and the requirements already
    found in it (by core.mining's rules), which the LLM need not repeat."""

    text: str
    language: Language
    known: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class FoundRequirement:
    """A requirement as the LLM quoted it: unchecked, core.mining checks it is in the piece."""

    text: str
    kind: RequirementKind


@dataclass(frozen=True, slots=True)
class FindResult:
    """Per piece, in order, what the LLM found; none at all from the heuristic engine."""

    found: tuple[tuple[FoundRequirement, ...], ...]
    meta: EngineMeta
