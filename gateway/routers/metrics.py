"""GET /metrics in the Prometheus text format."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse

from gateway.metrics import CONTENT_TYPE
from gateway.routers.deps import FlagsDep

router = APIRouter(tags=["ops"])


@router.get("/metrics", response_class=PlainTextResponse)
def read_metrics(request: Request, flags: FlagsDep) -> PlainTextResponse:
    """Expose this process's request, fallback, flag and LLM metrics."""
    return PlainTextResponse(request.app.state.metrics.render(flags), media_type=CONTENT_TYPE)
