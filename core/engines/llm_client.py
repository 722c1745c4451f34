"""One structured-output call to an OpenAI-compatible server, with every failure named.

Built on the official openai SDK. The SDK's own retries are off (max_retries=0) and this
module retries instead, so that retries never multiply, Retry-After is honoured, and a
call waiting out a backoff gives its MAX_PARALLEL slot to someone else meanwhile.

Every way a call can go wrong ends in LlmFailure(reason), a short stable code that
becomes `fallbackReason` and the label of reqgate_llm_fallbacks_total. Nothing of the
prompt or the answer is ever logged: only task, outcome, status, attempt and timing.

A circuit breaker (pybreaker) sits in front of the retries: once LLM_BREAKER_FAILURES calls
in a row fail for an outage reason, calls fail at once with `circuit_open` for
LLM_BREAKER_RESET_S, so a dead or overloaded server costs every request no time at all
instead of a timeout each; then calls are let through again and the first success closes it.
There is one breaker per server (`server_breaker`): the embeddings provider at the same
OPENAI_BASE_URL (core.vectors) goes through it too, so an outage seen by either is skipped by both.
"""

from __future__ import annotations

import asyncio
import email.utils
import json
import logging
import random
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import openai
import pybreaker

from core.engines.llm_schemas import JsonSchema
from core.metrics import LLM_CALLS, LLM_CIRCUIT_OPEN, LLM_IN_FLIGHT, LLM_TOKENS
from core.settings import Settings

log = logging.getLogger("reqgate.llm")
# The SDK logs whole request options (the requirement text) at DEBUG: never let it.
logging.getLogger("openai").setLevel(logging.WARNING)

RETRYABLE_STATUS = frozenset({408, 409, 429, 500, 502, 503, 504})
BACKOFF_BASE_S = 0.5
BACKOFF_MAX_S = 8.0
# Failures that say the server is down or overloaded, not that one answer was bad: only
# these count towards opening the circuit.
OUTAGE_REASONS = frozenset({"timeout", "connection_error", "upstream_error", "rate_limited"})
OPENAI_URL = "https://api.openai.com/v1"  # the SDK's server when OPENAI_BASE_URL is unset
# Servers without structured outputs answer 400/422 naming the parameter they reject.
_SCHEMA_REJECTED_HINTS = ("response_format", "json_schema")

# Patched by tests to record waits instead of sleeping.
sleep = asyncio.sleep


