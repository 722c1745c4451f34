"""INSERTs run on the driver's own cursor, with SQLAlchemy's error translation kept.

Why: SQLAlchemy Core's execute() of a compiled INSERT spends more instructions in its
execution machinery (cache key, per-row parameter processing, result objects) than the
driver spends writing the rows (docs/benchmarks.md §13). The group writer runs a few
statements of one fixed shape per group, so each shape's SQL text, column order and bind
processors are worked out once per dialect and table (`compiled_insert`) and the rows go
straight to the DBAPI cursor (`execute`).

What stays SQLAlchemy's: the transaction (BEGIN IMMEDIATE on SQLite through the engine's
"begin" hook, the commit), the bind processors (SQLite's datetime text, booleans), and every
driver error, which `_translate` raises as SQLAlchemy raises it from its own execute():
the same DBAPIError class, the engine's "handle_error" hooks run (core.store.db drops a
connection that found its file read-only), a lost connection invalidated. So
core.store.faults maps lock timeouts, a full disk, a read-only or unreachable database to
503 exactly as before. Only SQLite and PostgreSQL (psycopg) are written this way.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from operator import itemgetter
from typing import Any, NoReturn

from sqlalchemy import Table
from sqlalchemy.engine import Connection, Dialect

Row = dict[str, Any]
MARKERS = {"qmark": "?", "format": "%s", "pyformat": "%s"}  # positional, by DBAPI paramstyle


@dataclass(frozen=True, slots=True)
class CompiledInsert:
    """One INSERT ... ON CONFLICT (id) DO NOTHING of `rows` rows of every column of a table,
    as the driver takes it: the SQL text and how a row dict becomes its parameters."""

    sql: str
    getter: Callable[[Row], tuple[Any, ...]]  # the row's values in column order
    processors: tuple[tuple[int, Callable[[Any], Any]], ...]  # (position, bind processor)

    def parameters(self, row: Row) -> Sequence[Any]:
        """The row's parameters (a KeyError if it lacks a column: rows are complete)."""
        values = self.getter(row)
        if not self.processors:
            return values
        processed = list(values)
        for position, process in self.processors:
            if processed[position] is not None:
                processed[position] = process(processed[position])
        return processed


@lru_cache(maxsize=512)
def compiled_insert(
    dialect: Dialect, table: Table, rows: int = 1, *, returning: bool = False
) -> CompiledInsert:
    """The INSERT of `rows` rows of `table` (RETURNING their id when `returning`: only the
    rows inserted, not those skipped), built once per dialect, table, size and form."""
    quote = dialect.identifier_preparer.quote
    marker = MARKERS[dialect.paramstyle]
    columns = list(table.columns)
    one = "(" + ", ".join([marker] * len(columns)) + ")"
    sql = (
        f"INSERT INTO {dialect.identifier_preparer.format_table(table)}"
        f" ({', '.join(quote(column.name) for column in columns)})"
        f" VALUES {', '.join([one] * rows)} ON CONFLICT ({quote('id')}) DO NOTHING"
    )
    if returning:
        sql += f" RETURNING {quote('id')}"
    names = [column.name for column in columns]
    getter = itemgetter(*names) if len(names) > 1 else lambda row: (row[names[0]],)
    processors = tuple(
        (position, process)
        for position, column in enumerate(columns)
        if (process := column.type.dialect_impl(dialect).bind_processor(dialect)) is not None
    )
    return CompiledInsert(sql, getter, processors)


def execute(
    connection: Connection, sql: str, parameters: Sequence[Any], *, many: bool = False
) -> list[Any]:
    """Run `sql` on the connection's DBAPI cursor, in its transaction: once with
    `parameters`, or (`many`) once per parameter sequence; the rows it returned."""
    cursor = connection.connection.cursor()
    try:
        if many:
            cursor.executemany(sql, parameters)
            found: list[Any] = []
        else:
            cursor.execute(sql, parameters)
            found = list(cursor.fetchall()) if cursor.description else []
    except Exception as exc:
        _translate(connection, exc, sql, parameters, cursor)
    cursor.close()
    return found


def _translate(
    connection: Connection, exc: Exception, sql: str, parameters: Any, cursor: Any
) -> NoReturn:
    """Raise `exc` as SQLAlchemy's execute() would have raised it for this statement.

    This is SQLAlchemy's own handler (Connection._handle_dbapi_exception, private, stable
    through 1.4-2.1): it wraps a driver error in its DBAPIError subclass, runs the engine's
    "handle_error" hooks, closes the cursor, and invalidates a connection that the error
    (or a hook) declared lost. SQLAlchemy has no public call for a statement it did not
    execute itself; tests/core/store/test_driver.py checks the faults through it.
    """
    connection._handle_dbapi_exception(exc, sql, parameters, cursor, None)  # noqa: SLF001
