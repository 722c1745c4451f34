"""The gateway's application factory: v1, v2 and the gateway's own routes behind one router.

v2 runs in-process as an ASGI app, v1 (Flask) through a2wsgi; the gateway knows both only
as callables.
"""

from __future__ import annotations

from a2wsgi import WSGIMiddleware
from starlette.types import ASGIApp

import app_v1
import app_v2.main
from core.settings import Settings
from gateway.ops import create_ops_app
from gateway.router import VariantRouter


def create_app(settings: Settings) -> ASGIApp:
    """Wire v1, v2 and the gateway's own routes behind the variant router."""
    v1 = WSGIMiddleware(app_v1.create_app({"SETTINGS": settings}))  # type: ignore[arg-type]
    v2 = app_v2.main.create_app(settings)
    ops = create_ops_app(settings)
    return VariantRouter(v1=v1, v2=v2, gateway=ops, settings=settings)
