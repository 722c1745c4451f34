"""POST /api/v1/batch/{evaluate,suggest,rewrite} and GET /api/v1/demo/requirements."""

from __future__ import annotations

from flask import Blueprint, Response, request

from app_v1.context import current_settings, get_db, raw_body, wire_response
from core.batch import Mode, answer_table, demo_requirements
from core.contract.bodies import parse_batch_input

bp = Blueprint("batch", __name__, url_prefix="/api/v1")


@bp.post("/batch/<any(evaluate, suggest, rewrite):mode>")
def run_batch(mode: Mode) -> Response:  # Mode: the any() converter admits no other
    """Evaluate (and suggest, rewrite) every row of a requirements table; merge the results."""
    settings = current_settings()
    source = parse_batch_input(raw_body(), request.content_type, settings)
    answer = answer_table(
        session=get_db(), settings=settings, source=source, mode=mode, variant="v1"
    )
    return Response(answer.chunks(), mimetype="application/json")


@bp.get("/demo/requirements")
def read_demo_requirements() -> Response:
    """List the example requirements of the table at REQUIREMENTS_MD_PATH."""
    return wire_response(demo_requirements(current_settings()))
