"""GET /api/v1/criteria."""

from typing import Annotated

from fastapi import APIRouter, Query, Request

from app_v2.openapi import BODY_ERRORS
from core.contract.bodies import parse_language
from core.contract.evaluations import CriteriaPublic, CriterionPublic
from core.store.criteria import list_criteria

router = APIRouter(prefix="/api/v1", tags=["criteria"])
# Documented as an enum, checked by core (parse_language) so v1 and v2 refuse alike.
LanguageQuery = Annotated[str | None, Query(json_schema_extra={"enum": ["de", "en"]})]


@router.get("/criteria", response_model=CriteriaPublic, responses={400: BODY_ERRORS[400]})
def read_criteria(request: Request, language: LanguageQuery = None) -> CriteriaPublic:
    """List the active quality criteria (names in ?language=de|en, default en)."""
    criteria = list_criteria(request.app.state.db, language=parse_language(language))
    return CriteriaPublic(items=[CriterionPublic(**c.to_public()) for c in criteria])
