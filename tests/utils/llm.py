"""Helpers for LLM tests: a clean LLM runtime per test, metric reads, OpenAI-style responses,
the fake server process."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx
from prometheus_client import REGISTRY

from core.engines import llm, llm_client, llm_loop
from core.logging import JsonFormatter
from dev.processes import free_port, running

FAKE_LLM = Path(__file__).parents[2] / "dev" / "fake_llm.py"


def reset_llm() -> None:
    """Drop every LLM runtime: empty cache, fresh limits and connections, closed circuits."""
    llm_loop.call(llm.close_runtimes())
    llm_client.reset_breakers()


@contextmanager
def respx_llm(monkeypatch: pytest.MonkeyPatch, base_url: str) -> Iterator[respx.Router]:
    """A respx router on the LLM endpoint at `base_url`, for every variant of the process."""
    # respx intercepts httpx, not the SDK's aiohttp transport used in production (that one
    # is covered end to end by tests/integration/test_llm_fake_server.py).
    monkeypatch.setattr(llm_client, "http_client", httpx.AsyncClient)
    with respx.mock(base_url=base_url, assert_all_called=False) as router:
        yield router


def metric(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def fallbacks(reason: str) -> float:
    return metric("reqgate_llm_fallbacks_total", reason=reason)


def leaked(records: Iterable[logging.LogRecord], *secrets: str) -> list[str]:
    """Log lines (rendered with their extras, as in production) that contain a secret."""
    formatter = JsonFormatter()
    lines = [formatter.format(record) for record in records]
    return [line for line in lines for secret in secrets if secret in line]


@contextmanager
def fake_llm_server(*args: str) -> Iterator[str]:
    """Run dev/fake_llm.py on a free port; yields its base URL (without /v1)."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with running([sys.executable, str(FAKE_LLM), "--port", str(port), *args], f"{url}/stats"):
        yield url


# one client for the fake's control routes: a new one per call builds a TLS context each time
_CONTROL = httpx.Client(timeout=5)


def configure_fake(url: str, **faults: Any) -> None:
    _CONTROL.post(f"{url}/config", json=faults).raise_for_status()
    _CONTROL.post(f"{url}/stats/reset").raise_for_status()


def fake_stats(url: str) -> dict[str, Any]:
    return _CONTROL.get(f"{url}/stats").json()  # type: ignore[no-any-return]


def completion(
    content: str | None,
    *,
    finish_reason: str = "stop",
    refusal: str | None = None,
    usage: tuple[int, int] = (120, 40),
) -> httpx.Response:
    return httpx.Response(
        200,
        json={
            "id": "chatcmpl-1",
            "object": "chat.completion",
            "created": 0,
            "model": "gpt-test",
            "choices": [
                {
                    "index": 0,
                    "finish_reason": finish_reason,
                    "logprobs": None,
                    "message": {"role": "assistant", "content": content, "refusal": refusal},
                }
            ],
            "usage": {
                "prompt_tokens": usage[0],
                "completion_tokens": usage[1],
                "total_tokens": sum(usage),
            },
        },
    )


def answer(results: list[dict[str, Any]] | None = None, **extra: Any) -> str:
    default = [
        {
            "criterion": "clarity",
            "score": 0.4,
            "feedback": "Vage.",
            "findings": [{"code": "Vague Term", "message": "Vage.", "fragment": "schnell"}],
        },
        {"criterion": "testability", "score": 0.5, "feedback": "Schwach.", "findings": []},
    ]
    body = {
        "results": default if results is None else results,
        "suggestions": [{"text": "Grenze angeben.", "priority": "High"}],
        "rewrite": "Das Modul muss in 2 s antworten.",
        **extra,
    }
    return json.dumps(body)


def error(
    status: int, message: str = "error", headers: dict[str, str] | None = None
) -> httpx.Response:
    return httpx.Response(
        status, headers=headers, json={"error": {"message": message, "type": "x", "code": None}}
    )
