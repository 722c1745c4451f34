"""POST /api/v1/validate/refine (v2 only)."""

from fastapi import APIRouter

from app_v2.deps import JsonBody, SessionDep, SettingsDep
from app_v2.openapi import BODY_ERRORS, json_body
from core.contract.batch import RefineCreate, RefinePublic
from core.contract.bodies import parse_refine
from core.refine import refine

router = APIRouter(prefix="/api/v1/validate", tags=["validate"])


@router.post(
    "/refine",
    response_model=RefinePublic,
    openapi_extra=json_body(RefineCreate),
    responses=BODY_ERRORS,
)
def refine_requirement(body: JsonBody, session: SessionDep, settings: SettingsDep) -> RefinePublic:
    """Suggest, apply and re-evaluate until the requirement passes or maxIterations is reached."""
    request = parse_refine(body, settings)
    return refine(session=session, settings=settings, request=request, variant="v2")
