"""The guard across processes: two real gateway processes on one database, v2 failing behind
dev/faulty_v2.py, load spread over both at CANARY_PERCENT=50. The decision is taken once
(exactly one audit row with source guard), and both processes follow it within 1 s."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from core.store.db import create_db_engine
from core.store.flags import list_audit
from core.store.models import as_utc
from dev.faulty_v2 import Faults, serving
from tests.utils.server import running_gateway

RATE, MAX_S, AFTER_S = 50, 15.0, 3.0
pytestmark = pytest.mark.slow


@dataclass
class Sample:
    sent: float  # wall clock
    process: int
    reason: str


async def _watch(url: str, decided: asyncio.Event) -> None:
    async with httpx.AsyncClient(timeout=10) as client:
        while (await client.get(url + "/api/runtime-config")).json()["guard"][
            "lastDecision"
        ] is None:
            await asyncio.sleep(0.2)
    decided.set()


async def _load(urls: list[str]) -> list[Sample]:
    """~RATE requests/s over both processes, until AFTER_S after the second process shows
    the guard's decision (or MAX_S)."""
    samples: list[Sample] = []
    decided = asyncio.Event()
    watcher = asyncio.create_task(_watch(urls[1], decided))
    async with httpx.AsyncClient(timeout=10) as client:

        async def one(n: int) -> None:
            sent = time.time()
            response = await client.get(
                urls[n % 2] + "/api/v1/criteria", headers={"X-User-Id": f"user-{n}"}
            )
            assert response.status_code == 200  # a v2 failure falls back to v1
            samples.append(Sample(sent, n % 2, response.headers["X-Variant-Reason"]))

        start, tasks, stop_at = time.monotonic(), [], time.monotonic() + MAX_S
        for n in range(int(MAX_S * RATE)):
            await asyncio.sleep(max(0.0, start + n / RATE - time.monotonic()))
            if decided.is_set():
                stop_at = min(stop_at, time.monotonic() + AFTER_S)
            if time.monotonic() >= stop_at:
                break
            tasks.append(asyncio.create_task(one(n)))
        await asyncio.gather(*tasks)
    watcher.cancel()
    return samples


def test_two_gateways_on_one_database_roll_back_once(tmp_path: Path) -> None:
    (tmp_path / "v2").mkdir()
    with serving(Faults(error_rate=0.3), tmp_path / "v2") as v2_url:
        env = {
            "LOG_LEVEL": "WARNING",
            "V2_UPSTREAM_URL": v2_url,
            "CANARY_PERCENT": "50",
            "GUARD_WINDOW_S": "5",
            "GUARD_INTERVAL_S": "0.5",
            "GUARD_MIN_REQUESTS": "20",
        }
        with running_gateway(tmp_path, env) as first, running_gateway(tmp_path, env) as second:
            samples = asyncio.run(_load([first, second]))
    engine = create_db_engine(f"sqlite:///{tmp_path / 'reqgate.db'}")
    [entry] = [e for e in list_audit(engine) if e.source == "guard"]
    engine.dispose()
    assert entry.actor == "guard" and "/api/v1/criteria" in entry.reason
    rolled_back = as_utc(entry.at).timestamp()
    assert rolled_back - samples[0].sent <= 10
    for process in (0, 1):
        before = [s for s in samples if s.process == process and s.sent < rolled_back]
        after = [s for s in samples if s.process == process and s.sent >= rolled_back + 1]
        assert {"canary", "fallback"} & {s.reason for s in before}
        assert after and {s.reason for s in after} == {"default"}
