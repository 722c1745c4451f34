"""POST /api/v1/validate/batch."""

from fastapi import APIRouter

from app_v2.deps import JsonBody, SessionDep, SettingsDep
from app_v2.openapi import BODY_ERRORS, json_body
from core.contract.bodies import parse_batch_validate
from core.contract.evaluations import BatchValidateCreate, ValidatedRequirement
from core.validation import validate_batch

router = APIRouter(prefix="/api/v1/validate", tags=["validate"])


@router.post(
    "/batch",
    response_model=list[ValidatedRequirement],
    response_model_exclude_none=True,
    openapi_extra=json_body(BatchValidateCreate),
    responses=BODY_ERRORS,
)
def create_batch_validation(
    body: JsonBody, session: SessionDep, settings: SettingsDep
) -> list[ValidatedRequirement]:
    """Validate a list of requirements against all active criteria."""
    request = parse_batch_validate(body, settings)
    return validate_batch(session=session, settings=settings, request=request, variant="v2")
