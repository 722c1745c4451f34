"""POST /api/v1/evaluations."""

from fastapi import APIRouter, Request
from sqlmodel import Session

from app_v2.deps import json_request
from app_v2.openapi import BODY_ERRORS, json_body
from app_v2.sync_work import JsonBytes, answer
from core.contract.bodies import parse_evaluation
from core.contract.evaluations import EvaluationCreate, EvaluationPublic
from core.evaluation import evaluate

router = APIRouter(prefix="/api/v1", tags=["evaluations"])


@router.post(
    "/evaluations",
    response_model=EvaluationPublic,
    openapi_extra=json_body(EvaluationCreate),
    responses=BODY_ERRORS,
)
async def create_evaluation(request: Request) -> JsonBytes:
    """Evaluate one requirement against the requested criteria."""
    call = await json_request(request)

    def work(session: Session) -> EvaluationPublic:
        parsed = parse_evaluation(call.body, call.settings)
        return evaluate(session=session, settings=call.settings, request=parsed, variant="v2")

    return await answer(work, db=call.db)
