"""Applying selected suggestion atoms to a requirement, and recording manual corrections.

The text work is core.engines.apply (the LLM when configured, else the pure merge/split of
core.engines.edits); this module records what happened. Only checksums of the texts are
stored (DESIGN §5).
"""

from __future__ import annotations

from sqlmodel import Session

from core import engines
from core.checksums import text_checksum
from core.contract.batch import (
    ApplyCreate,
    ApplyPublic,
    CorrectionSavedPublic,
    CorrectionTextCreate,
    EngineUsed,
    RewrittenItem,
)
from core.exceptions import NotFound
from core.settings import Settings
from core.store.models import Evaluation, RewriteRecord, new_id
from core.store.records import RecordRows, Row, rewrite_row, store


def _rewrite(linked: str | None, original: str, rewritten: str, source: str) -> Row:
    return rewrite_row(linked, text_checksum(original), text_checksum(rewritten), source)


def _store_rewrites(session: Session, rows: list[Row]) -> None:
    records = RecordRows()
    records.extend(RewriteRecord, rows)
    store(session, records)


def _linked_evaluation(session: Session, evaluation_id: str | None) -> str | None:
    if evaluation_id is not None and session.get(Evaluation, evaluation_id) is None:
        raise NotFound("evaluation not found", {"evaluationId": evaluation_id})
    return evaluation_id


def apply_corrections(*, session: Session, settings: Settings, request: ApplyCreate) -> ApplyPublic:
    """Apply the selected atoms and record checksums of the original and each result.

    `evaluationId` echoes the evaluation the request links to, else names this correction.
    """
    linked = _linked_evaluation(session, request.evaluation_id)
    session.commit()  # end the read transaction: the engine call may be slow
    result = engines.apply(
        request.original_text,
        request.selected_suggestions,
        request.mode,
        language=request.context.language if request.context else None,
        settings=settings,
    )
    rows = [_rewrite(linked, request.original_text, text, "apply") for text in result.items]
    _store_rewrites(session, rows)
    return ApplyPublic(
        evaluation_id=linked or new_id(),
        items=[
            RewrittenItem(rewritten_id=row["id"], redefined_requirement=text)
            for row, text in zip(rows, result.items, strict=True)
        ],
        **EngineUsed.fields_of(result.meta),
    )


def save_manual_correction(
    *, session: Session, request: CorrectionTextCreate
) -> CorrectionSavedPublic:
    """Record that a person corrected a requirement by hand (checksums of both texts only)."""
    linked = _linked_evaluation(session, request.evaluation_id)
    _store_rewrites(session, [_rewrite(linked, request.original_text, request.text, "manual")])
    return CorrectionSavedPublic(evaluation_id=linked or new_id())
