"""GET /api/runtime-config/ops: what the ops page shows, in one admin call.

The flags in force, the last minutes of traffic per variant from the gateway's own
measurements (gateway/traffic.py), the shadow comparisons and fallbacks since start-up, the
SLO guard's state and last decision, and the newest audit entries. It answers while the
database is down: the flags come from the cache, and an audit that cannot be read is
reported in `auditError` instead of failing all.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request
from pydantic import Field
from sqlalchemy.exc import SQLAlchemyError

from core.contract.wire import WireModel
from core.store.faults import storage_fault
from core.store.flags import audit_dict, list_audit
from edge.admin import AdminDep
from gateway.guard import GuardPublic
from gateway.metrics import GatewayMetrics
from gateway.routers.deps import FlagCacheDep, FlagsDep, GuardDep, flags_public
from gateway.routers.runtime_config import ADMIN_ERRORS
from gateway.traffic import MINUTES, VariantTraffic

router = APIRouter(prefix="/api/runtime-config", tags=["runtime-config"])
SHADOW_RESULTS = ("match", "mismatch", "noise", "error", "dropped", "skipped")


class ShadowCounts(WireModel):
    """Requests picked for mirroring by result since this process started (SHADOW_PERCENT >
    0); gateway/shadow.py says what each result means."""

    match: int = 0
    mismatch: int = 0
    noise: int = 0
    error: int = 0
    dropped: int = 0
    skipped: int = 0


class OpsSummaryPublic(WireModel):
    generated_at: datetime = Field(alias="generatedAt")
    window_minutes: int = Field(alias="windowMinutes")
    flags: dict[str, object]
    flags_age_s: float = Field(alias="flagsAgeS")
    variants: dict[str, VariantTraffic]
    fallbacks: int = Field(description="shared-route requests v1 served after v2 failed")
    shadow: ShadowCounts
    guard: GuardPublic
    audit: list[dict[str, object]] = Field(description="the newest flag changes first")
    audit_error: str | None = Field(default=None, alias="auditError")


@router.get(
    "/ops",
    response_model=OpsSummaryPublic,
    response_model_exclude_none=True,
    responses=ADMIN_ERRORS,
)
async def read_ops_summary(
    request: Request,
    _actor: AdminDep,
    flags: FlagsDep,
    cache: FlagCacheDep,
    guard: GuardDep,
    minutes: Annotated[int, Query(ge=1, le=MINUTES)] = 15,
    audit: Annotated[int, Query(ge=0, le=100, description="audit entries (0: none)")] = 20,
) -> OpsSummaryPublic:
    """Show flags, per-variant rate, error rate and p95 of the last minutes, and the audit."""
    metrics: GatewayMetrics = request.app.state.metrics
    entries: list[dict[str, object]] = []
    audit_error = None
    if audit:
        try:
            found = await asyncio.to_thread(list_audit, cache.engine, limit=audit)
            entries = [audit_dict(entry) for entry in found]
        except SQLAlchemyError as exc:
            if (fault := storage_fault(exc)) is None:
                raise
            audit_error = fault.message
    shadow = metrics.totals(metrics.shadow, "result")
    return OpsSummaryPublic(
        generated_at=datetime.fromtimestamp(metrics.recent.clock(), UTC),
        window_minutes=minutes,
        flags=flags_public(flags),
        flags_age_s=round(cache.age_s, 1),
        variants=metrics.recent_window(minutes),
        fallbacks=sum(metrics.totals(metrics.fallbacks, "cause").values()),
        shadow=ShadowCounts(**{k: v for k, v in shadow.items() if k in SHADOW_RESULTS}),
        guard=guard.public(),
        audit=entries,
        audit_error=audit_error,
    )
