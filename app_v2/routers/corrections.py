"""POST /api/v1/corrections/apply and POST /api/v1/corrections/text."""

from fastapi import APIRouter

from app_v2.deps import JsonBody, SessionDep, SettingsDep
from app_v2.openapi import BODY_ERRORS, json_body
from core.contract.batch import (
    ApplyCreate,
    ApplyPublic,
    CorrectionSavedPublic,
    CorrectionTextCreate,
)
from core.contract.bodies import parse_apply, parse_correction_text
from core.corrections import apply_corrections, save_manual_correction
from edge.openapi import error_responses

router = APIRouter(prefix="/api/v1/corrections", tags=["corrections"])
UNKNOWN_EVALUATION = error_responses({404: "evaluationId names no stored evaluation"})


@router.post(
    "/apply",
    response_model=ApplyPublic,
    response_model_exclude_none=True,
    openapi_extra=json_body(ApplyCreate),
    responses={**BODY_ERRORS, **UNKNOWN_EVALUATION},
)
def apply_suggestions(body: JsonBody, session: SessionDep, settings: SettingsDep) -> ApplyPublic:
    """Apply selected suggestions to a requirement (merge into one, or split into several)."""
    request = parse_apply(body, settings)
    return apply_corrections(session=session, settings=settings, request=request)


@router.post(
    "/text",
    response_model=CorrectionSavedPublic,
    openapi_extra=json_body(CorrectionTextCreate),
    responses={**BODY_ERRORS, **UNKNOWN_EVALUATION},
)
def save_text_correction(
    body: JsonBody, session: SessionDep, settings: SettingsDep
) -> CorrectionSavedPublic:
    """Record a requirement corrected by hand (checksums only)."""
    return save_manual_correction(session=session, request=parse_correction_text(body, settings))
