"""POST /api/v1/validate/batch."""

from __future__ import annotations

from flask import Blueprint, Response

from app_v1.context import current_settings, get_db, json_body, wire_response
from core.contract.bodies import parse_batch_validate
from core.validation import validate_batch

bp = Blueprint("validate", __name__, url_prefix="/api/v1/validate")


@bp.post("/batch")
def create_batch_validation() -> Response:
    """Validate a list of requirements against all active criteria."""
    settings = current_settings()
    request = parse_batch_validate(json_body(), settings)
    results = validate_batch(session=get_db(), settings=settings, request=request, variant="v1")
    return wire_response(results)
