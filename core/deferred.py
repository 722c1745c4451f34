"""Work noted one item at a time on the hot path and done for many items at once.

The gateway counts every answered request in its metrics and writes an access line for it.
In a batch, requests answered alike are counted once with their number, and the lines go
out in one write (docs/benchmarks.md §14, "Fifth session"). A batch is done when it holds
`max_items`, `max_wait_s` after its first item on the event loop that noted it, or when
`flush()` is called (before anything reads what the batches feed). Where no event loop
runs, an item is done at once: the caller may read the result next.
"""

from __future__ import annotations

import asyncio
import threading
from collections import deque
from collections.abc import Callable
from typing import Generic, TypeVar

Item = TypeVar("Item")


class Deferred(Generic[Item]):
    """Items waiting for `handle`, which gets them in the order they came, a list at a time."""

    def __init__(
        self, handle: Callable[[list[Item]], None], *, max_items: int, max_wait_s: float
    ) -> None:
        self.handle = handle
        self.max_items, self.max_wait_s = max_items, max_wait_s
        self._items: deque[Item] = deque()
        self._handling = threading.Lock()  # readers may flush from a worker thread

    def add(self, item: Item) -> None:
        items = self._items
        items.append(item)
        if len(items) == 1:
            self._flush_later()
        elif len(items) >= self.max_items:
            self.flush()

    def _flush_later(self) -> None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            self.flush()
            return
        loop.call_later(self.max_wait_s, self.flush)

    def flush(self) -> None:
        """Handle every item added so far."""
        with self._handling:
            items = self._items
            batch = [items.popleft() for _ in range(len(items))]  # a deque pops thread-safely
            if batch:
                self.handle(batch)
