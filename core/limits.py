"""How many batches one process works on at once (MAX_CONCURRENT_BATCHES).

A 1,000-row batch holds its engine threads and results in memory while it runs; a handful
of clients sending such batches at once could exhaust the process's memory. The slots are
per process and per limit, so v1 and v2 inside one gateway share them. A batch that finds
no free slot is refused at once (503 unavailable with Retry-After), never queued: a queue
would hold the bodies in memory all the same.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache

from core.exceptions import Unavailable
from core.settings import Settings

# A 1,000-row batch takes about ten seconds on the heuristic engine: try again after that.
RETRY_AFTER_S = 10


@lru_cache
def _slots(limit: int) -> threading.BoundedSemaphore:
    return threading.BoundedSemaphore(limit)


@contextmanager
def batch_slot(settings: Settings) -> Iterator[None]:
    """Hold one batch slot for the block; Unavailable (503, Retry-After) when all are taken."""
    slots = _slots(settings.max_concurrent_batches)
    if not slots.acquire(blocking=False):
        raise Unavailable(
            "too many batches in progress; retry later",
            {"maxConcurrentBatches": settings.max_concurrent_batches},
            retry_after_s=RETRY_AFTER_S,
        )
    try:
        yield
    finally:
        slots.release()
