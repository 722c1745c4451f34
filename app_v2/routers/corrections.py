"""POST /api/v1/corrections/apply, /text, /decision and /decision/batch."""

from fastapi import APIRouter, Request
from sqlmodel import Session

from app_v2.deps import json_request
from app_v2.openapi import BODY_ERRORS, json_body
from app_v2.sync_work import JsonBytes, answer
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
    openapi_extra=json_body(ApplyCreate),
    responses={**BODY_ERRORS, **UNKNOWN_EVALUATION},
)
async def apply_suggestions(request: Request) -> JsonBytes:
    """Apply selected suggestions to a requirement (merge into one, or split into several)."""
    call = await json_request(request)

    def work(session: Session) -> ApplyPublic:
        parsed = parse_apply(call.body, call.settings)
        return apply_corrections(session=session, settings=call.settings, request=parsed)

    return await answer(work, db=call.db)


@router.post(
    "/text",
    response_model=CorrectionSavedPublic,
    openapi_extra=json_body(CorrectionTextCreate),
    responses={**BODY_ERRORS, **UNKNOWN_EVALUATION},
)
async def save_text_correction(request: Request) -> JsonBytes:
    """Record a requirement corrected by hand (checksums only)."""
    call = await json_request(request)

    def work(session: Session) -> CorrectionSavedPublic:
        parsed = parse_correction_text(call.body, call.settings)
        return save_manual_correction(session=session, request=parsed)

    return await answer(work, db=call.db)


@router.post(
    "/decision",
    response_model=DecisionSavedPublic,
    openapi_extra=json_body(DecisionCreate),
    responses=DECISION_ERRORS,
)
async def create_decision(request: Request) -> JsonBytes:
    """Record that a person accepted or rejected a suggestion (checksums and codes only)."""
    call = await json_request(request)

    def work(session: Session) -> DecisionSavedPublic:
        parsed = parse_decision(call.body, call.settings)
        return save_decision(session=session, request=parsed, variant="v2")

    return await answer(work, db=call.db)


@router.post(
    "/decision/batch",
    response_model=DecisionsSavedPublic,
    openapi_extra=json_body(DecisionBatchCreate),
    responses=DECISION_ERRORS,
)
async def create_decisions(request: Request) -> JsonBytes:
    """Record several decisions at once, all or none."""
    call = await json_request(request)

    def work(session: Session) -> DecisionsSavedPublic:
        parsed = parse_decision_batch(call.body, call.settings)
        return save_decisions(session=session, request=parsed, variant="v2")

    return await answer(work, db=call.db)
