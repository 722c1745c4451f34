"""POST /api/v1/evaluations."""

from __future__ import annotations

from flask import Blueprint, Response

from app_v1.context import current_settings, get_db, json_body, wire_response
from core.contract.bodies import parse_evaluation
from core.evaluation import evaluate

bp = Blueprint("evaluations", __name__, url_prefix="/api/v1")


@bp.post("/evaluations")
def create_evaluation() -> Response:
    """Evaluate one requirement against the requested criteria."""
    settings = current_settings()
    request = parse_evaluation(json_body(), settings)
    result = evaluate(session=get_db(), settings=settings, request=request, variant="v1")
    return wire_response(result)
