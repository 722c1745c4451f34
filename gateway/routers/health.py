"""Liveness, readiness and the gateway's status page for humans and probes."""

from __future__ import annotations

from fastapi import APIRouter, Request

from core.exceptions import Unavailable
from edge.openapi import error_responses
from gateway.readiness import run_checks
from gateway.routers.deps import FlagCacheDep, FlagsDep, SettingsDep, flags_public

router = APIRouter(tags=["ops"])


@router.get("/livez")
def livez() -> dict[str, str]:
    """Report that the process is up (no dependency is checked)."""
    return {"status": "ok"}


NOT_READY = error_responses({503: "a dependency failed; `details.checks` names it"})


@router.get("/readyz", responses=NOT_READY)
@router.get("/ready", responses=NOT_READY)
async def readyz(request: Request) -> dict[str, object]:
    """Check the database, the vector store and a remote v2; 503 names what failed."""
    checks = await run_checks(request.app.state.checks)
    failed = [name for name, outcome in checks.items() if outcome != "ok"]
    if failed:
        raise Unavailable(f"not ready: {', '.join(failed)}", {"checks": checks})
    return {"status": "ready", "checks": checks}


@router.get("/health")
def health(settings: SettingsDep, flags: FlagsDep, cache: FlagCacheDep) -> dict[str, object]:
    """Report the gateway's status, both variants and the routing flags in force."""
    return {
        "status": "ok",
        "variants": {
            "v1": {"mode": "in-process"},
            "v2": {"mode": "remote"} if settings.v2_upstream_url else {"mode": "in-process"},
        },
        "fallbackToV1": settings.v2_fallback_to_v1,
        "flags": flags_public(flags),
        "flagsAgeS": round(cache.age_s, 1),  # over FLAG_MAX_STALENESS_S: shared routes 503
    }
