"""/metrics with several workers (prometheus_client's multiprocess mode): whichever worker
answers, it counts every worker's requests, shows the guard state the latest worker set,
and forgets the gauges of a worker that is gone while keeping its counts.

The workers here are GatewayMetrics of one process whose values are filed under other
process ids, as prometheus_client lets a test do; the real processes are in
tests/integration/test_workers.py."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from prometheus_client import values

from core.store.flags import Flags
from gateway.metrics import MULTIPROC_ENV, GatewayMetrics

REQUEST = {"method": "GET", "route": "/api/v1/criteria", "variant": "v1", "reason": "default"}
SERIES = 'http_requests_total{method="GET",route="/api/v1/criteria",status="200",variant="v1"}'


def _dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


class Worker:
    """A GatewayMetrics whose values (created when first used) are filed under `pid`."""

    def __init__(self, shared_dir: Path, pid: int, monkeypatch: pytest.MonkeyPatch) -> None:
        self.value_class = values.MultiProcessValue(lambda: pid)
        self.monkeypatch = monkeypatch
        with self.running():
            self.metrics = GatewayMetrics(shared_dir=shared_dir)

    @contextmanager
    def running(self) -> Iterator[None]:
        with self.monkeypatch.context() as patched:
            patched.setattr(values, "ValueClass", self.value_class)
            yield

    def serve(self, count: int) -> None:
        with self.running():
            for _ in range(count):
                self.metrics.observe(**REQUEST, status=200, seconds=0.01)

    def show_guard_state(self, state: str) -> None:
        with self.running():
            self.metrics.show_guard_state(state)

    def render(self) -> str:
        with self.running():
            return self.metrics.render(Flags()).decode()


@pytest.fixture
def worker(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[[int], Worker]:
    monkeypatch.setenv(MULTIPROC_ENV, str(tmp_path))  # where the values write their files
    return lambda pid: Worker(tmp_path, pid, monkeypatch)


def _sample(text: str, series: str) -> float:
    [line] = [line for line in text.splitlines() if line.startswith(series + " ")]
    return float(line.rsplit(" ", 1)[1])


def test_metrics_of_either_worker_count_both(worker: Callable[[int], Worker]) -> None:
    first, second = worker(os.getpid()), worker(os.getppid())  # alive, as workers are
    first.serve(3)
    second.serve(2)
    for answering in (first, second):
        text = answering.render()
        assert _sample(text, SERIES) == 5
        count = 'http_request_duration_seconds_count{method="GET",route="/api/v1/criteria"'
        assert _sample(text, count + ',variant="v1"}') == 5
        assert "python_gc_objects_collected_total" not in text  # one worker's alone


def test_metrics_show_the_guard_state_a_worker_set_last(worker: Callable[[int], Worker]) -> None:
    first, second = worker(os.getpid()), worker(os.getppid())
    second.show_guard_state("watching")
    first.show_guard_state("rolled_back")
    text = second.render()
    states = ("off", "idle", "watching", "rolled_back")
    shown = {s: _sample(text, f'reqgate_guard_state{{state="{s}"}}') for s in states}
    assert shown == {"off": 0, "idle": 0, "watching": 0, "rolled_back": 1}


def test_metrics_forget_a_dead_workers_gauges_and_keep_its_counts(
    worker: Callable[[int], Worker],
) -> None:
    alive, gone = worker(os.getpid()), worker(_dead_pid())
    alive.serve(1)
    gone.serve(4)
    alive.show_guard_state("idle")
    gone.show_guard_state("watching")  # later, but its worker is gone
    text = alive.render()
    assert _sample(text, SERIES) == 5
    assert _sample(text, 'reqgate_guard_state{state="idle"}') == 1
    assert _sample(text, 'reqgate_guard_state{state="watching"}') == 0
