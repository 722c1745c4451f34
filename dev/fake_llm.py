"""A small OpenAI-compatible server for trying the LLM path without a model.

    python dev/fake_llm.py --port 8099 --latency-ms 100
    MOCK_MODE=false OPENAI_BASE_URL=http://127.0.0.1:8099/v1 reqgate serve

Serves POST /v1/chat/completions (json_schema and json_object response formats, plausible
answers for evaluate/suggest/rewrite/apply/find), POST /v1/embeddings and GET /v1/models.
Faults on demand: latency and jitter, an error rate (500), bursts of 429 with Retry-After,
malformed JSON, requests that hang, servers that reject json_schema. GET /stats reports
counts and the peak of requests in flight; POST /stats/reset zeroes them; POST /config
changes the fault flags of a running server (same names as the options, snake_case).
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import random
import time
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

try:
    from dev import fake_llm_answers as answers
except ImportError:  # run as a script: dev/ itself is on sys.path
    # the same file mypy checks as dev.fake_llm_answers; this spelling only exists at run time
    import fake_llm_answers as answers  # type: ignore[no-redef,import-not-found]


@dataclass
class Faults:
    latency_ms: float = 0.0
    jitter_ms: float = 0.0
    error_rate: float = 0.0
    burst_every: int = 0  # every Nth completion request starts a burst of 429s...
    burst_length: int = 0  # ...this long
    retry_after_s: float = 0.0
    malformed_rate: float = 0.0
    timeout_rate: float = 0.0
    hang_s: float = 30.0
    reject_json_schema: bool = False
    model: str = "fake-gpt"
    seed: int = 0


@dataclass
class Stats:
    requests: int = 0
    completions: int = 0
    embeddings: int = 0
    in_flight: int = 0
    peak_in_flight: int = 0
    served: dict[str, int] = field(default_factory=dict)
    tasks: dict[str, int] = field(default_factory=dict)


class FakeLlm:
    """The server's state: fault flags, counters, and the random source for faults."""

    def __init__(self, faults: Faults) -> None:
        self.faults = faults
        self.stats = Stats()
        self.random = random.Random(faults.seed)
        self._burst_left = 0

    def count(self, outcome: str) -> None:
        self.stats.served[outcome] = self.stats.served.get(outcome, 0) + 1

    def fault(self) -> str | None:
        """The fault this completion request gets, if any."""
        f = self.faults
        if f.burst_every and self.stats.completions % f.burst_every == 1:
            self._burst_left = f.burst_length
        if self._burst_left > 0:
            self._burst_left -= 1
            return "429"
        for name, rate in (
            ("500", f.error_rate),
            ("hang", f.timeout_rate),
            ("malformed", f.malformed_rate),
        ):
            if rate and self.random.random() < rate:
                return name
        return None

    async def delay(self) -> None:
        jitter = self.random.uniform(-1, 1) * self.faults.jitter_ms
        await asyncio.sleep(max(0.0, self.faults.latency_ms + jitter) / 1000)


