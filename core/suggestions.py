"""Suggestion atoms (DESIGN §6) for a requirement, together with its evaluation.

The routes need both: the evaluation (scored, stored) and the atoms. Both come from
core.engines, so the LLM answers when it is configured and the heuristic engine otherwise
(or when the LLM fails, marked with the reason in `meta`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from core import engines
from core.atoms import SuggestionAtom
from core.catalogue import CriterionInfo
from core.engines.base import Language
from core.engines.results import EngineMeta
from core.evaluation import Judgement, judge
from core.glossary import Glossary
from core.settings import Settings


@dataclass(frozen=True, slots=True)
class Suggested:
    """A judgement, the atoms for the same text, and which engine wrote the atoms."""

    judgement: Judgement
    atoms: tuple[SuggestionAtom, ...]
    meta: EngineMeta


def suggest(
    text: str,
    *,
    criteria: Sequence[CriterionInfo],
    language: Language | None,
    settings: Settings,
    glossary: Glossary | None = None,
) -> Suggested:
    """Judge the text and suggest atoms for it; touches no database."""
    judgement = judge(
        text, criteria=criteria, language=language, settings=settings, glossary=glossary
    )
    suggested = engines.suggest(
        text,
        criteria=[c.key for c in criteria],
        language=language or judgement.result.language,
        settings=settings,
        glossary=glossary,
    )
    return Suggested(judgement, suggested.atoms, suggested.meta)
