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
