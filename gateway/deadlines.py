"""Deadlines that all have the same length: a queue per event loop, one timer for its head.

The fallback's v2 attempts and the request bodies each have one timeout for every request,
so their deadlines fall due in the order they were set. A queue in that order needs a loop
timer for its head only. One `call_at` and one cancel per request (asyncio.timeout's, and the
loop's upkeep of cancelled timers in its heap) were half of the fallback guard's cost on the
hot path and a tenth of the gateway's own work per v2 request (docs/benchmarks.md).
"""

from __future__ import annotations

import asyncio
from collections import deque


class Clock:
    """One deadline: `expire()` runs when it falls due, unless `settled` is set first.

    Subclasses say what expiring does; the queue holds only the clock, so a subclass keeps
    no request bodies in it.
    """

    __slots__ = ("settled",)

    def __init__(self) -> None:
        self.settled = False  # the deadline no longer applies

    def expire(self) -> None:
        raise NotImplementedError


class _Queue:
    """The clocks of one event loop in the order they started, one timer for the first."""

    def __init__(self, loop: asyncio.AbstractEventLoop, timeout_s: float) -> None:
        self.loop, self.timeout_s = loop, timeout_s
        self.entries: deque[tuple[float, Clock]] = deque()
        self.timer: asyncio.TimerHandle | None = None

    def add(self, clock: Clock) -> None:
        entries = self.entries
        while entries and entries[0][1].settled:
            entries.popleft()
        entries.append((self.loop.time() + self.timeout_s, clock))
        if self.timer is None:
            self.timer = self.loop.call_at(entries[0][0], self._expire)

    def _expire(self) -> None:
        now, entries = self.loop.time(), self.entries
        while entries and (entries[0][1].settled or entries[0][0] <= now):
            clock = entries.popleft()[1]
            if not clock.settled:
                clock.expire()
        self.timer = self.loop.call_at(entries[0][0], self._expire) if entries else None


class Deadlines:
    """Expires the clocks given to `watch` timeout_s after, on the loop they were given with."""

    def __init__(self, timeout_s: float) -> None:
        if timeout_s <= 0:
            raise ValueError("timeout_s must be positive")
        self.timeout_s = timeout_s
        self._queue: _Queue | None = None

    def watch(self, clock: Clock, loop: asyncio.AbstractEventLoop) -> None:
        """Start the clock now, on the running loop: the caller's, who has looked it up
        already (each lookup is a getpid() system call in CPython 3.11's asyncio)."""
        queue = self._queue
        if queue is None or queue.loop is not loop:
            # A new loop (each test client has its own): the old queue's timer still
            # serves the clocks already in it, on their loop.
            queue = self._queue = _Queue(loop, self.timeout_s)
        queue.add(clock)
