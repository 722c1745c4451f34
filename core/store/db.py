"""Database engines and sessions for SQLite (default) and PostgreSQL.

SQLite is tuned for many threads and several processes on one file: WAL, foreign keys on,
a busy timeout of DB_LOCK_TIMEOUT_S, and `PRAGMA synchronous` as SQLITE_SYNCHRONOUS says
(FULL by default: a commit is on disk when it returns). Reads run in plain (deferred)
transactions, which WAL never blocks, even while another connection holds the write lock.
Writes start with BEGIN IMMEDIATE (WRITE_OPTION): two writers queue on the lock instead of
failing with "database is locked" when a read transaction tries to upgrade, and a writer that
cannot get the lock within the timeout fails fast (503). Requests' records go through the
group writer (core.store.writer); the rare other writes (flags, purge, criteria) through
`write_scope`.

PostgreSQL sessions get the same bound as their `lock_timeout`: a statement that waits
longer for a lock (a table another session locked, a row it holds) fails with SQLSTATE
55P03, a "locked" fault (core.store.faults), instead of waiting as long as the lock is held.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import event
from sqlalchemy.engine import Engine, ExceptionContext, make_url
from sqlalchemy.pool import StaticPool
from sqlmodel import Session, SQLModel, create_engine

from core.dry_run import is_dry_run
from core.store import models  # noqa: F401  (registers the tables on SQLModel.metadata)
from core.store.driver import execute
from core.store.faults import needs_new_connection, record_write

DEFAULT_LOCK_TIMEOUT_S = 5.0
Synchronous = Literal["FULL", "NORMAL"]
WRITE_OPTION = "reqgate_write"  # connection execution option: this transaction writes


def _tune_sqlite(engine: Engine, lock_timeout_s: float, synchronous: Synchronous) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        cursor = dbapi_conn.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {int(lock_timeout_s * 1000)}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute(f"PRAGMA synchronous = {synchronous}")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # On the driver's cursor, errors translated as SQLAlchemy's own (core.store.driver):
        # exec_driver_sql's execution context and result cost several times the BEGIN.
        writes = conn.get_execution_options().get(WRITE_OPTION, False)
        execute(conn, "BEGIN IMMEDIATE" if writes else "BEGIN", ())

    @event.listens_for(engine, "handle_error")
    def _on_error(context: ExceptionContext) -> None:
        # A connection that found its file read-only or unreadable stays so after the fault
        # is fixed; dropping it (and its pool) lets the next request reopen the file.
        if needs_new_connection(context.original_exception):
            context.is_disconnect = True


def create_db_engine(
    url: str,
    *,
    lock_timeout_s: float = DEFAULT_LOCK_TIMEOUT_S,
    sqlite_synchronous: Synchronous = "FULL",
) -> Engine:
    """A new engine (with its own pool) for a SQLite path or any SQLAlchemy URL."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        in_memory = not parsed.database or parsed.database == ":memory:"
        if not in_memory:
            Path(str(parsed.database)).parent.mkdir(parents=True, exist_ok=True)
        # isolation_level=None hands transaction control to the "begin" hook above. An
        # in-memory database lives in its connection: one for every thread (the group
        # writer's too), or each would see a database of its own (the CLI's offline runs).
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "isolation_level": None},
            **({"poolclass": StaticPool} if in_memory else {}),
        )
        _tune_sqlite(engine, lock_timeout_s, sqlite_synchronous)
        return engine
    # pre-ping replaces connections the server dropped; the connect timeout bounds the wait
    # for a server that does not answer at all (libpq counts whole seconds, at least 2).
    connect_args: dict[str, Any] = {"connect_timeout": max(2, math.ceil(lock_timeout_s))}
    if parsed.get_backend_name() == "postgresql":
        if parsed.drivername == "postgresql":
            url = str(parsed.set(drivername="postgresql+psycopg").render_as_string(False))
        connect_args["options"] = _postgres_options(parsed.query.get("options"), lock_timeout_s)
    return create_engine(url, pool_pre_ping=True, connect_args=connect_args)


def _postgres_options(given: str | tuple[str, ...] | None, lock_timeout_s: float) -> str:
    """libpq's `options` with the lock timeout added to any the URL sets (connect_args
    replace the URL's value, so theirs must be part of it)."""
    lock_timeout = f"-c lock_timeout={max(1, round(lock_timeout_s * 1000))}"
    given = " ".join(given) if isinstance(given, tuple) else given
    return f"{given} {lock_timeout}" if given else lock_timeout


@lru_cache(maxsize=64)
def get_engine(
    url: str,
    *,
    lock_timeout_s: float = DEFAULT_LOCK_TIMEOUT_S,
    sqlite_synchronous: Synchronous = "FULL",
) -> Engine:
    """One engine (and pool) per database URL per process, shared by v1, v2 and the gateway."""
    return create_db_engine(
        url, lock_timeout_s=lock_timeout_s, sqlite_synchronous=sqlite_synchronous
    )


def create_tables(engine: Engine) -> None:
    """Create missing tables; existing ones and their rows are left alone."""
    SQLModel.metadata.create_all(engine)


@contextmanager
def writing(session: Session) -> Iterator[Session]:
    """One write transaction on a request's session: committed on success, rolled back on
    any error, its outcome remembered for /readyz (core.store.faults.record_write).

    A read transaction still open on the session is ended first: on SQLite a write must
    begin as one (BEGIN IMMEDIATE), since upgrading a reader can fail at once under load.
    In a dry run (core.dry_run, shadow mode's mirrors) the transaction is rolled back
    instead of committed: the same statements run, and nothing stays.
    """
    session.commit()
    try:
        session.connection(execution_options={WRITE_OPTION: True})
        yield session
        if is_dry_run():
            session.rollback()
        else:
            session.commit()
    except BaseException as exc:
        session.rollback()
        record_write(session.get_bind().engine, exc)
        raise
    record_write(session.get_bind().engine, None)


@contextmanager
def write_scope(engine: Engine) -> Iterator[Session]:
    """A new session holding one write transaction, as `writing` runs it."""
    with Session(engine, expire_on_commit=False) as session, writing(session):
        yield session
