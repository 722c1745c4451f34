"""INSERTs on the driver's cursor (core.store.driver), on SQLite and PostgreSQL: the rows
stored are those SQLAlchemy's own INSERT stores, and a driver error comes out as SQLAlchemy's
execute() raises it, so that core.store.faults maps it as before."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import Table, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError, IntegrityError

from core.store.criteria import sync_criteria
from core.store.db import WRITE_OPTION
from core.store.driver import compiled_insert, execute
from core.store.faults import fault_kind, storage_fault
from core.store.models import Evaluation, EvaluationDetail, SuggestionDecision, new_id
from core.store.records import table_of
from tests.utils.database import empty_postgres

MOMENT = datetime(2026, 12, 1, 23, 0, 0, 0, tzinfo=UTC)  # no microseconds: its text is exact


def _rows(table: Table) -> list[dict[str, Any]]:
    """Two rows of `table`: every column set, one optional one empty."""
    evaluation = {
        "checksum": "a" * 64,
        "language": "de",
        "score": 0.125,
        "verdict": "pass",
        "engine": "heuristic",
        "model": "heuristic-v1",
        "variant": "v2",
        "latency_ms": 3,
        "fallback_reason": None,
        "created_at": MOMENT,
    }
    detail = {
        "evaluation_id": "parent",
        "criterion": "clarity",
        "score": 0.5,
        "passed": True,
        "finding_codes": "a,b",
    }
    decision = {
        "evaluation_id": None,
        "requirement_checksum": "c" * 64,
        "suggestion_checksum": None,
        "suggestion_id": "s-1",
        "finding_code": None,
        "criterion": "clarity",
        "decision": "accepted",
        "variant": "v1",
        "created_at": MOMENT.replace(microsecond=123),
    }
    values = {Evaluation: evaluation, EvaluationDetail: detail, SuggestionDecision: decision}
    row = next(v for model, v in values.items() if table_of(model) is table)
    other = {"passed": False} if "passed" in row else {}
    return [{**row, "id": new_id()}, {**row, "id": new_id(), "score": 0.25, **other}]


def _stored(connection: Connection, table: Table) -> list[tuple[Any, ...]]:
    """The rows but the parent, as the database holds them (read back with no type
    processing), without their ids, in the order written (the ids are random)."""
    names = ", ".join(column.name for column in table.columns if column.name != "id")
    sql = f"SELECT {names} FROM {table.name} WHERE id <> 'parent' ORDER BY {names}"
    return [tuple(row) for row in connection.exec_driver_sql(sql)]


@pytest.fixture
def connection(db_engine: Engine) -> Any:
    sync_criteria(db_engine)
    with db_engine.connect() as connection:
        connection.execution_options(**{WRITE_OPTION: True})
        with connection.begin():
            parent = {**_rows(table_of(Evaluation))[0], "id": "parent"}
            connection.execute(table_of(Evaluation).insert(), [parent])
        yield connection


@pytest.mark.parametrize("model", [Evaluation, EvaluationDetail, SuggestionDecision])
def test_compiled_insert_stores_what_sqlalchemy_stores(connection: Connection, model: type) -> None:
    table = table_of(model)
    ours, theirs = _rows(table), _rows(table)
    with connection.begin():
        connection.exec_driver_sql(f"DELETE FROM {table.name} WHERE id <> 'parent'")
        connection.execute(table.insert(), theirs)
        expected = _stored(connection, table)
        connection.exec_driver_sql(f"DELETE FROM {table.name} WHERE id <> 'parent'")
        statement = compiled_insert(connection.dialect, table)
        parameters = [statement.parameters(row) for row in ours]
        execute(connection, statement.sql, parameters, many=True)
        assert _stored(connection, table) == expected and len(expected) == 2


def test_returning_gives_only_the_ids_inserted(connection: Connection) -> None:
    table = table_of(Evaluation)
    first, second = _rows(table)
    statement = compiled_insert(connection.dialect, table, 2, returning=True)
    parameters = [value for row in (first, second) for value in statement.parameters(row)]
    with connection.begin():
        found = execute(connection, statement.sql, parameters)
        assert sorted(row[0] for row in found) == sorted([first["id"], second["id"]])
        third = {**_rows(table)[0], "id": new_id()}
        again = [value for row in (first, third) for value in statement.parameters(row)]
        assert [row[0] for row in execute(connection, statement.sql, again)] == [third["id"]]


def test_constraint_error_is_sqlalchemys_and_no_fault(connection: Connection) -> None:
    table = table_of(EvaluationDetail)
    orphan = {**_rows(table)[0], "evaluation_id": "missing"}
    statement = compiled_insert(connection.dialect, table)
    with pytest.raises(IntegrityError) as caught, connection.begin():
        execute(connection, statement.sql, [statement.parameters(orphan)], many=True)
    assert fault_kind(caught.value) is None and not connection.invalidated
    assert connection.exec_driver_sql("SELECT 1").scalar() == 1  # still usable


def test_read_only_database_is_a_fault_and_drops_the_connection(connection: Connection) -> None:
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("PRAGMA query_only = 1")
    else:
        connection.exec_driver_sql("SET SESSION default_transaction_read_only = on")
    connection.commit()
    table = table_of(Evaluation)
    statement = compiled_insert(connection.dialect, table)
    with pytest.raises(DBAPIError) as caught, connection.begin():
        execute(connection, statement.sql, [statement.parameters(_rows(table)[0])], many=True)
    assert fault_kind(caught.value) == "read-only"
    fault = storage_fault(caught.value)
    assert fault is not None and fault.message.startswith("storage is read-only")
    if connection.dialect.name == "sqlite":  # the engine's handle_error hook: reopen the file
        assert connection.invalidated


def test_lock_timeout_is_a_fault(db_engine: Engine, connection: Connection) -> None:
    table = table_of(Evaluation)
    statement = compiled_insert(connection.dialect, table)
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("PRAGMA busy_timeout = 20")
        connection.execution_options(**{WRITE_OPTION: False})  # BEGIN: the lock at INSERT
        lock = "DELETE FROM evaluation WHERE id = 'none'"  # takes the write lock
    else:
        connection.exec_driver_sql("SET SESSION lock_timeout = '20ms'")
        lock = "LOCK TABLE evaluation IN ACCESS EXCLUSIVE MODE"
    connection.commit()
    with db_engine.connect() as holder, holder.begin():
        holder.exec_driver_sql(lock)
        with pytest.raises(DBAPIError) as caught, connection.begin():
            row = statement.parameters(_rows(table)[0])
            execute(connection, statement.sql, [row], many=True)
    assert fault_kind(caught.value) == "locked"


@pytest.fixture
def pg_engine(postgres_tables: str) -> Any:
    engine = empty_postgres(postgres_tables)
    yield engine
    engine.dispose()


def test_lost_server_connection_is_unreachable_and_invalidated(pg_engine: Engine) -> None:
    table = table_of(Evaluation)
    statement = compiled_insert(pg_engine.dialect, table)
    with pg_engine.connect() as connection:
        pid = connection.exec_driver_sql("SELECT pg_backend_pid()").scalar()
        connection.rollback()
        with pg_engine.connect() as other:
            other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        with pytest.raises(DBAPIError) as caught, connection.begin():
            execute(connection, statement.sql, [statement.parameters(_rows(table)[0])], many=True)
        assert fault_kind(caught.value) == "unreachable" and connection.invalidated
