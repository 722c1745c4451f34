"""Fresh databases for persistence tests: a SQLite file, or an emptied PostgreSQL schema.

Under CI=true a missing PostgreSQL server fails the test instead of skipping it, so a
green CI run always means both databases were exercised.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

from core.store.db import create_db_engine, create_tables
from dev.postgres import new_schema

POSTGRES_URL = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def _postgres_admin_engine() -> Engine:
    engine = sqlalchemy.create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(sqlalchemy.text("SELECT 1"))
    except sqlalchemy.exc.OperationalError as exc:
        engine.dispose()
        message = f"PostgreSQL is not reachable at {POSTGRES_URL}: {exc.orig}"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    return engine


@contextmanager
def postgres_schema_url() -> Iterator[str]:
    """A URL whose search_path is a new schema, dropped afterwards."""
    admin = _postgres_admin_engine()
    try:
        with new_schema(admin, POSTGRES_URL) as url:
            yield url
    finally:
        admin.dispose()


@contextmanager
def postgres_tables_url() -> Iterator[str]:
    """A new schema with every table created, for a whole test session (see empty_postgres)."""
    with postgres_schema_url() as url:
        engine = create_db_engine(url)
        create_tables(engine)
        engine.dispose()
        yield url


def empty_postgres(tables_url: str) -> Engine:
    """An engine on the session's schema, every table emptied, on a URL no test used before.

    What a test can see is the same as on a new schema with new tables (which cost 0.15-0.3 s
    a test in DDL): no row is left, every sequence starts at 1 again, and the unique
    application_name makes the URL new, so the process's per-URL caches (engines, criteria
    snapshots, recorded faults) start empty too. DELETE, not TRUNCATE: on tables this small
    it takes ~15 ms where TRUNCATE's new files take 40-180 ms. A test that left a transaction
    open fails here on the lock timeout rather than hanging the next one.
    """
    engine = create_db_engine(f"{tables_url}&application_name=t_{secrets.token_hex(6)}")
    with engine.begin() as connection:
        connection.execute(sqlalchemy.text("SET LOCAL lock_timeout = '10s'"))
        connection.execute(sqlalchemy.text("SET LOCAL synchronous_commit = off"))  # test data
        for table in reversed(SQLModel.metadata.sorted_tables):  # children before parents
            connection.execute(table.delete())
        sequences = connection.execute(
            sqlalchemy.text(
                "SELECT sequencename FROM pg_sequences WHERE schemaname = current_schema()"
            )
        ).scalars()
        for sequence in sequences:
            connection.execute(
                sqlalchemy.text("SELECT setval(:s, 1, false)"), {"s": f'"{sequence}"'}
            )
    return engine


@contextmanager
def sqlite_database(tmp_path: Path) -> Iterator[Engine]:
    """An engine on a new SQLite file, tables created."""
    engine = create_db_engine(f"sqlite:///{tmp_path / 'persist.db'}")
    create_tables(engine)
    yield engine
    engine.dispose()
