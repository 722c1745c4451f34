"""Writing evaluation outcomes: checksums, scores and codes, never the text.

Rows are written with bulk INSERTs rather than ORM objects: a batch of 400 evaluations is
about 4,000 rows, and building SQLModel instances for them cost more CPU than the engine
calls they record (bench/batch_parallel.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import insert
from sqlmodel import Session

from core.checksums import text_checksum
from core.contract.evaluations import EvaluationPublic
from core.store.models import Evaluation, EvaluationDetail, SuggestionRecord, new_id, utcnow

Rows = dict[str, list[dict[str, Any]]]


def _add_rows(rows: Rows, result: EvaluationPublic, text_sha256: str, variant: str) -> None:
    now = utcnow()
    rows["evaluation"].append(
        {
            "id": result.evaluation_id,
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
    rows["detail"] += [
        {
            "id": new_id(),
            "evaluation_id": result.evaluation_id,
            "criterion": detail.criterion,
            "score": detail.score,
            "passed": detail.passed,
            "finding_codes": ",".join(dict.fromkeys(f.code for f in detail.findings)),
        }
        for detail in result.details
    ]
    rows["suggestion"] += [
        {
            "id": new_id(),
            "evaluation_id": result.evaluation_id,
            "checksum": text_checksum(suggestion.text),
            "priority": suggestion.priority,
            "created_at": now,
        }
        for suggestion in result.suggestions
    ]


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
    rows: Rows = {"evaluation": [], "detail": [], "suggestion": []}
    for result, text_sha256 in items:
        _add_rows(rows, result, text_sha256, variant)
    for model, key in (
        (Evaluation, "evaluation"),
        (EvaluationDetail, "detail"),
        (SuggestionRecord, "suggestion"),
    ):
        if rows[key]:
            session.execute(insert(model), rows[key])
