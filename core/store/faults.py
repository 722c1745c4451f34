"""Storage failures as the client sees them: the one place that tells a database that is
unavailable (locked, full, read-only, unreachable) from a bug.

The edges (v1, v2, the gateway) call `storage_fault` on any SQLAlchemy error: a fault becomes
503 `unavailable` with Retry-After and a fixed message naming only its kind; anything else
stays a 500. The driver's text (paths, SQL, parameters, server names) never leaves the
server. Causes are told apart by SQLite's result code or PostgreSQL's SQLSTATE, not by
exception class alone: sqlite3 raises OperationalError for a syntax error too.

It also remembers, per database, whether the last write failed with a fault, which
/readyz reports (core.store.health).
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from dataclasses import dataclass
from typing import Literal

from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from core.exceptions import Unavailable

Fault = Literal["locked", "full", "read-only", "unreachable"]
RETRY_AFTER_S = 5
FAULT_MEMORY_S = 10.0  # how long a failed write keeps /readyz red without a newer success
MESSAGES: dict[Fault, str] = {
    "locked": "storage is busy (database locked); retry later",
    "full": "storage is full; retry later",
    "read-only": "storage is read-only; retry later",
    "unreachable": "storage is unreachable; retry later",
}
# SQLite primary result codes (the low byte of the extended code)
SQLITE_FAULTS: dict[int, Fault] = {
    5: "locked",  # SQLITE_BUSY
    6: "locked",  # SQLITE_LOCKED
    7: "unreachable",  # SQLITE_NOMEM
    8: "read-only",  # SQLITE_READONLY
    10: "unreachable",  # SQLITE_IOERR
    13: "full",  # SQLITE_FULL
    14: "unreachable",  # SQLITE_CANTOPEN
    15: "locked",  # SQLITE_PROTOCOL (a lock race in WAL)
}
# PostgreSQL SQLSTATEs, most specific first
POSTGRES_FAULTS: tuple[tuple[str, Fault], ...] = (
    ("53100", "full"),  # disk_full
    ("25006", "read-only"),  # read_only_sql_transaction (a standby)
    ("55P03", "locked"),  # lock_not_available
    ("40P01", "locked"),  # deadlock_detected
    ("08", "unreachable"),  # connection exceptions
    ("53", "unreachable"),  # insufficient resources (memory, connections)
    ("57P", "unreachable"),  # shutdown, crash, cannot connect now
)
REOPEN_FAULTS: frozenset[Fault] = frozenset({"read-only", "unreachable"})
logger = logging.getLogger("reqgate.store")


def _driver_fault(error: BaseException) -> Fault | None:
    if isinstance(error, sqlite3.Error):
        code = getattr(error, "sqlite_errorcode", None)
        return SQLITE_FAULTS.get(code & 0xFF) if isinstance(code, int) else None
    sqlstate = getattr(error, "sqlstate", None)
    if isinstance(sqlstate, str):
        return next(
            (fault for prefix, fault in POSTGRES_FAULTS if sqlstate.startswith(prefix)), None
        )
    # psycopg reports a refused or dropped connection with no SQLSTATE at all
    name = type(error).__name__
    return "unreachable" if name in {"OperationalError", "InterfaceError"} else None


def fault_kind(exc: BaseException) -> Fault | None:
    """Which storage fault `exc` reports, or None when it is no fault (a bug, a constraint)."""
    if isinstance(exc, PoolTimeout):
        return "locked"  # every pooled connection is busy
    if not isinstance(exc, DBAPIError):
        return None
    kind = _driver_fault(exc.orig) if exc.orig is not None else None
    return kind or ("unreachable" if exc.connection_invalidated else None)


def needs_new_connection(error: BaseException) -> bool:
    """Whether a driver error leaves its connection unusable once the fault is fixed."""
    return _driver_fault(error) in REOPEN_FAULTS


def storage_fault(exc: SQLAlchemyError) -> Unavailable | None:
    """The client's 503 for a storage fault (logged by kind and class only), else None."""
    kind = fault_kind(exc)
    if kind is None:
        return None
    cause = type(exc.orig).__name__ if isinstance(exc, DBAPIError) else type(exc).__name__
    return unavailable(kind, cause)


def unavailable(kind: Fault, cause: str) -> Unavailable:
    """The client's 503 for a fault of this kind, logged by kind and cause only."""
    logger.warning("storage fault: %s", kind, extra={"fault": kind, "error": cause})
    return Unavailable(MESSAGES[kind], retry_after_s=RETRY_AFTER_S)


@dataclass(frozen=True)
class _Failure:
    kind: Fault
    at: float


_failures: dict[str, _Failure] = {}  # database URL -> the last write's fault, if it failed
_lock = threading.Lock()


def record_write(engine: Engine, error: BaseException | None) -> None:
    """Remember a write's outcome: a storage fault, or success (which clears the last one)."""
    key = str(engine.url)
    kind = fault_kind(error) if error is not None else None
    with _lock:
        if error is None:
            _failures.pop(key, None)
        elif kind is not None:
            _failures[key] = _Failure(kind, time.monotonic())


def recent_fault(engine: Engine) -> Fault | None:
    """The fault the last write failed with, if it failed within FAULT_MEMORY_S."""
    with _lock:
        failure = _failures.get(str(engine.url))
    if failure is None or time.monotonic() - failure.at > FAULT_MEMORY_S:
        return None
    return failure.kind
