"""Every test leaves no embedded Qdrant client open (each holds its path's lock)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from core.vectors import close_clients


@pytest.fixture(autouse=True)
def _close_vector_clients() -> Iterator[None]:
    yield
    close_clients()
