"""v2 runs without FastAPI's native OpenTelemetry: reqgate configures no provider, and
looking the three up on every request was pure cost (app_v2.main)."""

from __future__ import annotations

import asyncio
from collections import Counter

import httpx
import pytest
from opentelemetry import _logs, metrics, trace

import app_v2.main
from core.settings import Settings


def test_request_looks_up_no_telemetry_provider(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = app_v2.main.create_app(settings)
    lookups: Counter[str] = Counter()
    for module, name in (
        (trace, "get_tracer_provider"),
        (metrics, "get_meter_provider"),
        (_logs, "get_logger_provider"),
    ):
        original = getattr(module, name)

        def counted(*args: object, _name: str = name, _original: object = original) -> object:
            lookups[_name] += 1
            return _original(*args)  # type: ignore[operator]

        monkeypatch.setattr(module, name, counted)

    async def get() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://v2") as client:
            return await client.get("/health")

    assert asyncio.run(get()).status_code == 200
    assert lookups == Counter()