class LlmFailure(Exception):
    """The LLM could not give a usable answer; reason is a stable code for fallbackReason."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class _Retryable(LlmFailure):
    def __init__(self, reason: str, wait_s: float | None = None) -> None:
        super().__init__(reason)
        self.wait_s = wait_s


@dataclass(frozen=True, slots=True)
class LlmConfig:
    """The settings an LLM runtime depends on; equal configs share one runtime."""

    base_url: str | None
    api_key: str | None
    model: str
    timeout_s: float
    max_retries: int
    temperature: float
    max_tokens: int
    max_parallel: int
    prompts_dir: Path | None
    cache_size: int
    cache_ttl_s: float
    breaker_failures: int
    breaker_reset_s: float

    @classmethod
    def from_settings(cls, settings: Settings) -> LlmConfig:
        return cls(
            base_url=settings.openai_base_url,
            api_key=settings.openai_api_key,
            model=settings.openai_model,
            timeout_s=settings.llm_timeout_s,
            max_retries=settings.llm_max_retries,
            temperature=settings.llm_temperature,
            max_tokens=settings.llm_max_tokens,
            max_parallel=settings.max_parallel,
            prompts_dir=settings.llm_prompts_dir,
            cache_size=settings.llm_cache_size,
            cache_ttl_s=settings.llm_cache_ttl_s,
            breaker_failures=settings.llm_breaker_failures,
            breaker_reset_s=settings.llm_breaker_reset_s,
        )


def retry_after_s(headers: Mapping[str, str] | None) -> float | None:
    """Seconds the server asked us to wait (retry-after-ms, Retry-After seconds or date)."""
    if headers is None:
        return None
    for name, divisor in (("retry-after-ms", 1000.0), ("retry-after", 1.0)):
        value = headers.get(name)
        if value is None:
            continue
        try:
            return max(0.0, float(value) / divisor)
        except ValueError:
            pass
    when = headers.get("retry-after")
    try:
        parsed = email.utils.parsedate_to_datetime(when) if when else None
    except (TypeError, ValueError):
        return None
    return None if parsed is None else max(0.0, parsed.timestamp() - time.time())


def backoff_s(attempt: int) -> float:
    """Exponential backoff with jitter for the given retry (1, 2, ...)."""
    # 2.0, not 2: typeshed types int ** int as Any (a negative exponent makes a float)
    return min(BACKOFF_BASE_S * 2.0 ** (attempt - 1), BACKOFF_MAX_S) * (1 - 0.25 * random.random())


def _refused(exc: BaseException) -> bool:
    """The aiohttp transport reports a refused or reset connection as a connect *timeout*;
    the cause chain tells the two apart (a ConnectionError somewhere below)."""
    cause = exc.__cause__ or exc.__context__
    while cause is not None:
        if isinstance(cause, ConnectionError):
            return True
        cause = cause.__cause__ or cause.__context__
    return False


def http_client() -> Any:
    """The SDK's aiohttp-backed HTTP client (the `openai[aiohttp]` extra).

    Per call it costs about half the CPU of an httpx client, whose connection pool also
    probes every idle connection (getpeername and poll) whenever a request starts or ends;
    all LLM calls of the process share the one LLM loop, so that CPU queues them. The engine
    tests swap in an httpx client here, which respx can intercept.
    """
    return openai.DefaultAioHttpClient()


class LlmClient:
    """Structured-output chat completions under one MAX_PARALLEL limit. Lives on the LLM loop."""

    def __init__(self, config: LlmConfig) -> None:
        self.config = config
        timeout = httpx.Timeout(config.timeout_s, connect=min(5.0, config.timeout_s))
        # Connections: aiohttp keeps as many as were in flight at once, which the semaphore
        # below caps at MAX_PARALLEL.
        self._sdk = openai.AsyncOpenAI(
            # Local servers (Ollama, vLLM, LM Studio) need no key, but the SDK insists on one.
            api_key=config.api_key or "no-key",
            base_url=config.base_url,
            max_retries=0,
            # openai 3.x types only httpx2.Timeout, yet converts an httpx.Timeout itself
            # (openai._httpx2.normalize_httpx_timeout), which the httpx test client needs
            timeout=timeout,  # type: ignore[arg-type]
            http_client=http_client(),
        )
        self._slots = asyncio.Semaphore(config.max_parallel)
        self.json_schema_supported = True
        # A Retry-After longer than this is not worth waiting for: fall back at once.
        self._max_wait_s = max(config.timeout_s, BACKOFF_MAX_S)
        self.breaker = server_breaker(
            config.base_url, failures=config.breaker_failures, reset_s=config.breaker_reset_s
        )

    async def close(self) -> None:
        await self._sdk.close()

    async def complete(self, task: str, system: str, payload: Any, schema: JsonSchema) -> Any:
        """The parsed JSON answer of one call, after retries; raises LlmFailure."""
        if self.breaker is None:
            return await self._with_retries(task, system, payload, schema)
        try:
            with self.breaker.calling():
                return await self._with_retries(task, system, payload, schema)
        except pybreaker.CircuitBreakerError:
            raise LlmFailure("circuit_open") from None

    async def _with_retries(self, task: str, system: str, payload: Any, schema: JsonSchema) -> Any:
        attempt = 0
        while True:
            try:
                return await self._attempt(task, system, payload, schema)
            except _Retryable as exc:
                wait = exc.wait_s if exc.wait_s is not None else backoff_s(attempt + 1)
                if attempt >= self.config.max_retries or wait > self._max_wait_s:
                    raise LlmFailure(exc.reason) from None
                attempt += 1
                log.info(
                    "llm retry",
                    extra={
                        "task": task,
                        "reason": exc.reason,
                        "attempt": attempt,
                        "waitS": round(wait, 3),
                    },
                )
                await sleep(wait)

    async def _attempt(self, task: str, system: str, payload: Any, schema: JsonSchema) -> Any:
        try:
            # asyncio.timeout, not wait_for: no extra task per call on the busy LLM loop.
            async with asyncio.timeout(self.config.timeout_s):
                await self._slots.acquire()
        except TimeoutError:
            raise LlmFailure("queue_timeout") from None
        LLM_IN_FLIGHT.inc()
        started = time.perf_counter()
        outcome = "ok"
        try:
            return await self._request(task, system, payload, schema)
        except LlmFailure as exc:
            outcome = exc.reason
            raise
        finally:
            LLM_IN_FLIGHT.dec()
            self._slots.release()
            LLM_CALLS.labels(task, outcome).inc()
            log.info(
                "llm call",
                extra={
                    "task": task,
                    "outcome": outcome,
                    "ms": round((time.perf_counter() - started) * 1000),
                },
            )

    async def _request(self, task: str, system: str, payload: Any, schema: JsonSchema) -> Any:
        if self.json_schema_supported:
            try:
                return await self._send(task, system, payload, schema, structured=True)
            except openai.APIStatusError as exc:
                if exc.status_code not in (400, 422) or not _rejects_schema(exc):
                    raise _mapped(exc) from None
                log.warning("llm server rejects json_schema; using json_object from now on")
                self.json_schema_supported = False
        try:
            return await self._send(task, system, payload, schema, structured=False)
        except openai.APIStatusError as exc:
            raise _mapped(exc) from None

    async def _send(
        self, task: str, system: str, payload: Any, schema: JsonSchema, *, structured: bool
    ) -> Any:
        if structured:
            response_format: dict[str, Any] = {
                "type": "json_schema",
                "json_schema": {"name": task, "schema": schema, "strict": True},
            }
        else:
            response_format = {"type": "json_object"}
            system = f"{system}\n\nThe JSON object must match this schema:\n{json.dumps(schema)}"
        messages = [
            {"role": "system", "content": system},
            {"role": "user", "content": json.dumps(payload, ensure_ascii=False)},
        ]
        body = {
            "model": self.config.model,
            "messages": messages,
            "response_format": response_format,
            "temperature": self.config.temperature,
            "max_tokens": self.config.max_tokens,
        }
        try:
            async with asyncio.timeout(self.config.timeout_s):
                # The SDK's generic request (its auth, base URL, timeouts and status errors),
                # not chat.completions.create: that one walks the body against its TypedDicts
                # and builds response models, ~1 ms CPU per call on the one LLM loop that
                # every call of a 16-wide batch queues on. The body is already wire format.
                response = await self._sdk.post(
                    "/chat/completions", body=body, cast_to=httpx.Response
                )
            completion = response.json()
        except (TimeoutError, openai.APITimeoutError) as exc:
            if _refused(exc):
                raise _Retryable("connection_error") from None
            raise LlmFailure("timeout") from None
        except openai.APIConnectionError:
            raise _Retryable("connection_error") from None
        except ValueError:
            raise LlmFailure("malformed_json") from None
        self._count_tokens(completion)
        return _answer_json(completion)

    def _count_tokens(self, completion: Any) -> None:
        usage = completion.get("usage") if isinstance(completion, dict) else None
        if not isinstance(usage, dict):
            return
        for kind in ("prompt", "completion"):
            count = usage.get(f"{kind}_tokens")
            if isinstance(count, int) and count > 0:
                LLM_TOKENS.labels(self.config.model, kind).inc(count)


def _is_outage(exc: BaseException) -> bool:
    return isinstance(exc, LlmFailure) and exc.reason in OUTAGE_REASONS


class ServerBreaker(pybreaker.CircuitBreaker):
    """The circuit breaker of one LLM server, which can tell how long it stays open."""

    def __init__(self, *, failures: int, reset_s: float) -> None:
        self._memory = pybreaker.CircuitMemoryStorage(pybreaker.STATE_CLOSED)
        super().__init__(
            fail_max=failures,
            reset_timeout=reset_s,
            # Anything else (a bad answer, a cancelled request) is no sign of an outage.
            exclude=[lambda exc: not _is_outage(exc)],
            listeners=[_BreakerLog()],
            state_storage=self._memory,
            name="llm",
            # The call that trips the breaker keeps its own reason (timeout, ...).
            throw_new_error_on_trip=False,
        )

    def open_for_s(self) -> float:
        """Seconds until calls are let through again (a Retry-After); 0 unless open."""
        opened = self._memory.opened_at
        if self.current_state != pybreaker.STATE_OPEN or opened is None:
            return 0.0
        return max(0.0, self.reset_timeout - (datetime.now(UTC) - opened).total_seconds())


_breakers: dict[tuple[str, int, float], ServerBreaker] = {}
_breakers_lock = threading.Lock()


def server_breaker(base_url: str | None, *, failures: int, reset_s: float) -> ServerBreaker | None:
    """The one breaker of the server at `base_url`, shared by chat calls on the LLM loop and
    embeddings calls in worker threads (pybreaker locks its state); None when turned off."""
    if not failures:
        return None
    key = ((base_url or OPENAI_URL).rstrip("/"), failures, reset_s)
    with _breakers_lock:
        breaker = _breakers.get(key)
        if breaker is None:
            breaker = _breakers[key] = ServerBreaker(failures=failures, reset_s=reset_s)
        return breaker


def reset_breakers() -> None:
    """Forget every breaker's state (tests start from closed circuits)."""
    with _breakers_lock:
        _breakers.clear()


