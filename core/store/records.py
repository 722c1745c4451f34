"""Writing evaluation outcomes: checksums, scores and codes, never the text.

Rows are written with bulk INSERTs rather than ORM objects: a batch of 400 evaluations is
about 4,000 rows, and building SQLModel instances for them cost more CPU than the engine
calls they record (bench/batch_parallel.py).

Every INSERT skips rows whose id is already stored (ON CONFLICT DO NOTHING), and the rows
that hang off an evaluation are written only with it: a request executed twice whose ids
are derived from it (core.idempotency) stores one set of rows, the first execution's.
The children's ids derive from their evaluation's, so they are as unique as it is.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.dml import Insert
from sqlmodel import Session, SQLModel, col

from core.checksums import text_checksum
from core.contract.evaluations import EvaluationPublic
from core.idempotency import derived_id
from core.store.models import (
    Evaluation,
    EvaluationDetail,
    RewriteRecord,
    SuggestionRecord,
    utcnow,
)

Row = dict[str, Any]


def insert_new(session: Session, model: type[SQLModel]) -> Insert:
    """INSERT that skips rows whose primary key exists (PostgreSQL, else SQLite's dialect)."""
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(model).on_conflict_do_nothing(index_elements=["id"])
    return sqlite.insert(model).on_conflict_do_nothing(index_elements=["id"])


class RecordRows:
    """The checksum-only rows of many evaluations, collected for one transaction."""

    def __init__(self) -> None:
        self.evaluations: list[Row] = []
        self.children: list[tuple[type[SQLModel], Row]] = []

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
                EvaluationDetail,
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
                SuggestionRecord,
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
            row = {
                "id": derived_id((parent, "rewrite")),
                "evaluation_id": parent,
                "original_checksum": text_sha256,
                "rewritten_checksum": text_checksum(rewritten),
                "source": "engine",
                "created_at": now,
            }
            self.children.append((RewriteRecord, row))

    def write(self, session: Session) -> None:
        """INSERT the rows not stored yet (the caller commits)."""
        if not self.evaluations:
            return
        returning = insert_new(session, Evaluation).returning(col(Evaluation.id))
        inserted = set(session.scalars(returning, self.evaluations))
        by_model: dict[type[SQLModel], list[Row]] = {}
        for model, row in self.children:
            if row["evaluation_id"] in inserted:
                by_model.setdefault(model, []).append(row)
        for model, rows in by_model.items():
            session.execute(insert_new(session, model), rows)


def save_evaluation(
    session: Session, *, result: EvaluationPublic, text_sha256: str, variant: str
) -> None:
    """Write the evaluation, its per-criterion details and its suggestions (caller commits)."""
    save_evaluations(session, [(result, text_sha256)], variant=variant)


def save_evaluations(
    session: Session, items: Sequence[tuple[EvaluationPublic, str]], *, variant: str
) -> None:
    """Write a batch of (result, text checksum) pairs; the caller commits them as one
    transaction."""
    rows = RecordRows()
    for result, text_sha256 in items:
        rows.add(result, text_sha256=text_sha256, variant=variant)
    rows.write(session)
