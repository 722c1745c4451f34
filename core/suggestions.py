"""Suggestion atoms (DESIGN §6) for a requirement, together with its evaluation.

The routes need both: the evaluation (scored, stored) and the atoms. Both come from
core.engines, so the LLM answers when it is configured and the heuristic engine otherwise
(or when the LLM fails, marked with the reason in `meta`).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

from core import engines
from core.atoms import SuggestionAtom
from core.catalogue import CriterionInfo
from core.engines.base import Language
from core.engines.results import EngineMeta, RewriteResult
from core.evaluation import Judgement, judgement_of
from core.glossary import Glossary
from core.settings import Settings


@dataclass(frozen=True, slots=True)
class Suggested:
    """A judgement, the atoms for the same text, and which engine wrote the atoms."""

    judgement: Judgement
    atoms: tuple[SuggestionAtom, ...]
    meta: EngineMeta
    rewrite: RewriteResult | None = None  # with_rewrite: the engine's rewrite


def suggest(
    text: str,
    *,
    criteria: Sequence[CriterionInfo],
    language: Language | None,
    settings: Settings,
    glossary: Glossary | None = None,
    with_rewrite: bool = False,
) -> Suggested:
    """Judge the text and suggest atoms for it (and rewrite it, when asked) from one review
    of the text; touches no database."""
    started = time.perf_counter()
    review = engines.review(
        text,
        criteria=[c.key for c in criteria],
        language=language,
        settings=settings,
        glossary=glossary,
        with_atoms=True,
        with_rewrite=with_rewrite,
    )
    assert review.atoms is not None  # asked for
    judgement = judgement_of(review.assessment, criteria, settings, started)
    return Suggested(judgement, review.atoms.atoms, review.atoms.meta, review.rewrite)
