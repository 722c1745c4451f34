"""Writing evaluation outcomes: checksums, scores and codes, never the text.

A request collects its rows as plain dicts (RecordRows) and `store` hands them to the
engine's group writer (core.store.writer), which commits them with the rows of concurrent
requests in one transaction and returns once they are durable. The rows are written with
INSERTs compiled once and run on the driver's cursor (core.store.driver), one statement per
table for the whole group: no ORM objects, no unit of work and no per-statement SQLAlchemy
execution, whose Python code cost more than the driver calls it made (issue 16;
bench/write_path.py, docs/benchmarks.md §13).

Every INSERT skips rows whose id is already stored (ON CONFLICT DO NOTHING), and the rows
that hang off an evaluation are written only with it: a request executed twice whose ids
are derived from it (core.idempotency) stores one set of rows, the first execution's, also
when both executions land in one group. The children's ids derive from their evaluation's,
so they are as unique as it is.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Table
from sqlalchemy.engine import Connection
from sqlmodel import Session, SQLModel

from core.checksums import text_checksum
from core.contract.evaluations import EvaluationPublic
from core.idempotency import derived_id
from core.store.driver import compiled_insert, execute
from core.store.models import (
    Evaluation,
    EvaluationDetail,
    RewriteRecord,
    SuggestionRecord,
    new_id,
    utcnow,
)
from core.store.writer import GroupWriter, writer_for

Row = dict[str, Any]
# parents before the rows that refer to them
TABLE_ORDER = {table: order for order, table in enumerate(SQLModel.metadata.sorted_tables)}
RETURNING_ROWS = 256  # evaluation rows per INSERT ... RETURNING (11 parameters each)


def table_of(model: type[SQLModel]) -> Table:
    table = model.__table__  # type: ignore[attr-defined]  # set on every table=True model
    assert isinstance(table, Table)
    return table


EVALUATION, DETAIL = table_of(Evaluation), table_of(EvaluationDetail)
SUGGESTION, REWRITE = table_of(SuggestionRecord), table_of(RewriteRecord)


class RecordRows:
    """The checksum-only rows of one request, written in one transaction: all or none."""

    def __init__(self) -> None:
        self.evaluations: list[Row] = []
        self.children: list[tuple[Table, Row]] = []  # written only with their evaluation
        self.others: list[tuple[Table, Row]] = []  # written in any case (unless stored)

    @property
    def size(self) -> int:
        return len(self.evaluations) + len(self.children) + len(self.others)

    def add(
        self,
        result: EvaluationPublic,
        *,
        text_sha256: str,
        variant: str,
        rewritten: str | None = None,
    ) -> None:
        """Add one evaluation, its per-criterion details, suggestions and the rewrite made."""
        now, parent = utcnow(), result.evaluation_id
        self.evaluations.append(
            {
                "id": parent,
                "checksum": text_sha256,
                "language": result.language,
                "score": result.score,
                "verdict": result.verdict,
                "engine": result.engine,
                "model": result.model,
                "variant": variant,
                "latency_ms": result.latency_ms,
                "fallback_reason": result.fallback_reason,
                "created_at": now,
            }
        )
        self.children += [
            (
                DETAIL,
                {
                    "id": derived_id((parent, "detail", detail.criterion)),
                    "evaluation_id": parent,
                    "criterion": detail.criterion,
                    "score": detail.score,
                    "passed": detail.passed,
                    "finding_codes": ",".join(dict.fromkeys(f.code for f in detail.findings)),
                },
            )
            for detail in result.details
        ]
        self.children += [
            (
                SUGGESTION,
                {
                    "id": derived_id((parent, "suggestion", str(position))),
                    "evaluation_id": parent,
                    "checksum": text_checksum(suggestion.text),
                    "priority": suggestion.priority,
                    "created_at": now,
                },
            )
            for position, suggestion in enumerate(result.suggestions)
        ]
        if rewritten is not None:
            row = rewrite_row(
                parent,
                text_sha256,
                text_checksum(rewritten),
                "engine",
                derived_id((parent, "rewrite")),
            )
            self.children.append((REWRITE, row))

    def extend(self, model: type[SQLModel], rows: Iterable[Row]) -> None:
        """Add rows of another table (decisions, corrections), each a complete row."""
        table = table_of(model)
        self.others += [(table, row) for row in rows]


def rewrite_row(
    evaluation_id: str | None,
    original_sha256: str,
    rewritten_sha256: str,
    source: str,
    row_id: str | None = None,
) -> Row:
    """A rewrite_record row (source engine, apply or manual): checksums of both texts only."""
    return {
        "id": row_id or new_id(),
        "evaluation_id": evaluation_id,
        "original_checksum": original_sha256,
        "rewritten_checksum": rewritten_sha256,
        "source": source,
        "created_at": utcnow(),
    }


def write_rows(connection: Connection, units: Sequence[RecordRows]) -> None:
    """INSERT the rows of every unit not stored yet, one statement per table (the caller's
    transaction commits them). An evaluation id claimed by two units (one request executed
    twice) gets the children of the first only."""
    parents = [row for unit in units for row in unit.evaluations]
    inserted = _insert_returning_ids(connection, parents) if parents else set()
    owners: dict[str, RecordRows] = {}
    for unit in units:
        for row in unit.evaluations:
            owners.setdefault(row["id"], unit)
    by_table: dict[Table, list[Row]] = {}
    for unit in units:
        for table, row in unit.children:
            parent = row["evaluation_id"]
            if parent in inserted and owners[parent] is unit:
                by_table.setdefault(table, []).append(row)
        for table, row in unit.others:
            by_table.setdefault(table, []).append(row)
    for table in sorted(by_table, key=TABLE_ORDER.__getitem__):
        statement = compiled_insert(connection.dialect, table)
        parameters = [statement.parameters(row) for row in by_table[table]]
        execute(connection, statement.sql, parameters, many=True)


def _insert_returning_ids(connection: Connection, rows: list[Row]) -> set[str]:
    """INSERT evaluation rows, RETURNING the ids of those not stored before: one statement
    of many VALUES per RETURNING_ROWS rows (a driver's executemany returns no rows)."""
    inserted: set[str] = set()
    for start in range(0, len(rows), RETURNING_ROWS):
        chunk = rows[start : start + RETURNING_ROWS]
        statement = compiled_insert(connection.dialect, EVALUATION, len(chunk), returning=True)
        parameters = [value for row in chunk for value in statement.parameters(row)]
        inserted.update(found[0] for found in execute(connection, statement.sql, parameters))
    return inserted


def store(session: Session, rows: RecordRows) -> None:
    """Write `rows` durably through the engine's group writer (in a dry run: write them and
    roll back); returns once they are committed, raises what failed them.

    The session's read transaction, if one is open, is ended first, so it holds no
    connection (nor, on SQLite, an old snapshot) while the request waits for its group. A
    session with none is left alone: committing it would begin and end an empty session
    transaction, whose events and bookkeeping are work for nothing on every request.
    """
    if session.in_transaction():
        session.commit()
    if rows.size:
        _writer(session).write(rows, rows.size)


@contextmanager
def write_coming(session: Session) -> Iterator[None]:
    """Run the block as a request that will store rows through `session`'s database soon:
    a group forming meanwhile waits for them (core.store.writer, "When a group closes")."""
    with _writer(session).announced():
        yield


def _writer(session: Session) -> GroupWriter[RecordRows]:
    """The group writer of the session's database (.engine: a session may be bound to a
    Connection)."""
    return writer_for(session.get_bind().engine, write_rows)


def save_evaluation(
    session: Session, *, result: EvaluationPublic, text_sha256: str, variant: str
) -> None:
    """Store the evaluation, its per-criterion details and its suggestions (durable on return)."""
    save_evaluations(session, [(result, text_sha256)], variant=variant)


def save_evaluations(
    session: Session, items: Sequence[tuple[EvaluationPublic, str]], *, variant: str
) -> None:
    """Store a batch of (result, text checksum) pairs in one transaction (durable on return)."""
    rows = RecordRows()
    for result, text_sha256 in items:
        rows.add(result, text_sha256=text_sha256, variant=variant)
    store(session, rows)
