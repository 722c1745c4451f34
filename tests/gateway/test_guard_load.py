"""The guard in a running gateway (in-process, lifespan on) under steady load at
CANARY_PERCENT=50: a failing or slow v2 is rolled back within 10 s of its first request and
audited with source guard and the figures; a healthy v2 is left alone.

Compressed settings keep it short (window 5 s, interval 0.5 s, 20 requests); the load is a
fixed arrival schedule of ~50 requests/s, whatever the gateway's pace.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx
from starlette.types import ASGIApp, Message, Receive, Scope, Send

import gateway.app
from tests.conftest import SettingsFactory
from tests.gateway.conftest import ADMIN, ADMIN_TOKEN
from tests.gateway.fakes import answering

RATE = 50
ROUTE = "/api/v1/criteria"
COMPRESSED = {
    "admin_token": ADMIN_TOKEN,
    "canary_percent": 50,
    "guard_window_s": 5,
    "guard_interval_s": 0.5,
    "guard_min_requests": 20,
}


@dataclass
class Sample:
    sent: float  # wall clock
    reason: str


@asynccontextmanager
async def lifespan(app: ASGIApp) -> AsyncIterator[None]:
    """Run the app's lifespan (the guard's task) around the block, as a server does."""
    inbox: asyncio.Queue[Message] = asyncio.Queue()
    outbox: asyncio.Queue[Message] = asyncio.Queue()
    scope = {"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}
    task = asyncio.create_task(app(scope, inbox.get, outbox.put))
    await inbox.put({"type": "lifespan.startup"})
    assert (await outbox.get())["type"] == "lifespan.startup.complete"
    try:
        yield
    finally:
        await inbox.put({"type": "lifespan.shutdown"})
        assert (await outbox.get())["type"] == "lifespan.shutdown.complete"
        await task


def failing_every(nth: int) -> ASGIApp:
    """v2 answering 500 to every nth request (20 % for nth=5)."""
    ok, failing, count = answering("v2"), answering("v2", status=500), itertools.count(1)

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await (failing if next(count) % nth == 0 else ok)(scope, receive, send)

    return app


def slow(seconds: float) -> ASGIApp:
    ok = answering("v2")

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await asyncio.sleep(seconds)
        await ok(scope, receive, send)

    return app


async def _load(client: httpx.AsyncClient, seconds: float, stop: asyncio.Event) -> list[Sample]:
    samples: list[Sample] = []

    async def one(n: int) -> None:
        sent = time.time()
        response = await client.get(ROUTE, headers={"X-User-Id": f"user-{n}"})
        assert response.status_code == 200
        samples.append(Sample(sent, response.headers["X-Variant-Reason"]))

    start, tasks = time.monotonic(), []
    for n in range(int(seconds * RATE)):
        await asyncio.sleep(max(0.0, start + n / RATE - time.monotonic()))
        if stop.is_set():
            break
        tasks.append(asyncio.create_task(one(n)))
    await asyncio.gather(*tasks)
    return samples


async def _watch(client: httpx.AsyncClient, stop: asyncio.Event, after_s: float) -> Any:
    """The guard's last decision once there is one; the load stops `after_s` later."""
    while True:
        guard = (await client.get("/api/runtime-config")).json()["guard"]
        if guard["lastDecision"] is not None:
            await asyncio.sleep(after_s)
            stop.set()
            return guard
        await asyncio.sleep(0.1)


async def _run(app: ASGIApp, seconds: float) -> tuple[float, list[Sample], Any, list[Any]]:
    stop = asyncio.Event()
    transport = httpx.ASGITransport(app=app)
    async with lifespan(app), httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        started = time.time()
        watcher = asyncio.create_task(_watch(client, stop, after_s=1.5))
        samples = await _load(client, seconds, stop)
        guard = watcher.result() if watcher.done() else None
        watcher.cancel()
        if guard is None:
            guard = (await client.get("/api/runtime-config")).json()["guard"]
        audit = (await client.get("/api/runtime-config/flags/audit", headers=ADMIN)).json()
    return started, samples, guard, [e for e in audit["items"] if e["source"] == "guard"]


def _assert_rolled_back(
    make_settings: SettingsFactory, v2: ASGIApp, cause: str, **env: Any
) -> None:
    app = gateway.app.create_app(make_settings(**COMPRESSED, **env), v1=answering("v1"), v2=v2)
    started, samples, guard, audit = asyncio.run(_run(app, seconds=12))
    decided = guard["lastDecision"]
    assert decided is not None and guard["state"] == "rolled_back"
    decided_at = datetime.fromisoformat(decided["at"]).timestamp()
    assert decided_at - started <= 10  # from the first request, which v2 already failed
    [entry] = audit
    assert entry["actor"] == "guard" and entry["new"]["canaryPercent"] == 0
    assert ROUTE in entry["reason"] and cause in entry["reason"] and "v2 n=" in entry["reason"]
    assert decided["route"] == ROUTE and decided["figures"]["causes"] == [cause]
    after = [s for s in samples if s.sent >= decided_at + 1]
    assert after and {s.reason for s in after} == {"default"}


def test_guard_rolls_back_failing_v2_under_load(make_settings: SettingsFactory) -> None:
    _assert_rolled_back(make_settings, failing_every(5), "errorRate")


def test_guard_rolls_back_slow_v2_under_load(make_settings: SettingsFactory) -> None:
    _assert_rolled_back(make_settings, slow(0.4), "p95", latency_slo_ms=150)


def test_guard_leaves_healthy_v2_under_load(make_settings: SettingsFactory) -> None:
    settings = make_settings(**COMPRESSED)
    app = gateway.app.create_app(settings, v1=answering("v1"), v2=answering("v2"))
    _started, samples, guard, audit = asyncio.run(_run(app, seconds=4))
    assert audit == [] and guard["state"] == "watching" and guard["lastDecision"] is None
    assert sum(s.reason == "canary" for s in samples) >= 2 * COMPRESSED["guard_min_requests"]
