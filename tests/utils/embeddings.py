"""A fake OpenAI-compatible embeddings API: vectors from the words of each input.

The openai SDK sends through httpx2 (which respx does not patch), so `fake_embeddings`
hands the SDK an httpx2 client on a MockTransport; the code under test is unchanged.
"""

from __future__ import annotations

import functools
import json
import zlib
from collections.abc import Callable

import httpx2
import openai
import pytest

from core.settings import Settings

BASE_URL = "http://embeddings.test/v1"
DIM = 8
Handler = Callable[[httpx2.Request], httpx2.Response]


def fake_vector(text: str, dim: int = DIM) -> list[float]:
    """Texts sharing words get close vectors: a bag of hashed words."""
    vector = [0.0] * dim
    for word in text.lower().split():
        vector[zlib.crc32(word.encode()) % dim] += 1.0
    return vector if any(vector) else [1.0] + [0.0] * (dim - 1)


def embeddings_answer(request: httpx2.Request) -> httpx2.Response:
    body = json.loads(request.content)
    dim = body.get("dimensions", DIM)
    data = [
        {"object": "embedding", "index": i, "embedding": fake_vector(text, dim)}
        for i, text in enumerate(body["input"])
    ]
    usage = {"prompt_tokens": 1, "total_tokens": 1}
    return httpx2.Response(
        200, json={"object": "list", "data": data, "model": body["model"], "usage": usage}
    )


def fake_embeddings(monkeypatch: pytest.MonkeyPatch, handler: Handler) -> list[httpx2.Request]:
    """Route every OpenAI client built from now on to `handler`; the requests it saw."""
    seen: list[httpx2.Request] = []

    def record(request: httpx2.Request) -> httpx2.Response:
        seen.append(request)
        return handler(request)

    client = httpx2.Client(transport=httpx2.MockTransport(record))
    monkeypatch.setattr(openai, "OpenAI", functools.partial(openai.OpenAI, http_client=client))
    return seen


def openai_settings(make_settings: Callable[..., Settings], **overrides: object) -> Settings:
    """The openai provider on the fake API, without the SDK's retries (and their backoff)."""
    values = {"openai_base_url": BASE_URL, "embeddings_dim": DIM, "llm_max_retries": 0}
    return make_settings(embeddings_provider="openai", **values | overrides)


def down_for(word: str) -> Handler:
    """The fake API answering 503 to every call whose texts hold `word`."""

    def answer(request: httpx2.Request) -> httpx2.Response:
        return (
            httpx2.Response(503) if word in request.content.decode() else embeddings_answer(request)
        )

    return answer
