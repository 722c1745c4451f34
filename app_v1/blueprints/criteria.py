"""GET /api/v1/criteria."""

from __future__ import annotations

from flask import Blueprint, Response, request

from app_v1.context import db_engine, wire_response
from core.contract.bodies import parse_language
from core.contract.evaluations import CriteriaPublic, CriterionPublic
from core.store.criteria import list_criteria

bp = Blueprint("criteria", __name__, url_prefix="/api/v1")


@bp.get("/criteria")
def read_criteria() -> Response:
    """List the active quality criteria (names in ?language=de|en, default en)."""
    criteria = list_criteria(db_engine(), language=parse_language(request.args.get("language")))
    return wire_response(CriteriaPublic(items=[CriterionPublic(**c.to_public()) for c in criteria]))
