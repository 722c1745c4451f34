"""Fixtures of the engine tests: a clean LLM runtime, a mocked endpoint, recorded backoffs."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import respx

from core.engines import llm_client
from tests.utils.llm import reset_llm, respx_llm

BASE_URL = "http://llm.test/v1"


@pytest.fixture(autouse=True)
def clean_llm() -> Iterator[None]:
    reset_llm()
    yield
    reset_llm()


@pytest.fixture
def mock_llm(monkeypatch: pytest.MonkeyPatch) -> Iterator[respx.Router]:
    with respx_llm(monkeypatch, BASE_URL) as router:
        yield router


@pytest.fixture
def waits(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Backoff waits, recorded instead of slept."""
    recorded: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        recorded.append(seconds)

    monkeypatch.setattr(llm_client, "sleep", fake_sleep)
    return recorded