def sdk_failure(exc: openai.APIError) -> LlmFailure:
    """An error of the SDK's own retries as the failure the breaker judges (an outage or not)."""
    if isinstance(exc, openai.APITimeoutError):
        return LlmFailure("connection_error" if _refused(exc) else "timeout")
    if isinstance(exc, openai.APIConnectionError):
        return LlmFailure("connection_error")
    if isinstance(exc, openai.APIStatusError):
        return _mapped(exc)
    return LlmFailure("malformed_json")  # the answer did not parse: the server is up


class _BreakerLog(pybreaker.CircuitBreakerListener):
    """Say when the circuit opens and closes, and keep reqgate_llm_circuit_open in step."""

    def state_change(
        self,
        cb: pybreaker.CircuitBreaker,
        old_state: pybreaker.CircuitBreakerState | None,
        new_state: pybreaker.CircuitBreakerState,
    ) -> None:
        if new_state.name == pybreaker.STATE_OPEN:
            LLM_CIRCUIT_OPEN.set(1)
            log.warning(
                "llm circuit opened: the heuristic engine answers, embeddings fail fast",
                extra={"failures": cb.fail_max, "resetS": cb.reset_timeout},
            )
        elif new_state.name == pybreaker.STATE_CLOSED:
            LLM_CIRCUIT_OPEN.set(0)
            log.info("llm circuit closed: the llm and its embeddings answer again")


