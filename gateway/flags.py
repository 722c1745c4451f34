"""The flags as this process sees them: the database row, re-read in the background.

Every worker and replica reads the same row, so a change made through any of them reaches
all within MAX_AGE_S plus one read. No request waits for that read: `current()` answers
the last known flags at once and starts a refresh (in its own thread, one at a time) when
they are older than MAX_AGE_S, and while the server runs `run()` starts one every MAX_AGE_S
whether requests come or not: an idle worker's next request must not route on flags read
before a change that another worker acknowledged seconds ago. While the database cannot
be read the last known flags stay in force, up to FLAG_MAX_STALENESS_S after the last
successful read; beyond it, shared routes answer 503 with Retry-After (`for_routing`)
rather than route on flags that may predate an operator's rollback. The gateway's own
routes (/health, /metrics, the runtime config) keep answering with the last known flags
and their age.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from concurrent.futures import Future

from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from core.exceptions import Unavailable
from core.store.flags import FlagChange, Flags, FlagSource, change_flags, read_flags

MAX_AGE_S = 0.5
STALE_WAIT_S = 1.0  # how long a shared route waits for a refresh once the flags are stale
RETRY_AFTER_S = 2
logger = logging.getLogger("reqgate.flags")


def _shared(refresh: Future[None]) -> asyncio.Future[None]:
    """Wait for a refresh that other waiters share: a waiter cancelled (the lifespan ending,
    a route's wait timing out) must not cancel it for the others, nor make the refreshing
    thread's set_result fail."""
    return asyncio.shield(asyncio.wrap_future(refresh))


class FlagCache:
    """Holds the current flags; `current()` never waits, `for_routing()` refuses stale ones."""

    def __init__(
        self,
        engine: Engine,
        initial: Flags,
        *,
        max_age_s: float = MAX_AGE_S,
        max_staleness_s: float = 5.0,
    ) -> None:
        self.engine = engine
        self.flags = initial
        self.max_age_s = max_age_s
        self.max_staleness_s = max_staleness_s
        self._read_at = self._tried_at = time.monotonic()
        self._refresh: Future[None] | None = None
        self._lock = threading.Lock()

    @property
    def age_s(self) -> float:
        """Seconds since the flags were last read from (or written to) the database."""
        return time.monotonic() - self._read_at

    def current(self) -> Flags:
        """The last known flags, at once; a refresh starts when they are due for one."""
        self._start_refresh(now=False)
        return self.flags

    def _due(self, at: float) -> bool:
        """Whether a refresh is due at monotonic time `at`: none tried for max_age_s."""
        return at - self._tried_at >= self.max_age_s

    def _start_refresh(self, *, now: bool) -> Future[None] | None:
        """The refresh under way, started unless one runs or (unless `now`) one ran lately."""
        if not now and not self._due(time.monotonic()):
            return self._refresh  # the hot path: no lock while the flags are fresh
        with self._lock:
            due = now or self._due(time.monotonic())
            if due and self._refresh is None:
                self._tried_at = time.monotonic()
                self._refresh = Future()
                threading.Thread(target=self._reload, name="flag-refresh", daemon=True).start()
            return self._refresh

    async def run(self) -> None:
        """Refresh every max_age_s until cancelled (the gateway's lifespan): a request-started
        refresh in between counts, so a busy worker reads no more often than before."""
        while True:
            await asyncio.sleep(max(0.0, self._tried_at + self.max_age_s - time.monotonic()))
            refresh = self._start_refresh(now=False)
            if refresh is not None:
                await _shared(refresh)

    def fresh(self) -> Flags | None:
        """The flags when fit to route on at once (no older than max_staleness_s), else None:
        the hot path's case, without the coroutine that for_routing's wait needs, and with
        one look at the clock (current() and age_s take one each)."""
        now = time.monotonic()
        if self._due(now):
            self._start_refresh(now=False)
        return self.flags if now - self._read_at < self.max_staleness_s else None

    async def for_routing(self) -> Flags:
        """Flags fit to route on: no older than max_staleness_s, else Unavailable.

        Stale flags are normal after an idle spell (nothing asked for a refresh) or an
        outage, so a shared route starts a refresh at once and gives it up to STALE_WAIT_S.
        """
        flags = self.fresh()
        if flags is not None:
            return flags
        refresh = self._start_refresh(now=True)
        if refresh is not None:
            try:
                await asyncio.wait_for(_shared(refresh), STALE_WAIT_S)
            except TimeoutError:
                pass
        if self.age_s >= self.max_staleness_s:
            raise Unavailable(
                "routing flags could not be read from the database; retry later",
                retry_after_s=RETRY_AFTER_S,
            )
        return self.flags

    def _reload(self) -> None:
        try:
            flags = read_flags(self.engine)
            # a read that began before this process's own change must not undo it
            if flags is not None and flags.epoch >= self.flags.epoch:
                self.flags = flags
            self._read_at = time.monotonic()
        except SQLAlchemyError as exc:
            logger.warning(
                "flag refresh failed; keeping epoch %s",
                self.flags.epoch,
                extra={"error": type(exc).__name__},
            )
        finally:
            with self._lock:
                refresh, self._refresh = self._refresh, None
            if refresh is not None:
                refresh.set_result(None)

    async def change(
        self, change: FlagChange, *, actor: str, reason: str, source: FlagSource
    ) -> tuple[Flags, bool]:
        """Write a change and make it this process's state at once (no wait for the cache)."""
        flags, changed = await asyncio.to_thread(
            change_flags, self.engine, change, actor=actor, reason=reason, source=source
        )
        self.flags, self._read_at = flags, time.monotonic()
        return flags, changed
