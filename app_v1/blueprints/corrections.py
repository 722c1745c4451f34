"""POST /api/v1/corrections/apply and POST /api/v1/corrections/text."""

from __future__ import annotations

from flask import Blueprint

from app_v1.context import current_settings, get_db, json_body
from core.contract.bodies import parse_apply, parse_correction_text
from core.contract.wire import to_wire
from core.corrections import apply_corrections, save_manual_correction

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
