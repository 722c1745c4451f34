"""GET /api/v1/reports/export: the report's evaluations as CSV, one row per evaluation.

A row holds what the database keeps of an evaluation (id, time, variant, engine, model,
language, score, verdict, latency, fallback reason), its finding codes, and one column per
criterion with that criterion's score: no text, no checksum. The database groups each
evaluation's details into its row (conditional aggregates), and the rows are streamed from
a server-side cursor in pages of ROWS_PER_FETCH, so memory stays flat for any range.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Generator, Iterable, Sequence
from typing import Any

from sqlalchemy import Select, case, func, select
from sqlalchemy.engine import Engine
from sqlmodel import col

from core.catalogue import catalogue_keys
from core.contract.reports import ReportQuery
from core.reports import evaluation_filter
from core.store.models import Evaluation, EvaluationDetail, as_utc

COLUMNS = (
    "evaluationId",
    "createdAt",
    "variant",
    "engine",
    "model",
    "language",
    "score",
    "verdict",
    "latencyMs",
    "fallbackReason",
    "findingCodes",
)
ROWS_PER_FETCH = 500
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # a spreadsheet would run such a cell


def export_filename(query: ReportQuery) -> str:
    return f"reqgate-report-{query.start:%Y%m%dT%H%M%SZ}-{query.end:%Y%m%dT%H%M%SZ}.csv"


def export_csv(*, engine: Engine, query: ReportQuery) -> Generator[bytes]:
    """The CSV body. Its queries have run when this returns, so a storage fault is raised
    here (a 503) and never cuts a body short; close() the generator to release the
    connection early."""
    chunks = _chunks(engine, query)
    next(chunks)  # runs up to the first (empty) chunk: the queries, not a byte sent yet
    return chunks


def _chunks(engine: Engine, query: ReportQuery) -> Generator[bytes]:
    with engine.connect() as connection:  # one read transaction: both queries agree
        criteria = _criteria(connection.execute(_criteria_statement(query)).scalars())
        result = connection.execution_options(
            stream_results=True, yield_per=ROWS_PER_FETCH
        ).execute(_rows_statement(query, criteria))
        yield b""
        yield _csv([[*COLUMNS, *criteria]])
        for rows in result.partitions():
            yield _csv(_cells(row) for row in rows)


def _criteria_statement(query: ReportQuery) -> Select[Any]:
    criterion = col(EvaluationDetail.criterion)
    return (
        select(criterion)
        .join(Evaluation, col(EvaluationDetail.evaluation_id) == col(Evaluation.id))
        .where(*evaluation_filter(query))
        .distinct()
    )


def _criteria(found: Iterable[str]) -> list[str]:
    """The criteria of the range, catalogue order first."""
    order = {key: position for position, key in enumerate(catalogue_keys())}
    return sorted(found, key=lambda key: (order.get(key, len(order)), key))


def _rows_statement(query: ReportQuery, criteria: Sequence[str]) -> Select[*tuple[Any, ...]]:
    detail = EvaluationDetail
    scores = [
        func.max(case((col(detail.criterion) == key, col(detail.score)), else_=None))
        for key in criteria
    ]
    codes = func.aggregate_strings(func.nullif(col(detail.finding_codes), ""), ",")
    return (
        select(
            col(Evaluation.id),
            col(Evaluation.created_at),
            col(Evaluation.variant),
            col(Evaluation.engine),
            col(Evaluation.model),
            col(Evaluation.language),
            col(Evaluation.score),
            col(Evaluation.verdict),
            col(Evaluation.latency_ms),
            col(Evaluation.fallback_reason),
            codes,
            *scores,
        )
        .outerjoin(detail, col(detail.evaluation_id) == col(Evaluation.id))
        .where(*evaluation_filter(query))
        .group_by(col(Evaluation.id))
        .order_by(col(Evaluation.created_at), col(Evaluation.id))
    )


def _cells(row: Sequence[Any]) -> list[object]:
    created, codes = as_utc(row[1]).isoformat(), row[10]
    unique_codes = " ".join(dict.fromkeys(codes.split(","))) if codes else ""
    return [row[0], created, *row[2:10], unique_codes, *row[11:]]


def _safe(cell: object) -> object:
    if isinstance(cell, str) and cell.startswith(FORMULA_STARTS):
        return "'" + cell
    return cell


def _csv(rows: Iterable[Sequence[object]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerows([_safe(cell) for cell in row] for row in rows)
    return buffer.getvalue().encode("utf-8")
