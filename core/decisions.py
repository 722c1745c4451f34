"""Recording that a person accepted or rejected a suggestion (checksums and codes only).

The reports (core.reports) count these per finding code and variant. A decision is written
with an id derived from the request (core.idempotency) and ON CONFLICT DO NOTHING, so a
request executed twice (a retry with the same X-Request-Id, v1 serving after v2 timed out,
a shadow mirror) stores one row per decision, and the answer names the stored rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from core.contract.decisions import (
    DecisionBatchCreate,
    DecisionCreate,
    DecisionSavedPublic,
    DecisionsSavedPublic,
)
from core.evaluation import active_criteria
from core.exceptions import NotFound
from core.idempotency import RequestRowIds, request_row_ids
from core.store.models import Evaluation, SuggestionDecision, new_id, utcnow
from core.store.records import RecordRows, store


def save_decision(
    *, session: Session, request: DecisionCreate, variant: str
) -> DecisionSavedPublic:
    """Record one decision; `variant` served the request (the default variant of the row)."""
    return _save(session, [request], route="corrections/decision", variant=variant)[0]


def save_decisions(
    *, session: Session, request: DecisionBatchCreate, variant: str
) -> DecisionsSavedPublic:
    """Record every decision of a batch in one transaction: all of them, or none."""
    items = _save(session, request.items, route="corrections/decision/batch", variant=variant)
    return DecisionsSavedPublic(items=items, count=len(items))


def _save(
    session: Session, items: Sequence[DecisionCreate], *, route: str, variant: str
) -> list[DecisionSavedPublic]:
    criteria = sorted({item.criterion for item in items if item.criterion})
    if criteria:
        active_criteria(session, criteria)  # 400 naming every unknown key
    linked = _linked_variants(session, {item.evaluation_id for item in items} - {None})
    scope, now = request_row_ids(route), utcnow()
    rows = [
        _row(item, _row_id(scope, index, item), linked, variant, now)
        for index, item in enumerate(items)
    ]
    records = RecordRows()
    records.extend(SuggestionDecision, rows)
    store(session, records)
    return [DecisionSavedPublic(decision_id=row["id"]) for row in rows]


def _linked_variants(session: Session, ids: set[str | None]) -> dict[str, str]:
    """The variant of each linked evaluation; NotFound names the ids that are not stored."""
    if not ids:
        return {}
    found = dict(
        session.exec(
            select(Evaluation.id, Evaluation.variant).where(col(Evaluation.id).in_(ids))
        ).all()
    )
    unknown = sorted(str(key) for key in ids if key not in found)
    if unknown:
        raise NotFound("evaluation not found", {"evaluationIds": unknown})
    return found


def _row_id(scope: RequestRowIds, index: int, item: DecisionCreate) -> str:
    """Derived from the request and everything the row records, except texts (hashed)."""
    fields = item.model_dump_json(exclude={"requirement_text", "suggestion"})
    extra = (item.suggestion_sha256() or "", fields)
    return scope.item_id(index, item.requirement_sha256(), *extra) or new_id()


def _row(
    item: DecisionCreate, row_id: str, linked: dict[str, str], served_by: str, now: datetime
) -> dict[str, Any]:
    linked_variant = linked.get(item.evaluation_id) if item.evaluation_id else None
    return {
        "id": row_id,
        "evaluation_id": item.evaluation_id,
        "requirement_checksum": item.requirement_sha256(),
        "suggestion_checksum": item.suggestion_sha256(),
        "suggestion_id": item.suggestion_id,
        "finding_code": item.finding_code,
        "criterion": item.criterion,
        "decision": item.decision,
        "variant": item.variant or linked_variant or served_by,
        "created_at": now,
    }
