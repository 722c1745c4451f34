"""The SLO guard at full scale (issue 15, acceptance 3): a slow or failing v2 at
CANARY_PERCENT=50 under a steady 50 requests/s is rolled back within 10 s of the breach; a
healthy v2 is never rolled back in 60 s; two gateway processes write one audit row.

Each scenario starts dev/faulty_v2.py (the real v2 app with injected faults) and one or two
`reqgate serve` processes with V2_UPSTREAM_URL pointing at it, on a fresh SQLite database,
the heuristic engine and the guard's default settings (window 30 s, interval 2 s, 50
requests, error delta 0.05, latency ratio 2, SLO 2,000 ms). An open-loop client (a fixed
arrival schedule, async httpx, each request on its own task whatever the others do) sends
POST /api/v1/evaluations with a new X-User-Id each, spread over the gateways; WARM_S in,
the operator ramps to 50 % (PATCH through the admin API). Scenarios:

  slow      v2 waits 3 s before 10 % of its answers (p95 3 s) from the ramp on
  failing   v2 answers 500 to 20 % from the ramp on (the gateway falls back to v1)
  healthy   v2 as it is, for --healthy-s (60) after the ramp
  two       failing, on two gateway processes sharing the database
  degrade   healthy for --degrade-after-s (35) after the ramp, then failing: a v2 that goes
            bad with a full window behind it (POST /_faults on faulty_v2)

Two moments are measured against the guard's audit row: the fault's start (the ramp, or
for degrade the switch; from then on every v2 answer has the fault) and the breach, the
first moment the issue's rule holds on the client's own view of the last 30 s (v2 has 50
requests and its fallbacks and 5xx exceed v1's share + 0.05, or its p95 exceeds max(v1's x
2, 2,000 ms)). Targets: rollback within 10 s of the breach, and of the fault where v2 is
bad from the ramp on; none in the healthy run; one audit row. Also printed: requests sent,
those routed to v2 (canary and fallback), client errors, and per process how long after the
rollback it still sent a request to v2 (negative: none after it).

Usage: python bench/guard.py [--scenarios slow,failing,healthy,two,degrade] [--rate 50]
                             [--seed 0] [--healthy-s 60] [--degrade-after-s 35]
Exit code 1 when a scenario misses its target.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from dev.faulty_v2 import Faults, serving  # noqa: E402
from dev.processes import free_port, running  # noqa: E402

TOKEN = "bench-guard-admin-token-0123456789"
ADMIN = {"Authorization": f"Bearer {TOKEN}"}
WARM_S, AFTER_S, MAX_BREACH_S, TARGET_S = 3.0, 3.0, 30.0, 10.0
# The guard's defaults, which the served gateways run with (core/settings.py)
WINDOW_S, MIN_REQUESTS, ERROR_DELTA, RATIO, SLO_MS = 30.0, 50, 0.05, 2.0, 2000.0
BODY = {
    "requirementText": "The system shall answer every search request within 2 seconds.",
    "context": {"language": "en"},
}
SLOW = Faults(latency_ms=3000, latency_share=0.1)
FAILING = Faults(error_rate=0.2)


@dataclass
class Scenario:
    name: str
    faults: Faults  # from the ramp on (degrade: from the switch on)
    gateways: int = 1
    healthy_s: float = 0.0  # > 0: v2 stays healthy this long after the ramp
    switch_after_s: float | None = None  # degrade: when the faults start


@dataclass
class Sample:
    sent: float  # wall clock
    done: float
    process: int
    status: int
    reason: str

    @property
    def to_v2(self) -> bool:
        return self.reason in ("canary", "fallback")


@dataclass
class Outcome:
    samples: list[Sample] = field(default_factory=list)
    ramped_at: float = 0.0
    fault_at: float = 0.0  # from then on v2 has the fault (the ramp, or the switch)
    rollbacks: list[dict[str, object]] = field(default_factory=list)


@contextmanager
def gateway(data_dir: Path, v2_url: str) -> Iterator[str]:
    """One `reqgate serve` on the shared database, canary at 0 until the ramp."""
    port = free_port()
    env = {
        **os.environ,
        "SQLITE_PATH": str(data_dir / "reqgate.db"),
        "QDRANT_PATH": ":memory:",
        "REQUIREMENTS_MD_PATH": str(ROOT / "docs" / "requirements.md"),
        "V2_UPSTREAM_URL": v2_url,
        "ADMIN_TOKEN": TOKEN,
        "CANARY_PERCENT": "0",
        "FEATURE_FLAG_USE_V2": "false",
        "LOG_LEVEL": "WARNING",
        "API_HOST": "127.0.0.1",
        "API_PORT": str(port),
    }
    url = f"http://127.0.0.1:{port}"
    with running(
        [sys.executable, "-m", "cli.main", "serve"],
        f"{url}/livez",
        env=env,
        cwd=data_dir,
        log_path=data_dir / "gateway.log",
    ):
        yield url


async def _guard_rollbacks(client: httpx.AsyncClient, url: str) -> list[dict[str, object]]:
    audit = (await client.get(url + "/api/runtime-config/flags/audit", headers=ADMIN)).json()
    return [entry for entry in audit["items"] if entry["source"] == "guard"]


async def _operate(
    client: httpx.AsyncClient, urls: list[str], v2_url: str, scenario: Scenario, out: Outcome
) -> None:
    """Ramp, switch the faults on, and watch the audit until the end of the scenario."""
    await asyncio.sleep(WARM_S)
    flags = urls[0] + "/api/runtime-config/flags"
    ramp = {"canaryPercent": 50, "reason": "bench ramp"}
    (await client.patch(flags, json=ramp, headers=ADMIN)).raise_for_status()
    out.ramped_at = out.fault_at = time.time()
    if scenario.switch_after_s is not None:
        await asyncio.sleep(scenario.switch_after_s)
        faults = {"error_rate": scenario.faults.error_rate, "seed": scenario.faults.seed}
        (await client.post(v2_url + "/_faults", json=faults)).raise_for_status()
        out.fault_at = time.time()
    deadline = out.fault_at + (scenario.healthy_s or MAX_BREACH_S)
    while time.time() < deadline and not out.rollbacks:
        await asyncio.sleep(0.25)
        out.rollbacks = await _guard_rollbacks(client, urls[0])
    if out.rollbacks:
        await asyncio.sleep(AFTER_S)  # the load goes on: do the processes follow?
        out.rollbacks = await _guard_rollbacks(client, urls[0])


async def _load(
    client: httpx.AsyncClient, urls: list[str], rate: float, out: Outcome, stop: asyncio.Event
) -> None:
    """Send request n at n / rate s, each on its own task, until `stop`; then await them."""

    async def one(n: int) -> None:
        sent, process = time.time(), n % len(urls)
        try:
            response = await client.post(
                urls[process] + "/api/v1/evaluations",
                json=BODY,
                headers={"X-User-Id": f"user-{n}"},
            )
            reason = response.headers.get("X-Variant-Reason", "")
            out.samples.append(Sample(sent, time.time(), process, response.status_code, reason))
        except httpx.HTTPError:
            out.samples.append(Sample(sent, time.time(), process, 0, "transport-error"))

    start, tasks, n = time.monotonic(), [], 0
    while not stop.is_set():
        await asyncio.sleep(max(0.0, start + n / rate - time.monotonic()))
        tasks.append(asyncio.create_task(one(n)))
        n += 1
    await asyncio.gather(*tasks)


async def _drive(urls: list[str], v2_url: str, scenario: Scenario, rate: float) -> Outcome:
    out, stop = Outcome(), asyncio.Event()
    limits = httpx.Limits(max_connections=500, max_keepalive_connections=100)
    async with httpx.AsyncClient(timeout=30, limits=limits) as client:
        load = asyncio.create_task(_load(client, urls, rate, out, stop))
        try:
            await _operate(client, urls, v2_url, scenario, out)
        finally:
            stop.set()
            await load
    return out


def run(scenario: Scenario, rate: float) -> Outcome:
    root = _tmp_root()
    with tempfile.TemporaryDirectory(prefix="bench-guard-", dir=root) as tmp, ExitStack() as stack:
        data = Path(tmp)
        (data / "v2").mkdir()
        initial = scenario.faults if scenario.switch_after_s is None else Faults()
        v2_url = stack.enter_context(serving(initial, data / "v2"))
        urls = [stack.enter_context(gateway(data, v2_url)) for _ in range(scenario.gateways)]
        return asyncio.run(_drive(urls, v2_url, scenario, rate))


def _tmp_root() -> str | None:
    shm = Path("/dev/shm")
    return str(shm) if shm.is_dir() and os.access(shm, os.W_OK) else None


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) > 1 else values[0]


def _breached(samples: list[Sample], since: float, until: float) -> float | None:
    """When the guard's rule first held, on the client's own view: over the requests that
    completed in the WINDOW_S before t (and after the ramp, where the guard's window starts),
    v2 (canary and fallback) had MIN_REQUESTS and more fallbacks or 5xx than v1's share + the
    delta, or a p95 above max(v1's x the ratio, the SLO). Checked every 0.1 s."""
    done = sorted((s for s in samples if s.done > since), key=lambda s: s.done)
    t = since
    while t <= until:
        window = [s for s in done if max(since, t - WINDOW_S) < s.done <= t]
        v2 = [s for s in window if s.to_v2]
        v1 = [s for s in window if s.reason == "canary-holdout"]
        if len(v2) >= MIN_REQUESTS:
            failed = sum(s.reason == "fallback" or s.status >= 500 for s in v2) / len(v2)
            baseline = len(v1) >= MIN_REQUESTS
            v1_failed = sum(s.status >= 500 for s in v1) / len(v1) if baseline else 0.0
            slo = SLO_MS / 1000
            max_p95 = max(_p95([s.done - s.sent for s in v1]) * RATIO, slo) if baseline else slo
            if failed > v1_failed + ERROR_DELTA or _p95([s.done - s.sent for s in v2]) > max_p95:
                return t
        t += 0.1
    return None


def _report(scenario: Scenario, out: Outcome) -> bool:
    rolled = out.rollbacks[-1] if out.rollbacks else None
    rolled_at = datetime.fromisoformat(str(rolled["at"])).timestamp() if rolled else None
    to_v2 = [s for s in out.samples if s.to_v2]
    after = {}
    for process in range(scenario.gateways):
        mine = [s.sent for s in to_v2 if s.process == process]
        after[process] = round(max(mine) - rolled_at, 2) if mine and rolled_at else None
    breached = _breached(out.samples, out.ramped_at, rolled_at or time.time())
    from_fault = round(rolled_at - out.fault_at, 2) if rolled_at else None
    from_breach = round(rolled_at - breached, 2) if rolled_at and breached else None
    if scenario.healthy_s:
        met = not out.rollbacks
    else:
        met = len(out.rollbacks) == 1 and from_breach is not None and from_breach <= TARGET_S
        if scenario.switch_after_s is None:  # bad from the ramp: the fault is the breach
            met = met and from_fault is not None and from_fault <= TARGET_S
    figures = {
        "scenario": scenario.name,
        "rolledBack": rolled is not None,
        "faultToRollbackS": from_fault,
        "faultToBreachS": round(breached - out.fault_at, 2) if breached else None,
        "breachToRollbackS": from_breach,
        "guardAuditRows": len(out.rollbacks),
        "requests": len(out.samples),
        "toV2": len(to_v2),
        "fallbacks": sum(1 for s in to_v2 if s.reason == "fallback"),
        "clientErrors": sum(1 for s in out.samples if s.status != 200),
        "lastV2RequestAfterRollbackS": after,
        "target": "met" if met else "MISSED",
    }
    print(json.dumps(figures), flush=True)
    if rolled:
        print(f"  audit reason: {rolled['reason']}", flush=True)
    return met


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scenarios", default="slow,failing,healthy,two,degrade")
    parser.add_argument("--rate", type=float, default=50.0)
    parser.add_argument("--healthy-s", type=float, default=60.0)
    parser.add_argument("--degrade-after-s", type=float, default=35.0)
    parser.add_argument("--seed", type=int, default=0, help="of faulty_v2's draws")
    args = parser.parse_args()
    slow, failing = replace(SLOW, seed=args.seed), replace(FAILING, seed=args.seed)
    scenarios = {
        "slow": Scenario("slow", slow),
        "failing": Scenario("failing", failing),
        "healthy": Scenario("healthy", Faults(seed=args.seed), healthy_s=args.healthy_s),
        "two": Scenario("two", failing, gateways=2),
        "degrade": Scenario("degrade", failing, switch_after_s=args.degrade_after_s),
    }
    ok = True
    for name in args.scenarios.split(","):
        ok &= _report(scenarios[name], run(scenarios[name], args.rate))
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
