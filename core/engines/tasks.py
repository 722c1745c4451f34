"""The engine tasks the rest of core calls: assess, suggest, rewrite, apply, review, and
find_requirements (core.mining's LLM pass).

Each picks its engine through core.engines.dispatch. `review` is the one to use when a
caller needs more than the assessment of a text (batch suggest and rewrite rows, refine
rounds, validate/batch with suggestions): with the heuristic engine, the assessment, the
atoms and the rewrite all come from one analysis of the text; with the LLM, each part is
its own call and falls back on its own, the fallbacks again sharing one analysis.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache

from core.atoms import SuggestionAtom
from core.engines import fallbacks, heuristic, llm
from core.engines.base import Assessment, Language
from core.engines.dispatch import Job, run
from core.engines.results import (
    ApplyMode,
    ApplyResult,
    DocumentPiece,
    FindResult,
    RewriteResult,
    SuggestResult,
)
from core.glossary import Glossary, merge
from core.settings import Settings

Analysed = Callable[[], heuristic.Analysis]


@dataclass(frozen=True, slots=True)
class Review:
    """A text's assessment, and its atoms and rewrite when they were asked for."""

    assessment: Assessment
    atoms: SuggestResult | None = None
    rewrite: RewriteResult | None = None


def assess(
    text: str,
    *,
    criteria: Sequence[str],
    language: Language | None,
    settings: Settings,
    glossary: Glossary | None = None,
) -> Assessment:
    """Judge one requirement on the given criteria with the engine the settings select.

    `glossary` holds the request's project terms; the GLOSSARY_PATH file's are added here.
    """
    return review(
        text, criteria=criteria, language=language, settings=settings, glossary=glossary
    ).assessment


def suggest(
    text: str,
    *,
    criteria: Sequence[str],
    language: Language | None,
    settings: Settings,
    glossary: Glossary | None = None,
) -> SuggestResult:
    """Selectable corrections (DESIGN §6 atoms) for one requirement."""
    keys, lang, terms = _prepared(text, criteria, language, settings, glossary)
    return run(_suggest_job(text, keys, lang, terms, _analysed(text, lang, terms)), settings)


def rewrite(
    text: str,
    *,
    criteria: Sequence[str],
    language: Language | None,
    settings: Settings,
    glossary: Glossary | None = None,
) -> RewriteResult:
    """The requirement rewritten to satisfy the criteria."""
    keys, lang, terms = _prepared(text, criteria, language, settings, glossary)
    return run(_rewrite_job(text, keys, lang, terms, _analysed(text, lang, terms)), settings)


def review(
    text: str,
    *,
    criteria: Sequence[str],
    language: Language | None,
    settings: Settings,
    glossary: Glossary | None = None,
    with_atoms: bool = False,
    with_rewrite: bool = False,
) -> Review:
    """The assessment of one text, plus its atoms and rewrite when asked: one analysis."""
    keys, lang, terms = _prepared(text, criteria, language, settings, glossary)
    analysed = _analysed(text, lang, terms)
    assessment = run(
        Job(
            "evaluate",
            lambda rt: llm.evaluate(rt, text, keys, lang, terms),
            lambda: analysed().assessment(keys),
        ),
        settings,
    )
    atoms = run(_suggest_job(text, keys, lang, terms, analysed), settings) if with_atoms else None
    rewritten = (
        run(_rewrite_job(text, keys, lang, terms, analysed), settings) if with_rewrite else None
    )
    return Review(assessment, atoms, rewritten)


def apply(
    original: str,
    atoms: Sequence[SuggestionAtom],
    mode: ApplyMode,
    *,
    language: Language | None = None,
    settings: Settings,
) -> ApplyResult:
    """The selected atoms applied to the original: one requirement (merge) or several (split)."""
    selected, lang = list(atoms), language or heuristic.detect_language(original)
    job = Job(
        "apply",
        lambda rt: llm.apply(rt, original, selected, mode, lang),
        lambda: fallbacks.apply(original, selected, mode),
    )
    return run(job, settings)


def find_requirements(pieces: Sequence[DocumentPiece], *, settings: Settings) -> FindResult:
    """What the LLM finds in each piece of a document beyond the known requirements; with
    the heuristic engine, or when the LLM fails (then marked), nothing."""
    found = list(pieces)
    job = Job(
        "find",
        lambda rt: llm.find_requirements(rt, found),
        lambda: fallbacks.find_requirements(found),
    )
    return run(job, settings)


def _prepared(
    text: str,
    criteria: Sequence[str],
    language: Language | None,
    settings: Settings,
    glossary: Glossary | None,
) -> tuple[list[str], Language, Glossary | None]:
    """The criteria keys, the language (detected when not given) and the glossary: the
    GLOSSARY_PATH file's entries with the request's on top."""
    lang = language or heuristic.detect_language(text)
    return list(criteria), lang, merge(settings.glossary, glossary)


def _analysed(text: str, language: Language, glossary: Glossary | None) -> Analysed:
    """The heuristic analysis of the text, made on first use and then shared."""
    return cache(lambda: heuristic.analysis(text, language, glossary))


def _suggest_job(
    text: str, keys: list[str], lang: Language, terms: Glossary | None, analysed: Analysed
) -> Job[SuggestResult]:
    return Job(
        "suggest",
        lambda rt: llm.suggest(rt, text, keys, lang, terms),
        lambda: fallbacks.suggest(analysed(), keys),
    )


def _rewrite_job(
    text: str, keys: list[str], lang: Language, terms: Glossary | None, analysed: Analysed
) -> Job[RewriteResult]:
    return Job(
        "rewrite",
        lambda rt: llm.rewrite(rt, text, keys, lang, terms),
        lambda: fallbacks.rewrite(analysed(), keys),
    )
