"""POST /api/v1/validate/batch/stream and POST /api/v1/validate/suggest."""

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse
from sqlmodel import Session

from app_v2.deps import json_request
from app_v2.openapi import BODY_ERRORS, json_body
from app_v2.streaming import stream_response
from app_v2.sync_work import JsonBytes, answer
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
async def stream_batch_validation(request: Request) -> StreamingResponse:
    """Validate a list of requirements, streaming each result as it completes."""
    call = await json_request(request)
    parsed = parse_batch_validate(call.body, call.settings)  # a 400 here comes before streaming
    sse = wants_sse(request.headers.get("accept"))
    chunks = stream_body(
        engine=call.db, settings=call.settings, request=parsed, variant="v2", sse=sse
    )
    return stream_response(chunks, sse=sse)


@router.post(
    "/suggest",
    response_model=SuggestPublic,
    openapi_extra=json_body(BatchValidateCreate),
    responses=BODY_ERRORS,
)
async def create_suggestions(request: Request) -> JsonBytes:
    """Suggest corrections (atoms) for each requirement of a list."""
    call = await json_request(request)

    def work(session: Session) -> SuggestPublic:
        parsed = parse_batch_validate(call.body, call.settings)
        return suggest_texts(session=session, settings=call.settings, request=parsed, variant="v2")

    return await answer(work, db=call.db)