def _error(
    status: int, message: str, kind: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(
        {"error": {"message": message, "type": kind, "code": None}},
        status_code=status,
        headers=headers,
    )


def _completion(model: str, content: str, prompt_chars: int) -> dict[str, Any]:
    return {
        "id": "chatcmpl-" + hashlib.sha1(content.encode()).hexdigest()[:12],
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [
            {
                "index": 0,
                "finish_reason": "stop",
                "logprobs": None,
                "message": {"role": "assistant", "content": content, "refusal": None},
            }
        ],
        "usage": {
            "prompt_tokens": prompt_chars // 4,
            "completion_tokens": len(content) // 4,
            "total_tokens": prompt_chars // 4 + len(content) // 4,
        },
    }


async def chat_completions(request: Request) -> JSONResponse:
    fake: FakeLlm = request.app.state.fake
    fake.stats.requests += 1
    fake.stats.completions += 1
    fake.stats.in_flight += 1
    fake.stats.peak_in_flight = max(fake.stats.peak_in_flight, fake.stats.in_flight)
    try:
        return await _answer(fake, await request.json())
    finally:
        fake.stats.in_flight -= 1


async def _answer(fake: FakeLlm, body: dict[str, Any]) -> JSONResponse:
    fault = fake.fault()
    if fault == "429":
        fake.count("429")
        return _error(
            429,
            "Rate limit reached",
            "rate_limit_exceeded",
            {"Retry-After": f"{fake.faults.retry_after_s:g}"},
        )
    if fault == "hang":
        fake.count("hang")
        await asyncio.sleep(fake.faults.hang_s)
    await fake.delay()
    if fault == "500":
        fake.count("500")
        return _error(500, "The server had an error", "server_error")
    response_format = body.get("response_format") or {}
    if fake.faults.reject_json_schema and response_format.get("type") == "json_schema":
        fake.count("400")
        return _error(400, "response_format json_schema is not supported", "invalid_request_error")
    task = answers.task_of(body)
    fake.stats.tasks[task] = fake.stats.tasks.get(task, 0) + 1
    content = answers.answer(body)
    if fault == "malformed":
        fake.count("malformed")
        content = content[: len(content) // 2]
    else:
        fake.count("ok")
    prompt_chars = sum(len(m.get("content") or "") for m in body["messages"])
    return JSONResponse(_completion(body.get("model", fake.faults.model), content, prompt_chars))


def _vector(text: str, dimensions: int) -> list[float]:
    digest = hashlib.sha256(text.encode()).digest()
    return [(digest[i % len(digest)] - 127.5) / 127.5 for i in range(dimensions)]


async def embeddings(request: Request) -> JSONResponse:
    fake: FakeLlm = request.app.state.fake
    fake.stats.requests += 1
    fake.stats.embeddings += 1
    body = await request.json()
    await fake.delay()
    inputs = body["input"] if isinstance(body["input"], list) else [body["input"]]
    dimensions = int(body.get("dimensions") or 1536)
    data = [
        {"object": "embedding", "index": i, "embedding": _vector(str(text), dimensions)}
        for i, text in enumerate(inputs)
    ]
    tokens = sum(len(str(text)) // 4 for text in inputs)
    return JSONResponse(
        {
            "object": "list",
            "data": data,
            "model": body.get("model", "fake-embed"),
            "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
        }
    )


async def models(request: Request) -> JSONResponse:
    model = request.app.state.fake.faults.model
    return JSONResponse(
        {
            "object": "list",
            "data": [{"id": model, "object": "model", "created": 0, "owned_by": "reqgate"}],
        }
    )


async def stats(request: Request) -> JSONResponse:
    return JSONResponse(asdict(request.app.state.fake.stats))


async def reset_stats(request: Request) -> JSONResponse:
    request.app.state.fake.stats = Stats()
    return JSONResponse({"status": "reset"})


async def configure(request: Request) -> JSONResponse:
    fake: FakeLlm = request.app.state.fake
    known = {f.name for f in fields(Faults)}
    changes = {k: v for k, v in (await request.json()).items() if k in known}
    fake.faults = Faults(**{**asdict(fake.faults), **changes})
    return JSONResponse(asdict(fake.faults))


def create_app(faults: Faults | None = None) -> Starlette:
    app = Starlette(
        routes=[
            Route("/v1/chat/completions", chat_completions, methods=["POST"]),
            Route("/v1/embeddings", embeddings, methods=["POST"]),
            Route("/v1/models", models, methods=["GET"]),
            Route("/stats", stats, methods=["GET"]),
            Route("/stats/reset", reset_stats, methods=["POST"]),
            Route("/config", configure, methods=["POST"]),
        ]
    )
    app.state.fake = FakeLlm(faults or Faults())
    return app


def _flag(value: str) -> bool:
    return value.lower() in {"1", "true", "yes"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8099)
    for spec in fields(Faults):
        default = spec.default
        kind = _flag if isinstance(default, bool) else type(default)
        parser.add_argument("--" + spec.name.replace("_", "-"), type=kind, default=default)
    args = vars(parser.parse_args())
    host, port = args.pop("host"), args.pop("port")
    import uvicorn

    print(f"fake-llm on http://{host}:{port}/v1 {json.dumps(args)}", flush=True)
    uvicorn.run(
        create_app(Faults(**args)), host=host, port=port, log_level="warning", access_log=False
    )


if __name__ == "__main__":
    main()
