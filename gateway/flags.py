"""The flags as this process sees them: the database row through a cache of at most 1 s.

Every worker and replica reads the same row, so a change made through any of them reaches
all within MAX_AGE_S plus one read. The read runs in a thread (never on the event loop),
once per period however many requests arrive; while the database is unreachable the last
known flags stay in force and the failure is logged once per period.
"""

from __future__ import annotations

import asyncio
import logging
import time

from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from core.store.flags import FlagChange, Flags, FlagSource, change_flags, read_flags

MAX_AGE_S = 0.5
logger = logging.getLogger("reqgate.flags")


class FlagCache:
    """Holds the current flags; `get()` is cheap and refreshes at most every MAX_AGE_S."""

    def __init__(self, engine: Engine, initial: Flags, *, max_age_s: float = MAX_AGE_S) -> None:
        self.engine = engine
        self.flags = initial
        self.max_age_s = max_age_s
        self._fetched_at = time.monotonic()
        self._refresh: asyncio.Future[None] | None = None

    async def get(self) -> Flags:
        """The flags, no older than max_age_s plus one database read."""
        if time.monotonic() - self._fetched_at >= self.max_age_s:
            if self._refresh is None:
                self._refresh = asyncio.ensure_future(self._reload())
            await asyncio.shield(self._refresh)
        return self.flags

    async def _reload(self) -> None:
        try:
            flags = await asyncio.to_thread(read_flags, self.engine)
            if flags is not None:
                self.flags = flags
        except SQLAlchemyError as exc:
            logger.warning(
                "flag refresh failed; keeping epoch %s",
                self.flags.epoch,
                extra={"error": type(exc).__name__},
            )
        finally:
            self._fetched_at = time.monotonic()
            self._refresh = None

    async def change(
        self, change: FlagChange, *, actor: str, reason: str, source: FlagSource
    ) -> tuple[Flags, bool]:
        """Write a change and make it this process's state at once (no wait for the cache)."""
        flags, changed = await asyncio.to_thread(
            change_flags, self.engine, change, actor=actor, reason=reason, source=source
        )
        self.flags, self._fetched_at = flags, time.monotonic()
        return flags, changed
