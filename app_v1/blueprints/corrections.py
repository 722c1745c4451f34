"""POST /api/v1/corrections/apply, /text, /decision and /decision/batch."""

from __future__ import annotations

from flask import Blueprint

from app_v1.context import current_settings, get_db, json_body
from core.contract.bodies import (
    parse_apply,
    parse_correction_text,
    parse_decision,
    parse_decision_batch,
)
from core.contract.wire import to_wire
from core.corrections import apply_corrections, save_manual_correction
from core.decisions import save_decision, save_decisions

bp = Blueprint("corrections", __name__, url_prefix="/api/v1/corrections")


@bp.post("/apply")
def apply_suggestions() -> dict[str, object]:
    """Apply selected suggestions to a requirement (merge into one, or split into several)."""
    settings = current_settings()
    parsed = parse_apply(json_body(), settings)
    return to_wire(apply_corrections(session=get_db(), settings=settings, request=parsed))


@bp.post("/text")
def save_text_correction() -> dict[str, object]:
    """Record a requirement corrected by hand (checksums only)."""
    parsed = parse_correction_text(json_body(), current_settings())
    return to_wire(save_manual_correction(session=get_db(), request=parsed))


@bp.post("/decision")
def create_decision() -> dict[str, object]:
    """Record that a person accepted or rejected a suggestion (checksums and codes only)."""
    parsed = parse_decision(json_body(), current_settings())
    return to_wire(save_decision(session=get_db(), request=parsed, variant="v1"))


@bp.post("/decision/batch")
def create_decisions() -> dict[str, object]:
    """Record several decisions at once, all or none."""
    parsed = parse_decision_batch(json_body(), current_settings())
    return to_wire(save_decisions(session=get_db(), request=parsed, variant="v1"))
