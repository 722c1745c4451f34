"""POST /api/v1/corrections/apply, /text, /decision and /decision/batch."""

from __future__ import annotations

from flask import Blueprint, Response

from app_v1.context import current_settings, get_db, json_body, wire_response
from core.contract.bodies import (
    parse_apply,
    parse_correction_text,
    parse_decision,
    parse_decision_batch,
)
from core.corrections import apply_corrections, save_manual_correction
from core.decisions import save_decision, save_decisions

bp = Blueprint("corrections", __name__, url_prefix="/api/v1/corrections")


@bp.post("/apply")
def apply_suggestions() -> Response:
    """Apply selected suggestions to a requirement (merge into one, or split into several)."""
    settings = current_settings()
    parsed = parse_apply(json_body(), settings)
    return wire_response(apply_corrections(session=get_db(), settings=settings, request=parsed))


@bp.post("/text")
def save_text_correction() -> Response:
    """Record a requirement corrected by hand (checksums only)."""
    parsed = parse_correction_text(json_body(), current_settings())
    return wire_response(save_manual_correction(session=get_db(), request=parsed))


@bp.post("/decision")
def create_decision() -> Response:
    """Record that a person accepted or rejected a suggestion (checksums and codes only)."""
    parsed = parse_decision(json_body(), current_settings())
    return wire_response(save_decision(session=get_db(), request=parsed, variant="v1"))


@bp.post("/decision/batch")
def create_decisions() -> Response:
    """Record several decisions at once, all or none."""
    parsed = parse_decision_batch(json_body(), current_settings())
    return wire_response(save_decisions(session=get_db(), request=parsed, variant="v1"))
