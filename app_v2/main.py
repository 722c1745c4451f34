"""The new API (v2) as a FastAPI app; a thin adapter over core."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.telemetry import TelemetryConfig
from starlette.middleware.errors import ServerErrorMiddleware
from starlette.types import ASGIApp

from app_v2 import openapi
from app_v2.routers import ROUTERS
from core.contract.wire import FIXED_HEADERS
from core.runtime import open_store
from core.settings import Settings, get_settings
from core.vectors import VectorStore, close_clients
from edge import errors
from edge.dry_run import DryRunMiddleware
from edge.request_id import RequestIdMiddleware

# FastAPI's native OpenTelemetry off (its documented `telemetry=` switches): reqgate sets
# no provider, yet FastAPI.__call__ looked providers up on every request (~4 us).
NO_TELEMETRY: TelemetryConfig = {
    "tracing": False,
    "metrics": False,
    "logs": False,
    "operation_spans": False,
    "auto_configure": False,
}


class V2App(FastAPI):
    """FastAPI with the request-id layer outermost: Starlette answers an unhandled error in
    its own outermost layer, and that 500 must carry the id (and X-Variant) too. Inside it,
    the dry-run mark of a gateway in another process is honoured (edge/dry_run.py).

    In the gateway's process (`behind_gateway`) v2 leaves both layers out, and Starlette's
    outermost one too. The gateway's outer layer has bound the id and tags every response
    it passes on: doing that work twice was 350 of the ~2,600 bytecodes the gateway added
    to a v2 request (docs/benchmarks.md §14, "Third session"). Its shadow runs a dry run
    in the same process by the context (core/dry_run.py), with no mark to check. And what
    v2 raises unhandled, the gateway's router answers (gateway/error_answer.py) or serves
    from v1 (gateway/fallback.py): Starlette's layer answered it first and raised it on,
    so a bug in v2 was logged twice, at a cost of a layer and two send wrappers on every
    request (§14, "Seventh session").
    """

    behind_gateway = False

    def build_middleware_stack(self) -> ASGIApp:
        app = super().build_middleware_stack()
        if self.behind_gateway:
            assert isinstance(app, ServerErrorMiddleware)  # FastAPI's outermost, always
            return app.app
        settings: Settings = self.state.settings
        app = DryRunMiddleware(app, secret=settings.admin_token)
        return RequestIdMiddleware(app, headers={"X-Variant": "v2", **FIXED_HEADERS})


@asynccontextmanager
async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
    """Release the embedded vector store's file lock when the server stops."""
    yield
    close_clients()


def create_app(settings: Settings | None = None, *, behind_gateway: bool = False) -> FastAPI:
    """Build the v2 app for these settings (the process settings by default), its engine
    work run with v2's own (V2_ENGINE, V2_OPENAI_MODEL, V2_LLM_PROMPTS_DIR where set);
    `behind_gateway` for the gateway's in-process v2 (see V2App)."""
    settings = (settings or get_settings()).for_variant("v2")
    # No slash redirects: their Location would echo the client's Host header (a 404 instead).
    app = V2App(
        title="reqgate v2",
        version="2.0.0",
        redirect_slashes=False,
        lifespan=lifespan,
        telemetry=NO_TELEMETRY,
    )
    app.behind_gateway = behind_gateway
    app.state.settings = settings
    app.state.db = open_store(settings)
    app.state.vectors = VectorStore(settings)  # connects on first use
    errors.install(app)
    openapi.install(app)
    for router in ROUTERS:  # each itself: see app_v2.routers
        app.include_router(router)
    return app
