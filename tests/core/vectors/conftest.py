"""Every test leaves no embedded Qdrant client open (each holds its path's lock), and
starts with closed circuit breakers (the embeddings provider shares the LLM's)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from core.engines.llm_client import reset_breakers
from core.vectors import close_clients


@pytest.fixture(autouse=True)
def _close_vector_clients() -> Iterator[None]:
    reset_breakers()
    yield
    close_clients()
    reset_breakers()
