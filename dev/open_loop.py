"""An open-loop load generator: requests sent on a fixed schedule, whatever the answers do.

A closed loop (wrk, a client that waits for each answer) slows down with the server and
hides queueing; here request i is due at start + i / rate, and its latency is measured from
that due time, so a stall shows in the tail as it would for real users (no coordinated
omission). The run is bounded: nothing is sent after `seconds`, and answers still missing
`grace_s` later count as errors (timeouts). The client is aiohttp's (a dependency already,
through the OpenAI SDK): it spends about a tenth of httpx's CPU per request here, and the
load generator's own CPU is what caps the rate a bench can offer from one core.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from multidict import CIMultiDictProxy


@dataclass(frozen=True, slots=True)
class Answer:
    index: int  # which request (the argument of the Request callable)
    latency_ms: float  # from the request's due time to the last byte of its answer
    status: int
    variant: str  # X-Variant, "-" without


@dataclass
class Figures:
    """What one run measured: every answer, and how many requests got none."""

    rate: float
    seconds: float
    answers: list[Answer] = field(default_factory=list)
    errors: int = 0  # no answer at all (connection error, timeout)

    def where(self, keep: Callable[[Answer], bool]) -> Figures:
        """The same run restricted to some answers (a route, a variant), for a breakdown."""
        return Figures(self.rate, self.seconds, [a for a in self.answers if keep(a)])

    def quantile(self, q: float) -> float:
        if not self.answers:
            return float("nan")
        ordered = sorted(a.latency_ms for a in self.answers)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]

    @property
    def achieved_rate(self) -> float:
        return len(self.answers) / self.seconds

    @property
    def server_errors(self) -> int:
        return sum(a.status >= 500 for a in self.answers) + self.errors

    def summary(self) -> dict[str, Any]:
        statuses: dict[int, int] = {}
        for answer in self.answers:
            statuses[answer.status] = statuses.get(answer.status, 0) + 1
        latencies = [a.latency_ms for a in self.answers]
        return {
            "rate": self.rate,
            "achieved": round(self.achieved_rate, 1),
            "p50": round(self.quantile(0.50), 2),
            "p95": round(self.quantile(0.95), 2),
            "p99": round(self.quantile(0.99), 2),
            "mean": round(statistics.fmean(latencies), 2) if latencies else None,
            "errors": self.server_errors,
            "statuses": dict(sorted(statuses.items())),
        }


Request = Callable[[int], tuple[str, str, Mapping[str, str], bytes]]
OnAnswer = Callable[[float, int, "CIMultiDictProxy[str]"], None]


async def run_open_loop(
    base_url: str,
    request: Request,
    *,
    rate: float,
    seconds: float,
    grace_s: float = 10.0,
    on_answer: OnAnswer | None = None,
    max_connections: int = 1024,
) -> Figures:
    """Send request(i) (method, path, headers, body) at `rate` per second for `seconds`;
    `on_answer(time, status, headers)` sees each answer as it arrives."""
    figures = Figures(rate, seconds)
    connector = aiohttp.TCPConnector(limit=max_connections)
    timeout = aiohttp.ClientTimeout(total=seconds + grace_s)
    async with aiohttp.ClientSession(base_url, connector=connector, timeout=timeout) as client:
        start = time.perf_counter()
        tasks = []
        for i in range(int(rate * seconds)):
            due = start + i / rate
            delay = due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            sent = _send(client, i, request(i), due, figures, on_answer)
            tasks.append(asyncio.create_task(sent))
        await asyncio.wait(tasks, timeout=grace_s) if tasks else None
        for task in tasks:
            if not task.done():
                task.cancel()
                figures.errors += 1
    return figures


async def _send(
    client: aiohttp.ClientSession,
    index: int,
    request: tuple[str, str, Mapping[str, str], bytes],
    due: float,
    figures: Figures,
    on_answer: OnAnswer | None,
) -> None:
    method, path, headers, body = request
    try:
        async with client.request(method, path, headers=headers, data=body or None) as response:
            await response.read()
    except (aiohttp.ClientError, TimeoutError):
        figures.errors += 1
        return
    done = time.perf_counter()
    variant = response.headers.get("x-variant", "-")
    figures.answers.append(Answer(index, (done - due) * 1000, response.status, variant))
    if on_answer is not None:
        on_answer(done, response.status, response.headers)
