"""GET /metrics in the Prometheus text format."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from gateway.metrics import CONTENT_TYPE
from gateway.routers.deps import FlagsDep

router = APIRouter(tags=["ops"])


@router.get("/metrics")
def read_metrics(request: Request, flags: FlagsDep) -> Response:
    """Expose this process's request, fallback and flag metrics."""
    return Response(request.app.state.metrics.render(flags), media_type=CONTENT_TYPE)
