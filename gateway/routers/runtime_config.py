"""Run-time configuration: read it, change the flags, roll back, read the audit, explain.

Changes need the admin token; reading the flags and explaining a key do not (they
reveal no secret: secrets appear only as booleans).
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, model_validator

from core.engines import engine_status
from core.exceptions import InvalidRequest
from core.settings import SECRET_FIELDS, VARIANTS, Settings, redacted_url
from core.store.flags import ROLLBACK, FlagChange, audit_dict, list_audit
from core.vectors import provider_status
from edge.admin import AdminDep
from edge.openapi import error_responses
from gateway.bucketing import bucket_for, decide
from gateway.ramp import check_ramp
from gateway.routers.deps import (
    FlagCacheDep,
    FlagsDep,
    GuardDep,
    SettingsDep,
    ShadowReportDep,
    flags_public,
)

router = APIRouter(prefix="/api/runtime-config", tags=["runtime-config"])
ADMIN_ERRORS = error_responses(
    {401: "no or a wrong admin token", 403: "the admin API is disabled (no ADMIN_TOKEN)"}
)
RAMP_ERRORS = error_responses(
    {409: "a ramp of v2 refused: shadow mismatches above SHADOW_MAX_MISMATCH (send force)"}
)
Percent = Annotated[StrictInt, Field(ge=0, le=100)]
# No NUL: PostgreSQL cannot store it in the audit row (SQLite can; both must answer alike).
Reason = Annotated[str, Field(max_length=500, pattern=r"^[^\x00]*$")]


class FlagsUpdate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        alias_generator=lambda name: {
            "use_v2": "featureFlagUseV2",
            "canary_percent": "canaryPercent",
            "shadow_percent": "shadowPercent",
        }.get(name, name),
    )

    use_v2: StrictBool | None = None
    canary_percent: Percent | None = None
    shadow_percent: Percent | None = None
    reason: Reason = ""
    force: StrictBool = Field(
        default=False, description="ramp v2 up although shadow mode shows mismatches (audited)"
    )

    @model_validator(mode="after")
    def _something_to_change(self) -> FlagsUpdate:
        if self.use_v2 is None and self.canary_percent is None and self.shadow_percent is None:
            raise ValueError("give at least one of featureFlagUseV2, canaryPercent, shadowPercent")
        return self


class RollbackRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Reason = ""


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.capitalize() for part in rest)


def effective_settings(settings: Settings) -> dict[str, object]:
    """Every setting in force, secrets reduced to whether they are set, URLs redacted."""
    shown: dict[str, object] = {}
    for name in type(settings).model_fields:
        value = getattr(settings, name)
        if name in SECRET_FIELDS:
            shown[_camel(name) + "Present"] = bool(value)
        elif name.endswith("_url") and isinstance(value, str):
            shown[_camel(name)] = redacted_url(value)
        else:
            shown[_camel(name)] = str(value) if isinstance(value, Path) else value
    return shown


@router.get("")
async def read_runtime_config(
    settings: SettingsDep, flags: FlagsDep, guard: GuardDep
) -> dict[str, object]:
    """Show the flags in force (with epoch and source), the engine and embeddings provider
    and why (`engine`: v1's, `variants`: each variant's), the SLO guard's state and last
    decision, and the settings."""
    return {
        "flags": flags_public(flags),
        "guard": guard.public().model_dump(by_alias=True, mode="json"),
        "engine": {**engine_status(settings), "embeddings": provider_status(settings)},
        "variants": {variant: engine_status(settings, variant) for variant in VARIANTS},
        "settings": effective_settings(settings),
    }


@router.patch("/flags", responses=ADMIN_ERRORS | RAMP_ERRORS)
async def update_flags(
    body: FlagsUpdate,
    actor: AdminDep,
    cache: FlagCacheDep,
    settings: SettingsDep,
    shadow: ShadowReportDep,
) -> dict[str, object]:
    """Change any of the flags; every change is audited and bumps the epoch. A ramp of v2 is
    refused while shadow mode shows too many mismatches, unless forced."""
    change = FlagChange(body.use_v2, body.canary_percent, body.shadow_percent)
    note = check_ramp(
        shadow, cache.current(), change, max_mismatch=settings.shadow_max_mismatch, force=body.force
    )
    reason = (body.reason + note)[:500]
    flags, changed = await cache.change(change, actor=actor, reason=reason, source="api")
    return {"flags": flags_public(flags), "changed": changed}


@router.post("/flags/rollback", responses=ADMIN_ERRORS)
async def rollback_flags(
    actor: AdminDep, cache: FlagCacheDep, body: RollbackRequest | None = None
) -> dict[str, object]:
    """Send all traffic to v1 in one step: flag off, canary and shadow at 0."""
    reason = body.reason if body and body.reason else "rollback"
    flags, changed = await cache.change(ROLLBACK, actor=actor, reason=reason, source="api")
    return {"flags": flags_public(flags), "changed": changed}


@router.get("/shadow", responses=ADMIN_ERRORS)
async def read_shadow_report(
    _actor: AdminDep, settings: SettingsDep, flags: FlagsDep, shadow: ShadowReportDep
) -> dict[str, object]:
    """Show what shadow mode compared over its window, per route: matched, mismatched,
    noise, verdict agreement, score deltas, and the paths (with types) that differ."""
    return {
        **shadow.report(),
        "shadowPercent": flags.shadow_percent,
        "noisePercent": settings.shadow_noise_percent,
        "scoreTolerance": settings.shadow_score_tolerance,
        "maxMismatch": settings.shadow_max_mismatch,
    }


@router.get("/flags/audit", responses=ADMIN_ERRORS)
async def read_flag_audit(
    _actor: AdminDep, cache: FlagCacheDep, limit: Annotated[int, Query(ge=1, le=1000)] = 100
) -> dict[str, object]:
    """List the latest flag changes, newest first: who, when, why, old and new values."""
    entries = await asyncio.to_thread(list_audit, cache.engine, limit=limit)
    return {"items": [audit_dict(entry) for entry in entries], "count": len(entries)}


@router.get("/explain")
async def explain_key(
    settings: SettingsDep,
    flags: FlagsDep,
    key: Annotated[str, Query(min_length=1, max_length=256)],
) -> dict[str, object]:
    """Show the bucket of a sticky key and the variant a shared route would give it now."""
    if not key.strip():
        raise InvalidRequest("key must not be blank")
    bucket = bucket_for(settings.canary_group, key)
    decision = decide("shared", flags, bucket, None)
    return {
        "key": key,
        "group": settings.canary_group,
        "bucket": bucket,
        "variant": decision.variant,
        "reason": decision.reason,
        "flags": flags_public(flags),
    }
