"""The FastAPI app behind the gateway's own routes: health, metrics, runtime config, pages."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, suppress
from typing import Any

from fastapi import FastAPI
from sqlalchemy.engine import Engine

import edge.openapi
from core.settings import Settings
from core.store.purge import VectorRetention, purge_logged, purge_periodically
from core.vectors import close_clients
from edge import errors
from gateway.flags import FlagCache
from gateway.frontend import frontend_files
from gateway.guard import Guard
from gateway.metrics import GatewayMetrics
from gateway.middleware.request_context import ACCESS_LINE
from gateway.openapi import merged_with
from gateway.readiness import Check
from gateway.routers import api_router
from gateway.shadow_report import ShadowReport
from gateway.upstream import HttpUpstream


def create_ops_app(
    settings: Settings,
    *,
    engine: Engine,
    flags: FlagCache,
    metrics: GatewayMetrics,
    guard: Guard,
    shadow: ShadowReport,
    checks: dict[str, Check],
    v2_document: Callable[[], dict[str, Any]],
    upstream: HttpUpstream | None = None,
    vectors: VectorRetention | None = None,
) -> FastAPI:
    """The gateway's own API; it shares the flag cache and metrics with the router.

    Its lifespan (the gateway's) keeps the flags fresh (gateway/flags.py), purges old records
    at start-up and every PURGE_INTERVAL_MIN (DESIGN §5), knowledge-base chunks too with
    `vectors`, runs the SLO guard (gateway/guard.py) unless GUARD_ENABLED is false, and
    closes the embedded vector store at shutdown. Its /openapi.json is the gateway's whole
    document: its own routes and those of `v2_document` that the router forwards.
    """

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        refreshing = asyncio.create_task(flags.run())
        await purge_logged(engine, hours=settings.purge_retention_h, vectors=vectors)
        purging = asyncio.create_task(
            purge_periodically(
                engine,
                hours=settings.purge_retention_h,
                interval_min=settings.purge_interval_min,
                vectors=vectors,
            )
        )
        guarding = asyncio.create_task(guard.run()) if guard.enabled else None
        yield
        # the last requests' access lines, and their figures into the workers' shared files
        ACCESS_LINE.flush()
        metrics.flush()
        refreshing.cancel()
        purging.cancel()
        if guarding is not None:
            guarding.cancel()
            with suppress(asyncio.CancelledError):
                await guarding  # it withdraws its window and lease on the way out
        close_clients()
        if upstream is not None:
            await upstream.aclose()

    app = FastAPI(
        title="reqgate gateway",
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
        redirect_slashes=False,  # a redirect's Location would echo the client's Host
    )
    app.state.settings = settings
    app.state.flags = flags
    app.state.metrics = metrics
    app.state.guard = guard
    app.state.checks = checks
    app.state.shadow = shadow  # the router's (gateway/shadow.py) report, for the admin route
    app.state.frontend = frontend_files(settings)
    errors.install(app)
    edge.openapi.install(app, merged_with(v2_document))
    app.include_router(api_router)
    return app
