"""Run one engine job: the LLM when the settings enable it, the heuristic engine otherwise.

With the LLM, any failure (rate limits, timeouts, bad answers...) is answered by the
heuristic engine instead, marked with `fallback_reason` and counted in
reqgate_llm_fallbacks_total{reason}: the LLM misbehaving is never a request failure. Calls
from any thread run on the one LLM loop (core.engines.llm_loop), under one MAX_PARALLEL
limit and one cache.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from core.engines import heuristic, llm, llm_loop
from core.engines.base import Assessment
from core.engines.llm_client import LlmConfig, LlmFailure
from core.engines.results import ApplyResult, FindResult, RewriteResult, SuggestResult
from core.metrics import LLM_FALLBACKS
from core.settings import VARIANTS, Settings, Variant

log = logging.getLogger("reqgate.engines")
# Constrained, not free: _marked handles each answer type, and mypy checks it for each.
T = TypeVar("T", Assessment, SuggestResult, RewriteResult, ApplyResult, FindResult)


@dataclass(frozen=True, slots=True)
class Job(Generic[T]):
    """One engine request: how the LLM answers it, and how the heuristic engine does."""

    task: str
    ask_llm: Callable[[llm.LlmRuntime], Awaitable[T]]
    heuristic: Callable[[], T]


@dataclass(frozen=True, slots=True)
class _NoAnswer:
    """Why the LLM gave no usable answer: the fallback reason."""

    reason: str


def run(job: Job[T], settings: Settings) -> T:
    """The job's answer from the engine the settings select."""
    if not settings.llm_enabled:
        return job.heuristic()
    asking = _ask(job, LlmConfig.from_settings(settings))  # own line: T inferred from job alone
    answer = llm_loop.call(asking)
    return _fallback(job, answer.reason) if isinstance(answer, _NoAnswer) else answer


async def _ask(job: Job[T], config: LlmConfig) -> T | _NoAnswer:
    """On the LLM loop: the answer, or why there is none."""
    try:
        return await job.ask_llm(llm.runtime_for(config))
    except LlmFailure as failure:
        return _NoAnswer(failure.reason)
    except Exception as exc:  # noqa: BLE001 - deliberate: a bug must not fail the request
        log.error("llm engine error", extra={"task": job.task, "error": type(exc).__name__})
        return _NoAnswer("engine_error")


def _fallback(job: Job[T], reason: str) -> T:
    LLM_FALLBACKS.labels(reason).inc()
    log.warning("llm fallback to heuristic", extra={"task": job.task, "reason": reason})
    return _marked(job.heuristic(), reason)


def _marked(value: T, reason: str) -> T:
    """The heuristic answer labelled as a fallback (Assessment or a result with meta)."""
    if isinstance(value, Assessment):
        return dataclasses.replace(value, engine="heuristic", fallback_reason=reason)
    meta = dataclasses.replace(value.meta, fallback_reason=reason)
    return dataclasses.replace(value, meta=meta)


def engine_status(settings: Settings, variant: Variant = "v1") -> dict[str, Any]:
    """The engine a variant runs with on these settings and why, for runtime-config and the
    start-up log; the reason names V2_ENGINE where that chose v2's engine."""
    chosen = settings.for_variant(variant)
    switch = f"V2_ENGINE={settings.v2_engine}" if variant == "v2" and settings.v2_engine else ""
    if chosen.llm_enabled:
        via = "OPENAI_BASE_URL" if chosen.openai_base_url else "OPENAI_API_KEY"
        return {
            "engine": "llm",
            "reason": f"llm: {switch or 'MOCK_MODE=false'} and {via} set",
            "model": chosen.openai_model,
            "promptVersion": llm.prompts_for(chosen.llm_prompts_dir).version,
        }
    if switch:
        reason = f"heuristic: {switch}"
    elif chosen.mock_mode:
        reason = "heuristic: MOCK_MODE=true"
    else:
        reason = "heuristic: no OPENAI_API_KEY or OPENAI_BASE_URL"
    return {"engine": "heuristic", "reason": reason, "model": heuristic.MODEL_NAME}


def log_engine_status(settings: Settings) -> None:
    """Say once at start-up which engine answers each variant, and why (no secrets)."""
    for variant in VARIANTS:
        log.info("engine selected", extra={"variant": variant, **engine_status(settings, variant)})
