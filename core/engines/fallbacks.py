"""Suggest, rewrite and apply without an LLM: the heuristic engine's answers.

Used when no LLM is configured and when the LLM fails (core.engines marks the result with
the fallback reason). Atoms come from the heuristic engine's findings (core.engines.heuristic
suggest), apply is the pure merge/split of core.engines.edits, and the rewrite is the
heuristic engine's mechanical rewrite, which is exactly those atoms merged.
"""

from __future__ import annotations

from collections.abc import Sequence

from core.atoms import SuggestionAtom
from core.engines import edits, heuristic
from core.engines.base import Language
from core.engines.results import ApplyMode, ApplyResult, EngineMeta, RewriteResult, SuggestResult
from core.glossary import Glossary


def heuristic_meta() -> EngineMeta:
    return EngineMeta("heuristic", heuristic.MODEL_NAME)


def suggest(
    text: str, criteria: Sequence[str], language: Language, glossary: Glossary | None = None
) -> SuggestResult:
    """One atom per located defect that affects a requested criterion, in text order."""
    atoms = heuristic.suggest(text, criteria=criteria, language=language, glossary=glossary)
    return SuggestResult(tuple(atoms), heuristic_meta())


def rewrite(
    text: str, criteria: Sequence[str], language: Language, glossary: Glossary | None = None
) -> RewriteResult:
    """The heuristic engine's rewrite, or the text unchanged when it has none."""
    assessment = heuristic.assess(text, criteria=criteria, language=language, glossary=glossary)
    rewritten = assessment.rewrite
    return RewriteResult((rewritten or text).strip(), heuristic_meta())


def apply(original: str, atoms: Sequence[SuggestionAtom], mode: ApplyMode) -> ApplyResult:
    """merge: every atom applied in order to one text; split: cut at the split points."""
    return ApplyResult(tuple(edits.apply_atoms(original, atoms, mode)), heuristic_meta())
