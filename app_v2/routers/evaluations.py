"""POST /api/v1/evaluations."""

from fastapi import APIRouter

from app_v2.deps import JsonBody, SessionDep, SettingsDep
from app_v2.openapi import BODY_ERRORS, json_body
from core.contract.bodies import parse_evaluation
from core.contract.evaluations import EvaluationCreate, EvaluationPublic
from core.evaluation import evaluate

router = APIRouter(prefix="/api/v1", tags=["evaluations"])


@router.post(
    "/evaluations",
    response_model=EvaluationPublic,
    response_model_exclude_none=True,
    openapi_extra=json_body(EvaluationCreate),
    responses=BODY_ERRORS,
)
def create_evaluation(
    body: JsonBody, session: SessionDep, settings: SettingsDep
) -> EvaluationPublic:
    """Evaluate one requirement against the requested criteria."""
    request = parse_evaluation(body, settings)
    return evaluate(session=session, settings=settings, request=request, variant="v2")
