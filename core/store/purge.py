"""Deleting old records (DESIGN §5): at start-up, every PURGE_INTERVAL_MIN, and on demand;
in every gateway worker, one purge at a time.

With VECTOR_RETENTION_H set, the same runs delete ingested chunks older than it from the
knowledge base (they hold document text, by design; unset keeps them).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Delete, delete, func, select, text
from sqlalchemy.engine import CursorResult, Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session
from sqlmodel import col

from core.exceptions import ApiError
from core.store.db import write_scope
from core.store.models import (
    Evaluation,
    EvaluationDetail,
    RewriteRecord,
    SuggestionDecision,
    SuggestionRecord,
    utcnow,
)
from core.vectors import VectorStore

log = logging.getLogger("reqgate.purge")
PURGE_LOCK = 0x70757267  # the PostgreSQL advisory lock of purges ("purg"), in every process


@dataclass(frozen=True, slots=True)
class VectorRetention:
    """Which knowledge base to purge, keeping chunks younger than `hours`."""

    store: VectorStore
    hours: int


@dataclass(frozen=True, slots=True)
class PurgeReport:
    cutoff: datetime
    evaluations: int
    rewrites: int
    decisions: int


def count_older_than(engine: Engine, *, hours: int, now: datetime | None = None) -> PurgeReport:
    """What purge_older_than would delete now, deleting nothing (for a confirmation)."""
    cutoff = (now or utcnow()) - timedelta(hours=hours)
    with write_scope(engine) as session:
        evaluations = session.execute(
            select(func.count()).select_from(Evaluation).where(col(Evaluation.created_at) < cutoff)
        ).scalar_one()
        rewrites = session.execute(
            select(func.count())
            .select_from(RewriteRecord)
            .where(col(RewriteRecord.created_at) < cutoff)
        ).scalar_one()
        decisions = session.execute(
            select(func.count())
            .select_from(SuggestionDecision)
            .where(col(SuggestionDecision.created_at) < cutoff)
        ).scalar_one()
    return PurgeReport(
        cutoff=cutoff,
        evaluations=int(evaluations),
        rewrites=int(rewrites),
        decisions=int(decisions),
    )


def purge_older_than(engine: Engine, *, hours: int, now: datetime | None = None) -> PurgeReport:
    """Delete evaluations (with their details and suggestions), rewrites and decisions older
    than `hours`.

    Children are deleted explicitly rather than left to ON DELETE CASCADE, so the purge is
    complete even on a SQLite connection opened without foreign keys.
    """
    cutoff = (now or utcnow()) - timedelta(hours=hours)
    old_ids = select(col(Evaluation.id)).where(col(Evaluation.created_at) < cutoff)
    with write_scope(engine) as session:
        _one_purge_at_a_time(session)
        _delete(
            session,
            delete(EvaluationDetail).where(col(EvaluationDetail.evaluation_id).in_(old_ids)),
        )
        _delete(
            session,
            delete(SuggestionRecord).where(col(SuggestionRecord.evaluation_id).in_(old_ids)),
        )
        rewrites = _delete(
            session, delete(RewriteRecord).where(col(RewriteRecord.created_at) < cutoff)
        )
        # a decision on an old evaluation goes with it, however recent the decision is
        decided = col(SuggestionDecision.created_at) < cutoff
        decisions = _delete(
            session,
            delete(SuggestionDecision).where(
                decided | col(SuggestionDecision.evaluation_id).in_(old_ids)
            ),
        )
        evaluations = _delete(
            session, delete(Evaluation).where(col(Evaluation.created_at) < cutoff)
        )
    return PurgeReport(
        cutoff=cutoff, evaluations=evaluations, rewrites=rewrites, decisions=decisions
    )


def _one_purge_at_a_time(session: Session) -> None:
    """Every worker and replica purges, at start-up and on the same schedule. On PostgreSQL
    two purges deleting the same rows at once can deadlock (scans that meet the rows in
    another order) and would do the same work twice, so a purge first takes an advisory lock
    held to its commit: the next waits, then finds only what came of age meanwhile. SQLite
    needs none: BEGIN IMMEDIATE lets one writer in at a time."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": PURGE_LOCK})


def _delete(session: Session, statement: Delete) -> int:
    """Run one DELETE; the number of rows it removed."""
    # a DELETE always yields a CursorResult (which has rowcount), but Session.execute is
    # typed for every statement kind and only promises the Result base class
    result = cast("CursorResult[Any]", session.execute(statement))
    return result.rowcount


async def purge_logged(
    engine: Engine, *, hours: int, vectors: VectorRetention | None = None
) -> None:
    """One purge off the event loop; a failure is logged, never raised: the server stays up
    and the next run deletes whatever this one left."""
    try:
        report = await asyncio.to_thread(purge_older_than, engine, hours=hours)
    except SQLAlchemyError:
        log.exception("purge failed; retrying at the next interval")
    else:
        extra = {
            "evaluations": report.evaluations,
            "rewrites": report.rewrites,
            "decisions": report.decisions,
        }
        log.info("purge done", extra=extra)
    if vectors is not None:
        await _purge_vectors(vectors)


async def _purge_vectors(vectors: VectorRetention) -> None:
    try:
        await asyncio.to_thread(vectors.store.delete_older_than, vectors.hours, now=utcnow())
    except ApiError as exc:  # Unavailable: the store is down; Conflict: not ours to touch
        log.warning("vector purge failed; retrying at the next interval: %s", exc.message)
        return
    log.info("vector purge done", extra={"olderThanHours": vectors.hours})


async def purge_periodically(
    engine: Engine, *, hours: int, interval_min: int, vectors: VectorRetention | None = None
) -> None:
    """Purge every `interval_min` minutes until cancelled (the server's lifespan)."""
    while True:
        await asyncio.sleep(interval_min * 60)
        await purge_logged(engine, hours=hours, vectors=vectors)
