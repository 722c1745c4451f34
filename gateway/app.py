"""The gateway's application factory: v1, v2 and the gateway's own routes behind one router.

v2 runs in-process as an ASGI app, or behind V2_UPSTREAM_URL in another process; v1
(Flask) through the WSGI bridge. The gateway knows both only as callables, so tests can
hand in fakes.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from starlette.types import ASGIApp

import app_v1
import app_v2.main
from core.contract.wire import FIXED_HEADERS
from core.runtime import open_store
from core.settings import Settings
from core.store.flags import sync_env_flags
from core.store.purge import VectorRetention
from core.vectors import VectorStore
from gateway.flags import FlagCache
from gateway.guard import Guard
from gateway.guard_window import GuardWindow
from gateway.metrics import GatewayMetrics, multiprocess_dir
from gateway.middleware.cors import JsonCorsMiddleware
from gateway.middleware.request_context import RequestContextMiddleware
from gateway.ops import create_ops_app
from gateway.readiness import build_checks
from gateway.router import VariantRouter
from gateway.shadow import Shadow, ShadowOptions
from gateway.shadow_report import ShadowReport
from gateway.upstream import HttpUpstream
from gateway.wsgi_bridge import WsgiBridge

ALLOWED_HEADERS = ("Accept", "Authorization", "Content-Type", "X-Request-Id", "X-Variant-Override")
EXPOSED_HEADERS = ("X-Request-Id", "X-Variant", "X-Variant-Reason", "X-Variant-Bucket")


def vector_retention(settings: Settings, v2_app: FastAPI | None) -> VectorRetention | None:
    """What the gateway's purge deletes from the knowledge base (VECTOR_RETENTION_H): the
    in-process v2's store, or a Qdrant server's collection; a remote v2's embedded store is
    locked by that process, which the gateway must not open."""
    hours = settings.vector_retention_h
    if hours is None:
        return None
    if v2_app is not None:
        return VectorRetention(v2_app.state.vectors, hours)
    return VectorRetention(VectorStore(settings), hours) if settings.qdrant_url else None


def create_app(
    settings: Settings, *, v1: ASGIApp | None = None, v2: ASGIApp | None = None
) -> ASGIApp:
    """Wire the variants, the flag cache, the metrics and the middleware around the router."""
    engine = open_store(settings)
    flags = FlagCache(
        engine, sync_env_flags(engine, settings), max_staleness_s=settings.flag_max_staleness_s
    )
    window = (
        GuardWindow(settings.guard_window_s, lambda: flags.flags)
        if settings.guard_enabled
        else None
    )
    metrics = GatewayMetrics(window, shared_dir=multiprocess_dir())
    guard = Guard(settings, engine=engine, flags=flags, metrics=metrics, window=window)
    upstream = None
    if settings.v2_upstream_url:
        upstream = HttpUpstream(
            settings.v2_upstream_url,
            timeout_s=settings.v2_timeout_s,
            dry_run_secret=settings.admin_token,
        )
    v1_mirror = v1
    if v1 is None:
        flask_app = app_v1.create_app({"SETTINGS": settings})
        v1 = WsgiBridge(
            flask_app, workers=settings.v1_threads, max_body_bytes=settings.max_body_bytes
        )
        # shadow mirrors get threads of their own: a mirror never holds up a client's request
        v1_mirror = WsgiBridge(
            flask_app,
            workers=settings.shadow_max_in_flight,
            max_body_bytes=settings.max_body_bytes,
        )
    v2_app = None
    if v2 is None:
        v2 = upstream or (v2_app := app_v2.main.create_app(settings, behind_gateway=True))
    shadow_report = ShadowReport(window_s=settings.shadow_window_min * 60)
    shadow = Shadow(
        metrics,
        shadow_report,
        mirrors={"v1": v1_mirror, "v2": v2 if v2 is not upstream or settings.admin_token else None},
        options=ShadowOptions(
            max_bytes=settings.max_body_bytes,
            max_in_flight=settings.shadow_max_in_flight,
            noise_percent=settings.shadow_noise_percent,
            tolerance=settings.shadow_score_tolerance,
            timeout_s=settings.v2_timeout_s,
        ),
    )

    def v2_document() -> dict[str, Any]:
        """v2's document, from the in-process app or (v2 remote or faked) from this build's."""
        return (v2_app or app_v2.main.create_app(settings)).openapi()

    ops = create_ops_app(
        settings,
        engine=engine,
        flags=flags,
        metrics=metrics,
        guard=guard,
        upstream=upstream,
        checks=build_checks(settings, engine, upstream),
        v2_document=v2_document,
        vectors=vector_retention(settings, v2_app),
        shadow=shadow_report,
    )
    router = VariantRouter(
        v1=v1, v2=v2, gateway=ops, settings=settings, flags=flags, metrics=metrics, shadow=shadow
    )
    # The body deadline is the outer layer's, outside the router's error answer, so that
    # the 408 rendered there goes out with Connection: close.
    return RequestContextMiddleware(
        with_cors(router, settings),
        metrics=metrics,
        body_timeout_s=settings.http_body_timeout_s,
        max_body_bytes=settings.max_body_bytes,
        headers=FIXED_HEADERS,
    )


def with_cors(app: ASGIApp, settings: Settings) -> ASGIApp:
    """Answer preflights and add CORS headers for CORS_ORIGINS (unchanged when empty).

    Web clients of the original system call the API from another origin; they may read the
    routing headers, and send the sticky cookie unless every origin is allowed ("*"), which
    the CORS rules forbid together with credentials.
    """
    origins = settings.cors_origins
    if not origins:
        return app
    return JsonCorsMiddleware(
        app,
        allow_origins=origins,
        allow_methods=["GET", "POST", "PATCH", "OPTIONS"],
        allow_headers=[*ALLOWED_HEADERS, settings.canary_sticky_header],
        allow_credentials="*" not in origins,
        expose_headers=list(EXPOSED_HEADERS),
        max_age=600,
    )
