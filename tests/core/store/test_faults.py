"""Storage faults told apart from bugs, and the write probe /readyz runs, on both databases."""

from __future__ import annotations

import sqlite3

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, OperationalError, ProgrammingError
from sqlmodel import Session, func, select

from core.store.faults import fault_kind, recent_fault, record_write, storage_fault
from core.store.health import check_writes
from core.store.models import StoreProbe


def _sqlite_error(sql: str, *setup: str) -> OperationalError:
    connection = sqlite3.connect(":memory:")
    for statement in setup:
        connection.execute(statement)
    try:
        connection.execute(sql)
    except sqlite3.OperationalError as exc:
        return OperationalError(sql, {}, exc)
    finally:
        connection.close()
    raise AssertionError("no error")


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        (
            _sqlite_error(
                "INSERT INTO t VALUES (1)", "CREATE TABLE t (a)", "PRAGMA query_only = 1"
            ),
            "read-only",
        ),
        (_sqlite_error("SELEC 1"), None),  # a bug: stays a 500
        (_sqlite_error("SELECT * FROM missing"), None),
        (
            OperationalError("SELECT 1", {}, psycopg.OperationalError("connection refused")),
            "unreachable",
        ),
        (OperationalError("INSERT", {}, psycopg.errors.DiskFull("no space left")), "full"),
        (OperationalError("UPDATE", {}, psycopg.errors.LockNotAvailable("lock")), "locked"),
        (ProgrammingError("SELEC", {}, psycopg.errors.SyntaxError("syntax")), None),
        (IntegrityError("INSERT", {}, psycopg.errors.UniqueViolation("dup")), None),
    ],
)
def test_fault_kind_by_cause(error: OperationalError, kind: str | None) -> None:
    assert fault_kind(error) == kind


def test_storage_fault_tells_no_driver_text() -> None:
    error = OperationalError(
        "INSERT INTO evaluation", {}, psycopg.OperationalError("host db.internal:5432 secret")
    )
    fault = storage_fault(error)
    assert fault is not None and fault.status == 503 and fault.headers == {"Retry-After": "5"}
    assert "db.internal" not in fault.message and "INSERT" not in fault.message


def test_check_writes_probes_and_leaves_no_row(db_engine: Engine) -> None:
    check_writes(db_engine)
    with Session(db_engine) as session:
        assert session.exec(select(func.count()).select_from(StoreProbe)).one() == 0


def test_check_writes_remembers_a_failed_write_until_one_succeeds(db_engine: Engine) -> None:
    full = OperationalError("INSERT", {}, psycopg.errors.DiskFull("no space left"))
    record_write(db_engine, full)
    assert recent_fault(db_engine) == "full"
    with pytest.raises(Exception, match="storage is full"):
        check_writes(db_engine)
    record_write(db_engine, None)
    check_writes(db_engine)


def test_check_writes_fails_on_a_read_only_database(db_engine: Engine) -> None:
    if db_engine.dialect.name == "sqlite":
        statement = "PRAGMA query_only = 1"
    else:
        statement = "SET SESSION default_transaction_read_only = on"
    with db_engine.connect() as connection:  # the pool hands this connection to the probe
        connection.execute(text(statement))
        connection.commit()
    with pytest.raises(Exception, match="storage is read-only"):
        check_writes(db_engine)
