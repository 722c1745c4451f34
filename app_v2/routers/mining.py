"""POST /api/v1/mining/extract (v2 only)."""

from fastapi import APIRouter, Request

from app_v2.deps import RawBody, SessionDep, SettingsDep
from app_v2.openapi import BODY_ERRORS, json_body
from core.contract.bodies import parse_mining
from core.contract.mining import MiningCreate, MiningPublic
from core.mining import extract

router = APIRouter(prefix="/api/v1/mining", tags=["mining"])


@router.post(
    "/extract",
    response_model=MiningPublic,
    response_model_exclude_none=True,
    openapi_extra=json_body(MiningCreate, markdown=True),
    responses=BODY_ERRORS,
)
def extract_requirements(
    request: Request, body: RawBody, session: SessionDep, settings: SettingsDep
) -> MiningPublic:
    """Find the requirement candidates of a document's text; optionally evaluate each."""
    mining = parse_mining(body, request.headers.get("content-type"), settings)
    return extract(session=session, settings=settings, request=mining, variant="v2")
