"""Quality engines: the rule-based heuristic engine and the OpenAI-compatible LLM engine.

The functions here are the one entry point the rest of core uses; each picks the engine
for the settings. With the LLM engine, any failure (rate limits, timeouts, bad answers...)
is answered by the heuristic engine instead, marked with `fallback_reason` and counted in
reqgate_llm_fallbacks_total{reason}: the LLM misbehaving is never a request failure.

Every function has a sync form (Flask threads, batch thread pools) and an async form
(FastAPI) with the same arguments and results; both run the same coroutine on the one LLM
loop (core.engines.llm_loop), under one MAX_PARALLEL limit and one cache.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from core.atoms import SuggestionAtom
from core.engines import fallbacks, heuristic, llm, llm_loop
from core.engines.base import Assessment, Language
from core.engines.llm_client import LlmConfig, LlmFailure
from core.engines.results import ApplyMode, ApplyResult, RewriteResult, SuggestResult
from core.glossary import Glossary, merge
from core.metrics import LLM_FALLBACKS
from core.settings import Settings

__all__ = [
    "apply",
    "apply_async",
    "assess",
    "assess_async",
    "engine_status",
    "rewrite",
    "rewrite_async",
    "suggest",
    "suggest_async",
]

log = logging.getLogger("reqgate.engines")
# Constrained, not free: _marked handles each answer type, and mypy checks it for each.
T = TypeVar("T", Assessment, SuggestResult, RewriteResult, ApplyResult)


@dataclass(frozen=True, slots=True)
class _Job(Generic[T]):
    """One engine request: how the LLM answers it, and how the heuristic engine does."""

    task: str
    ask_llm: Callable[[llm.LlmRuntime], Awaitable[T]]
    heuristic: Callable[[], T]


def _marked(value: T, reason: str) -> T:
    """The heuristic answer labelled as a fallback (Assessment or a result with meta)."""
    if isinstance(value, Assessment):
        return dataclasses.replace(value, engine="heuristic", fallback_reason=reason)
    meta = dataclasses.replace(value.meta, fallback_reason=reason)
    return dataclasses.replace(value, meta=meta)


@dataclass(frozen=True, slots=True)
class _NoAnswer:
    """Why the LLM gave no usable answer: the fallback reason."""

    reason: str


async def _ask(job: _Job[T], config: LlmConfig) -> T | _NoAnswer:
    """On the LLM loop: the answer, or why there is none."""
    try:
        return await job.ask_llm(llm.runtime_for(config))
    except LlmFailure as failure:
        return _NoAnswer(failure.reason)
    except Exception as exc:  # noqa: BLE001 - deliberate: a bug must not fail the request
        log.error("llm engine error", extra={"task": job.task, "error": type(exc).__name__})
        return _NoAnswer("engine_error")


def _fallback(job: _Job[T], reason: str) -> T:
    LLM_FALLBACKS.labels(reason).inc()
    log.warning("llm fallback to heuristic", extra={"task": job.task, "reason": reason})
    return _marked(job.heuristic(), reason)


def _run(job: _Job[T], settings: Settings) -> T:
    if not settings.llm_enabled:
        return job.heuristic()
    asking = _ask(job, LlmConfig.from_settings(settings))  # own line: T inferred from job alone
    answer = llm_loop.call(asking)
    return _fallback(job, answer.reason) if isinstance(answer, _NoAnswer) else answer


async def _run_async(job: _Job[T], settings: Settings) -> T:
    # The heuristic engine is CPU work: off the caller's event loop.
    if not settings.llm_enabled:
        return await asyncio.to_thread(job.heuristic)
    asking = _ask(job, LlmConfig.from_settings(settings))  # own line: T inferred from job alone
    answer = await llm_loop.submit(asking)
    if isinstance(answer, _NoAnswer):
        return await asyncio.to_thread(_fallback, job, answer.reason)
    return answer


def _language(text: str, language: Language | None) -> Language:
    return language or heuristic.detect_language(text)


def _assess_job(
    text: str, criteria: Sequence[str], language: Language | None, glossary: Glossary | None
) -> _Job[Assessment]:
    keys, lang = list(criteria), _language(text, language)
    return _Job(
        "evaluate",
        lambda rt: llm.evaluate(rt, text, keys, lang, glossary),
        lambda: heuristic.assess(text, criteria=keys, language=lang, glossary=glossary),
    )


def _suggest_job(
    text: str, criteria: Sequence[str], language: Language | None, glossary: Glossary | None
) -> _Job[SuggestResult]:
    keys, lang = list(criteria), _language(text, language)
    return _Job(
        "suggest",
        lambda rt: llm.suggest(rt, text, keys, lang, glossary),
        lambda: fallbacks.suggest(text, keys, lang, glossary),
    )


def _rewrite_job(
    text: str, criteria: Sequence[str], language: Language | None, glossary: Glossary | None
) -> _Job[RewriteResult]:
    keys, lang = list(criteria), _language(text, language)
    return _Job(
        "rewrite",
        lambda rt: llm.rewrite(rt, text, keys, lang, glossary),
        lambda: fallbacks.rewrite(text, keys, lang, glossary),
    )


def _glossary(settings: Settings, glossary: Glossary | None) -> Glossary | None:
    """The GLOSSARY_PATH file's entries with the request's on top."""
    return merge(settings.glossary, glossary)


def _apply_job(
    original: str, atoms: Sequence[SuggestionAtom], mode: ApplyMode, language: Language | None
) -> _Job[ApplyResult]:
    selected, lang = list(atoms), _language(original, language)
    return _Job(
        "apply",
        lambda rt: llm.apply(rt, original, selected, mode, lang),
        lambda: fallbacks.apply(original, selected, mode),
    )


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
    return _run(_assess_job(text, criteria, language, _glossary(settings, glossary)), settings)


async def assess_async(
    text: str,
    *,
    criteria: Sequence[str],
    language: Language | None,
    settings: Settings,
    glossary: Glossary | None = None,
) -> Assessment:
    """assess for coroutines: same arguments, same result."""
    return await _run_async(
        _assess_job(text, criteria, language, _glossary(settings, glossary)), settings
    )


def suggest(
    text: str,
    *,
    criteria: Sequence[str],
    language: Language | None,
    settings: Settings,
    glossary: Glossary | None = None,
) -> SuggestResult:
    """Selectable corrections (DESIGN §6 atoms) for one requirement."""
    return _run(_suggest_job(text, criteria, language, _glossary(settings, glossary)), settings)


async def suggest_async(
    text: str,
    *,
    criteria: Sequence[str],
    language: Language | None,
    settings: Settings,
    glossary: Glossary | None = None,
) -> SuggestResult:
    return await _run_async(
        _suggest_job(text, criteria, language, _glossary(settings, glossary)), settings
    )


def rewrite(
    text: str,
    *,
    criteria: Sequence[str],
    language: Language | None,
    settings: Settings,
    glossary: Glossary | None = None,
) -> RewriteResult:
    """The requirement rewritten to satisfy the criteria."""
    return _run(_rewrite_job(text, criteria, language, _glossary(settings, glossary)), settings)


async def rewrite_async(
    text: str,
    *,
    criteria: Sequence[str],
    language: Language | None,
    settings: Settings,
    glossary: Glossary | None = None,
) -> RewriteResult:
    return await _run_async(
        _rewrite_job(text, criteria, language, _glossary(settings, glossary)), settings
    )


def apply(
    original: str,
    atoms: Sequence[SuggestionAtom],
    mode: ApplyMode,
    *,
    language: Language | None = None,
    settings: Settings,
) -> ApplyResult:
    """The selected atoms applied to the original: one requirement (merge) or several (split)."""
    return _run(_apply_job(original, atoms, mode, language), settings)


async def apply_async(
    original: str,
    atoms: Sequence[SuggestionAtom],
    mode: ApplyMode,
    *,
    language: Language | None = None,
    settings: Settings,
) -> ApplyResult:
    return await _run_async(_apply_job(original, atoms, mode, language), settings)


def engine_status(settings: Settings) -> dict[str, Any]:
    """The engine the settings select and why, for runtime-config and the start-up log."""
    if settings.llm_enabled:
        via = "OPENAI_BASE_URL" if settings.openai_base_url else "OPENAI_API_KEY"
        return {
            "engine": "llm",
            "reason": f"llm: MOCK_MODE=false and {via} set",
            "model": settings.openai_model,
            "promptVersion": llm.prompts_for(settings.llm_prompts_dir).version,
        }
    reason = (
        "heuristic: MOCK_MODE=true"
        if settings.mock_mode
        else "heuristic: no OPENAI_API_KEY or OPENAI_BASE_URL"
    )
    return {"engine": "heuristic", "reason": reason, "model": heuristic.MODEL_NAME}


def log_engine_status(settings: Settings) -> None:
    """Say once at start-up which engine answers, and why (no secrets)."""
    log.info("engine selected", extra=engine_status(settings))
