"""The LLM answer cache: LRU with a time-to-live, and one upstream call per key at a time.

Keys are built from checksums, criteria keys, model and prompt version, never from text.
Used only on the LLM loop's thread, so it needs no lock.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Hashable
from typing import Any, TypeVar, cast

from cachetools import TTLCache

from core.metrics import LLM_CACHE

T = TypeVar("T")


class AnswerCache:
    """get_or_compute: a cached answer, a call already under way for the key, or a new call."""

    def __init__(
        self, size: int, ttl_s: float, timer: Callable[[], float] = time.monotonic
    ) -> None:
        self._entries: TTLCache[Hashable, Any] | None = (
            TTLCache(maxsize=size, ttl=ttl_s, timer=timer) if size > 0 else None
        )
        self._pending: dict[Hashable, asyncio.Task[Any]] = {}

    def __len__(self) -> int:
        return 0 if self._entries is None else len(self._entries)

    async def get_or_compute(self, key: Hashable, compute: Callable[[], Awaitable[T]]) -> T:
        # One cache holds answers of every type; a key names its task, so what is stored
        # under it is what this key's compute() returns.
        if self._entries is not None and key in self._entries:
            LLM_CACHE.labels("hit").inc()
            return cast(T, self._entries[key])
        task = self._pending.get(key)
        if task is None:
            LLM_CACHE.labels("miss").inc()
            task = asyncio.ensure_future(self._fill(key, compute))
            task.add_done_callback(_retrieve)
            self._pending[key] = task
        else:
            LLM_CACHE.labels("shared").inc()
        # Shielded: a caller that goes away does not cancel the call others wait for.
        return cast(T, await asyncio.shield(task))

    async def _fill(self, key: Hashable, compute: Callable[[], Awaitable[Any]]) -> Any:
        try:
            value = await compute()
            if self._entries is not None:
                self._entries[key] = value
            return value
        finally:
            self._pending.pop(key, None)


def _retrieve(task: asyncio.Task[Any]) -> None:
    """Mark the outcome seen, so a failure nobody waited for is not reported as lost."""
    if not task.cancelled():
        task.exception()
