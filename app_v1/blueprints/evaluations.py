"""POST /api/v1/evaluations."""

from __future__ import annotations

from flask import Blueprint

from app_v1.context import current_settings, get_db, json_body
from core.contract.bodies import parse_evaluation
from core.contract.wire import to_wire
from core.evaluation import evaluate

bp = Blueprint("evaluations", __name__, url_prefix="/api/v1")


@bp.post("/evaluations")
def create_evaluation() -> dict[str, object]:
    """Evaluate one requirement against the requested criteria."""
    settings = current_settings()
    request = parse_evaluation(json_body(), settings)
    return to_wire(evaluate(session=get_db(), settings=settings, request=request, variant="v1"))
