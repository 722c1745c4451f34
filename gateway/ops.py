"""The gateway's own routes: health today; runtime config, metrics and pages later."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI, Request

from core.settings import Settings
from edge import errors

router = APIRouter(tags=["ops"])


@router.get("/health")
def health(request: Request) -> dict[str, object]:
    """Report the gateway's status, both variants and the routing flags."""
    settings = request.app.state.settings
    return {
        "status": "ok",
        "variants": {"v1": "in-process", "v2": "in-process"},
        "flags": {
            "featureFlagUseV2": settings.feature_flag_use_v2,
            "canaryPercent": settings.canary_percent,
            "shadowPercent": settings.shadow_percent,
        },
    }


def create_ops_app(settings: Settings) -> FastAPI:
    """The FastAPI app behind the gateway's own routes."""
    app = FastAPI(title="reqgate gateway", docs_url=None, redoc_url=None)
    app.state.settings = settings
    errors.install(app)
    app.include_router(router)
    return app
