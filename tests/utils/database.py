"""Fresh databases for persistence tests: a SQLite file, or a throwaway PostgreSQL schema.

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

from core.store.db import create_db_engine, create_tables

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
    schema = f"t_{secrets.token_hex(6)}"
    with admin.connect() as connection:
        connection.execute(sqlalchemy.text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
    finally:
        with admin.connect() as connection:
            connection.execute(sqlalchemy.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@contextmanager
def database_urls(kind: str, tmp_path: Path) -> Iterator[Engine]:
    """An engine on a fresh database of the given kind, tables created."""
    if kind == "sqlite":
        engine = create_db_engine(f"sqlite:///{tmp_path / 'persist.db'}")
        create_tables(engine)
        yield engine
        engine.dispose()
        return
    with postgres_schema_url() as url:
        engine = create_db_engine(url)
        create_tables(engine)
        yield engine
        engine.dispose()
