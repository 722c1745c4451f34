"""POST /api/v1/batch/{evaluate,suggest,rewrite} and GET /api/v1/demo/requirements."""

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse
from sqlmodel import Session

from app_v2.deps import DatabaseDep, RawBody, SettingsDep
from app_v2.openapi import BODY_ERRORS, json_body
from app_v2.sync_work import JsonBytes, answer_without_db, in_session
from core.batch import ADDED_COLUMNS, Mode, answer_table, demo_requirements
from core.contract.batch import BatchPublic, DemoRequirementsPublic, MarkdownCreate
from core.contract.bodies import parse_batch_input
from core.table_answer import TableAnswer
from edge.openapi import error_responses

router = APIRouter(prefix="/api/v1", tags=["batch"])
REQUIREMENTS_FILE_ERRORS = error_responses(
    {
        400: "the file at REQUIREMENTS_MD_PATH is unreadable or exceeds the batch limits",
        404: "no file at REQUIREMENTS_MD_PATH",
    }
)


def _batch_endpoint(mode: Mode) -> Callable[..., Coroutine[Any, Any, StreamingResponse]]:
    # One route per mode (not a path parameter) so an unknown mode is a 404 as on v1.
    async def run_batch(
        request: Request, body: RawBody, db: DatabaseDep, settings: SettingsDep
    ) -> StreamingResponse:
        content_type = request.headers.get("content-type")

        def work(session: Session) -> TableAnswer:
            source = parse_batch_input(body, content_type, settings)
            return answer_table(
                session=session, settings=settings, source=source, mode=mode, variant="v2"
            )

        answer = await in_session(work, db=db)
        # the body is BatchPublic's JSON (response_model below documents it), sent in pieces
        return StreamingResponse(answer.chunks(), media_type="application/json")

    run_batch.__doc__ = f"Run `{mode}` on every row of a requirements table; merge the results."
    return run_batch


for _mode in ADDED_COLUMNS:
    router.add_api_route(
        f"/batch/{_mode}",
        _batch_endpoint(_mode),
        methods=["POST"],
        name=f"batch_{_mode}",
        response_model=BatchPublic,
        response_model_exclude_none=True,
        # no body (or JSON without markdown) reads REQUIREMENTS_MD_PATH
        openapi_extra=json_body(MarkdownCreate, required=False, markdown=True),
        responses={**REQUIREMENTS_FILE_ERRORS, **BODY_ERRORS},
    )


@router.get(
    "/demo/requirements", response_model=DemoRequirementsPublic, responses=REQUIREMENTS_FILE_ERRORS
)
async def read_demo_requirements(settings: SettingsDep) -> JsonBytes:
    """List the example requirements of the table at REQUIREMENTS_MD_PATH."""
    return await answer_without_db(lambda: demo_requirements(settings))
