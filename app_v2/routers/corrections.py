"""POST /api/v1/corrections/apply, /text, /decision and /decision/batch."""

from fastapi import APIRouter

from app_v2.deps import JsonBody, SessionDep, SettingsDep
from app_v2.openapi import BODY_ERRORS, json_body
from core.contract.batch import (
    ApplyCreate,
    ApplyPublic,
    CorrectionSavedPublic,
    CorrectionTextCreate,
)
from core.contract.bodies import (
    parse_apply,
    parse_correction_text,
    parse_decision,
    parse_decision_batch,
)
from core.contract.decisions import (
    DecisionBatchCreate,
    DecisionCreate,
    DecisionSavedPublic,
    DecisionsSavedPublic,
)
from core.corrections import apply_corrections, save_manual_correction
from core.decisions import save_decision, save_decisions
from edge.openapi import error_responses

router = APIRouter(prefix="/api/v1/corrections", tags=["corrections"])
UNKNOWN_EVALUATION = error_responses({404: "evaluationId names no stored evaluation"})
DECISION_ERRORS = {**BODY_ERRORS, **UNKNOWN_EVALUATION, **error_responses({503: "storage fault"})}


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


@router.post(
    "/decision",
    response_model=DecisionSavedPublic,
    openapi_extra=json_body(DecisionCreate),
    responses=DECISION_ERRORS,
)
def create_decision(
    body: JsonBody, session: SessionDep, settings: SettingsDep
) -> DecisionSavedPublic:
    """Record that a person accepted or rejected a suggestion (checksums and codes only)."""
    request = parse_decision(body, settings)
    return save_decision(session=session, request=request, variant="v2")


@router.post(
    "/decision/batch",
    response_model=DecisionsSavedPublic,
    openapi_extra=json_body(DecisionBatchCreate),
    responses=DECISION_ERRORS,
)
def create_decisions(
    body: JsonBody, session: SessionDep, settings: SettingsDep
) -> DecisionsSavedPublic:
    """Record several decisions at once, all or none."""
    request = parse_decision_batch(body, settings)
    return save_decisions(session=session, request=request, variant="v2")
