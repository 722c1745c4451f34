"""A throw-away PostgreSQL schema, for tests and benches that must not touch real tables."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy
from sqlalchemy.engine import Engine


@contextmanager
def new_schema(admin: Engine, url: str, prefix: str = "t") -> Iterator[str]:
    """`url` with its search_path on a new schema, created through the AUTOCOMMIT engine
    `admin` and dropped (with everything in it) afterwards."""
    schema = f"{prefix}_{secrets.token_hex(6)}"
    with admin.connect() as connection:
        connection.execute(sqlalchemy.text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{url}?options=-csearch_path%3D{schema}"
    finally:
        with admin.connect() as connection:
            connection.execute(sqlalchemy.text(f'DROP SCHEMA "{schema}" CASCADE'))
