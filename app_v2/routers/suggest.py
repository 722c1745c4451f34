"""POST /api/v1/validate/batch/stream and POST /api/v1/validate/suggest."""

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse

from app_v2.deps import JsonBody, SessionDep, SettingsDep
from app_v2.openapi import BODY_ERRORS, json_body
from app_v2.streaming import in_threadpool
from core.batch import suggest_texts
from core.contract.batch import SuggestPublic
from core.contract.bodies import parse_batch_validate
from core.contract.evaluations import BatchValidateCreate
from core.contract.framing import NDJSON, SSE, wants_sse
from core.stream import stream_body

router = APIRouter(prefix="/api/v1/validate", tags=["validate"])


@router.post(
    "/batch/stream",
    response_class=StreamingResponse,
    openapi_extra=json_body(BatchValidateCreate),
    responses={
        **BODY_ERRORS,
        200: {
            "description": "one result per line as it completes (NDJSON, or SSE on request)",
            "content": {NDJSON: {}, SSE: {}},
        },
    },
)
async def stream_batch_validation(
    request: Request, body: JsonBody, settings: SettingsDep
) -> StreamingResponse:
    """Validate a list of requirements, streaming each result as it completes."""
    parsed = parse_batch_validate(body, settings)  # a 400 here comes before streaming
    sse = wants_sse(request.headers.get("accept"))
    chunks = stream_body(
        engine=request.app.state.db, settings=settings, request=parsed, variant="v2", sse=sse
    )
    return StreamingResponse(
        in_threadpool(chunks),
        media_type=SSE if sse else NDJSON,
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


@router.post(
    "/suggest",
    response_model=SuggestPublic,
    response_model_exclude_none=True,
    openapi_extra=json_body(BatchValidateCreate),
    responses=BODY_ERRORS,
)
def create_suggestions(body: JsonBody, session: SessionDep, settings: SettingsDep) -> SuggestPublic:
    """Suggest corrections (atoms) for each requirement of a list."""
    parsed = parse_batch_validate(body, settings)
    return suggest_texts(session=session, settings=settings, request=parsed, variant="v2")
