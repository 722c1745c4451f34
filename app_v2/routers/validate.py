"""POST /api/v1/validate/batch."""

from fastapi import APIRouter, Request
from sqlmodel import Session

from app_v2.deps import json_request
from app_v2.openapi import BODY_ERRORS, json_body
from app_v2.sync_work import JsonBytes, answer
from core.contract.bodies import parse_batch_validate
from core.contract.evaluations import BatchValidateCreate, ValidatedRequirement
from core.validation import validate_batch

router = APIRouter(prefix="/api/v1/validate", tags=["validate"])


@router.post(
    "/batch",
    response_model=list[ValidatedRequirement],
    openapi_extra=json_body(BatchValidateCreate),
    responses=BODY_ERRORS,
)
async def create_batch_validation(request: Request) -> JsonBytes:
    """Validate a list of requirements against all active criteria."""
    call = await json_request(request)

    def work(session: Session) -> list[ValidatedRequirement]:
        parsed = parse_batch_validate(call.body, call.settings)
        return validate_batch(session=session, settings=call.settings, request=parsed, variant="v2")

    return await answer(work, db=call.db)
