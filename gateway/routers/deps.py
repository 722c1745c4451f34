"""Request-scoped dependencies of the gateway's own routes."""

from __future__ import annotations

from typing import Annotated, cast

from fastapi import Depends, Request

from core.settings import Settings
from core.store.flags import Flags
from core.store.models import as_utc
from gateway.flags import FlagCache
from gateway.guard import Guard
from gateway.shadow_report import ShadowReport


def _settings(request: Request) -> Settings:
    return cast(Settings, request.app.state.settings)  # app.state is untyped


def _flag_cache(request: Request) -> FlagCache:
    return cast(FlagCache, request.app.state.flags)


def _shadow_report(request: Request) -> ShadowReport:
    return cast(ShadowReport, request.app.state.shadow)


def _guard(request: Request) -> Guard:
    return cast(Guard, request.app.state.guard)


def _flags(cache: Annotated[FlagCache, Depends(_flag_cache)]) -> Flags:
    return cache.current()  # never waits: these routes answer while the database cannot


SettingsDep = Annotated[Settings, Depends(_settings)]
FlagCacheDep = Annotated[FlagCache, Depends(_flag_cache)]
FlagsDep = Annotated[Flags, Depends(_flags)]
ShadowReportDep = Annotated[ShadowReport, Depends(_shadow_report)]
GuardDep = Annotated[Guard, Depends(_guard)]


def flags_public(flags: Flags) -> dict[str, object]:
    """The flags as the API shows them: values, epoch, source, time of the last change."""
    return {
        **flags.values(),
        "epoch": flags.epoch,
        "source": flags.source,
        "updatedAt": as_utc(flags.updated_at).isoformat() if flags.updated_at else None,
    }
