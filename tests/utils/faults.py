"""Storage faults on demand: a SQLite lock held by another connection."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def sqlite_lock_held(path: Path, seconds: float) -> Iterator[None]:
    """Another connection holds BEGIN EXCLUSIVE on the file for `seconds`, or until the
    block ends if that comes first (an external process that lets go by itself)."""
    locked, release = threading.Event(), threading.Event()

    def hold() -> None:
        connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        try:
            connection.execute("BEGIN EXCLUSIVE")
            locked.set()
            release.wait(seconds)
            connection.execute("ROLLBACK")
        finally:
            connection.close()

    holder = threading.Thread(target=hold, daemon=True)
    holder.start()
    assert locked.wait(10), "could not take the lock"
    try:
        yield
    finally:
        release.set()
        holder.join(10)