def _rejects_schema(exc: openai.APIStatusError) -> bool:
    text = f"{exc.message} {json.dumps(exc.body, default=str)}".lower()
    return any(hint in text for hint in _SCHEMA_REJECTED_HINTS)


def _mapped(exc: openai.APIStatusError) -> LlmFailure:
    """A status error as a failure; the status code is logged, the body never is."""
    log.warning("llm status error", extra={"status": exc.status_code})
    if exc.status_code == 429:
        return _Retryable("rate_limited", retry_after_s(exc.response.headers))
    if exc.status_code in RETRYABLE_STATUS:
        return _Retryable("upstream_error", retry_after_s(exc.response.headers))
    return LlmFailure("client_error" if exc.status_code < 500 else "upstream_error")


def _answer_json(completion: Any) -> Any:
    """The JSON of the first choice, or the failure that explains why there is none."""
    choices = completion.get("choices") if isinstance(completion, dict) else None
    choice = choices[0] if isinstance(choices, list) and choices else None
    if not isinstance(choice, dict) or not isinstance(message := choice.get("message"), dict):
        raise LlmFailure("malformed_json")
    if message.get("refusal") or choice.get("finish_reason") == "content_filter":
        raise LlmFailure("refusal")
    if choice.get("finish_reason") == "length":
        raise LlmFailure("truncated")
    content = message.get("content")
    try:
        return json.loads(content if isinstance(content, str) else "")
    except ValueError:
        raise LlmFailure("malformed_json") from None
