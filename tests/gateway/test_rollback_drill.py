"""Acceptance 2: the rollback drill on two real gateway processes sharing one database.

A load generator sends >= 50 requests/s for 10 s, spread over both processes, while an
operator flips the flag to v2 through process A and rolls back through it again. No
request may fail, both processes follow each change within 1 s, and every request sent
after the rollback returned (plus 1 s) is answered by v1. Bounded: it stops by itself.
"""

from __future__ import annotations

import asyncio
import time
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.gateway.conftest import ADMIN
from tests.utils.server import running_gateway

ROOT = Path(__file__).resolve().parents[2]
DURATION_S, RATE, FLIP_AT_S, ROLLBACK_AT_S = 10.0, 80, 2.5, 6.0
pytestmark = pytest.mark.slow


@dataclass
class Sample:
    sent: float
    process: int
    status: int
    variant: str


def gateway_process(tmp_path: Path) -> AbstractContextManager[str]:
    """One gateway process on the shared database, with the admin API enabled."""
    return running_gateway(
        tmp_path,
        {
            "LOG_LEVEL": "WARNING",
            "ADMIN_TOKEN": ADMIN["Authorization"].removeprefix("Bearer "),
            "FEATURE_FLAG_USE_V2": "false",
            "CANARY_PERCENT": "0",
            "SHADOW_PERCENT": "0",
        },
    )


async def _load(urls: list[str], start: float) -> list[Sample]:
    samples: list[Sample] = []
    async with httpx.AsyncClient(timeout=10) as client:

        async def one(n: int) -> None:
            sent = time.monotonic() - start
            try:
                response = await client.get(
                    urls[n % 2] + "/api/v1/criteria", headers={"X-User-Id": f"u{n}"}
                )
                samples.append(
                    Sample(sent, n % 2, response.status_code, response.headers.get("X-Variant", ""))
                )
            except httpx.HTTPError:
                samples.append(Sample(sent, n % 2, 0, "error"))

        tasks = []
        for n in range(int(DURATION_S * RATE)):
            await asyncio.sleep(max(0.0, start + n / RATE - time.monotonic()))
            tasks.append(asyncio.ensure_future(one(n)))
        await asyncio.gather(*tasks)
    return samples


async def _operate(url: str, start: float) -> dict[str, float]:
    flags = url + "/api/runtime-config/flags"
    async with httpx.AsyncClient(timeout=10) as client:
        await asyncio.sleep(FLIP_AT_S)
        response = await client.patch(flags, json={"featureFlagUseV2": True}, headers=ADMIN)
        assert response.status_code == 200
        flipped = time.monotonic() - start
        await asyncio.sleep(max(0.0, ROLLBACK_AT_S - flipped))
        response = await client.post(flags + "/rollback", json={"reason": "drill"}, headers=ADMIN)
        assert response.status_code == 200
        return {"flipped": flipped, "rolled_back": time.monotonic() - start}


async def _drill(urls: list[str]) -> tuple[list[Sample], dict[str, float]]:
    start = time.monotonic()
    samples, marks = await asyncio.gather(_load(urls, start), _operate(urls[0], start))
    return samples, marks


def test_rollback_drill_two_processes(tmp_path: Path) -> None:
    with gateway_process(tmp_path) as first, gateway_process(tmp_path) as second:
        samples, marks = asyncio.run(_drill([first, second]))
    assert len(samples) >= 50 * DURATION_S
    assert [s for s in samples if s.status != 200] == []
    for process in (0, 1):
        mine = [s for s in samples if s.process == process]
        assert {s.variant for s in mine if s.sent < FLIP_AT_S} == {"v1"}
        on_v2 = [s for s in mine if marks["flipped"] + 1 <= s.sent < ROLLBACK_AT_S]
        assert on_v2 and {s.variant for s in on_v2} == {"v2"}
        after = [s for s in mine if s.sent >= marks["rolled_back"] + 1]
        assert after and {s.variant for s in after} == {"v1"}
