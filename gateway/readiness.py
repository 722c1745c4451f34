"""Readiness checks: database writes, the vector store and (when remote) the v2 upstream.

Each check raises on failure; all run concurrently with one time limit, so /readyz
answers within CHECK_TIMEOUT_S even when a dependency hangs.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable

import httpx
from sqlalchemy.engine import Engine

from core.exceptions import ApiError
from core.settings import Settings
from core.store.health import check_writes
from gateway.upstream import HttpUpstream

CHECK_TIMEOUT_S = 2.0
Check = Callable[[], Awaitable[None]]


def database_check(engine: Engine) -> Check:
    """Ready only while writes work: a database that answers reads but refuses writes
    (full, read-only, locked) fails every request that stores a result."""

    async def check() -> None:
        await asyncio.to_thread(check_writes, engine)

    return check


def vector_store_check(settings: Settings) -> Check:
    """A Qdrant server must answer /readyz; embedded mode needs a writable QDRANT_PATH."""

    async def check() -> None:
        if settings.qdrant_url:
            async with httpx.AsyncClient(timeout=CHECK_TIMEOUT_S) as client:
                response = await client.get(settings.qdrant_url.rstrip("/") + "/readyz")
            if response.status_code != 200:
                raise RuntimeError(f"qdrant answered {response.status_code}")
            return
        path = settings.qdrant_path
        existing = path if path.exists() else next(p for p in path.parents if p.exists())
        if not (existing.is_dir() and os.access(existing, os.W_OK)):
            raise RuntimeError("QDRANT_PATH is not a writable directory")

    return check


def build_checks(
    settings: Settings, engine: Engine, upstream: HttpUpstream | None
) -> dict[str, Check]:
    checks = {"database": database_check(engine), "vectors": vector_store_check(settings)}
    if upstream is not None:
        checks["v2Upstream"] = upstream.check
    return checks


async def _outcome(check: Check) -> str:
    try:
        await asyncio.wait_for(check(), CHECK_TIMEOUT_S)
    except TimeoutError:
        return "failed: timed out"
    except ApiError as exc:  # its message is written for clients: no secret, no path
        return f"failed: {exc.message}"
    except Exception as exc:  # noqa: BLE001  a readiness probe reports every failure by name
        return f"failed: {type(exc).__name__}"
    return "ok"


async def run_checks(checks: dict[str, Check]) -> dict[str, str]:
    """Each check's outcome: "ok" or "failed: <kind of error>" (no driver messages, no
    secrets)."""
    outcomes = await asyncio.gather(*(_outcome(check) for check in checks.values()))
    return dict(zip(checks, outcomes, strict=True))
