"""Suggest, rewrite, apply and find without an LLM: the heuristic engine's answers.

Used when no LLM is configured and when the LLM fails (core.engines marks the result with
the fallback reason). Atoms come from the heuristic engine's findings (core.engines.heuristic
suggest), apply is the pure merge/split of core.engines.edits, and the rewrite is the
heuristic engine's mechanical rewrite, which is exactly those atoms merged. Finding
requirements is core.mining's rules' job: without the LLM it adds nothing to them.
"""

from __future__ import annotations

from collections.abc import Sequence

from core.atoms import SuggestionAtom
from core.engines import edits, heuristic
from core.engines.results import (
    ApplyMode,
    ApplyResult,
    DocumentPiece,
    EngineMeta,
    FindResult,
    RewriteResult,
    SuggestResult,
)


def heuristic_meta() -> EngineMeta:
    return EngineMeta("heuristic", heuristic.MODEL_NAME)


def suggest(analysis: heuristic.Analysis, criteria: Sequence[str]) -> SuggestResult:
    """One atom per located defect that affects a requested criterion, in text order."""
    return SuggestResult(tuple(analysis.atoms(criteria)), heuristic_meta())


def rewrite(analysis: heuristic.Analysis, criteria: Sequence[str]) -> RewriteResult:
    """The heuristic engine's rewrite, or the text unchanged when it has none."""
    rewritten = analysis.rewrite(criteria)
    return RewriteResult((rewritten or analysis.text).strip(), heuristic_meta())


def apply(original: str, atoms: Sequence[SuggestionAtom], mode: ApplyMode) -> ApplyResult:
    """merge: every atom applied in order to one text; split: cut at the split points."""
    return ApplyResult(tuple(edits.apply_atoms(original, atoms, mode)), heuristic_meta())


def find_requirements(pieces: Sequence[DocumentPiece]) -> FindResult:
    """Nothing beyond what the rules found, piece by piece."""
    return FindResult(tuple(() for _ in pieces), heuristic_meta())
