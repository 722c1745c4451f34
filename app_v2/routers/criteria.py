"""GET /api/v1/criteria."""

from typing import Annotated

from fastapi import APIRouter, Query

from app_v2.deps import DatabaseDep
from app_v2.openapi import BODY_ERRORS
from app_v2.sync_work import JsonBytes, answer_without_db
from core.contract.bodies import parse_language
from core.contract.evaluations import CriteriaPublic, CriterionPublic
from core.store.criteria import list_criteria

router = APIRouter(prefix="/api/v1", tags=["criteria"])
# Documented as an enum, checked by core (parse_language) so v1 and v2 refuse alike.
LanguageQuery = Annotated[str | None, Query(json_schema_extra={"enum": ["de", "en"]})]


@router.get("/criteria", response_model=CriteriaPublic, responses={400: BODY_ERRORS[400]})
async def read_criteria(db: DatabaseDep, language: LanguageQuery = None) -> JsonBytes:
    """List the active quality criteria (names in ?language=de|en, default en)."""

    def work() -> CriteriaPublic:
        # a snapshot read (core.store.criteria): a database read only when it is stale
        criteria = list_criteria(db, language=parse_language(language))
        return CriteriaPublic(items=[CriterionPublic(**c.to_public()) for c in criteria])

    return await answer_without_db(work)
