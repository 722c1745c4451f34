"""POST /api/v1/validate/batch/stream and POST /api/v1/validate/suggest."""

from __future__ import annotations

from flask import Blueprint, Response, request

from app_v1.context import current_settings, db_engine, get_db, json_body, wire_response
from core.batch import suggest_texts
from core.contract.bodies import parse_batch_validate
from core.contract.framing import NDJSON, SSE, wants_sse
from core.stream import stream_body

bp = Blueprint("validate_stream", __name__, url_prefix="/api/v1/validate")


@bp.post("/batch/stream")
def stream_batch_validation() -> Response:
    """Validate a list of requirements, streaming each result as it completes."""
    settings = current_settings()
    parsed = parse_batch_validate(json_body(), settings)  # a 400 here comes before streaming
    sse = wants_sse(request.headers.get("Accept"))
    body = stream_body(engine=db_engine(), settings=settings, request=parsed, variant="v1", sse=sse)
    # Werkzeug closes the body iterator when the client goes away, which stops the work.
    return Response(
        body,
        mimetype=SSE if sse else NDJSON,
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


@bp.post("/suggest")
def create_suggestions() -> Response:
    """Suggest corrections (atoms) for each requirement of a list."""
    settings = current_settings()
    parsed = parse_batch_validate(json_body(), settings)
    result = suggest_texts(session=get_db(), settings=settings, request=parsed, variant="v1")
    return wire_response(result)
