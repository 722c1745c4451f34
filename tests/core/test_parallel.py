"""The parallel runner: order, bounded parallelism, isolated failures, cancellation on close."""

from __future__ import annotations

import threading

import pytest

from core.logging import request_id_var
from core.parallel import run_ordered


@pytest.mark.parametrize(("max_parallel", "batch_size"), [(1, 1), (4, 2), (16, 20)])
def test_run_ordered_yields_in_input_order(max_parallel: int, batch_size: int) -> None:
    outcomes = list(
        run_ordered(lambda n: n * n, range(50), max_parallel=max_parallel, batch_size=batch_size)
    )
    assert [(o.index, o.item, o.result) for o in outcomes] == [(n, n, n * n) for n in range(50)]


@pytest.mark.parametrize("max_parallel", [1, 3, 8])
def test_run_ordered_keeps_max_parallel_in_flight(max_parallel: int) -> None:
    lock, barrier = threading.Lock(), threading.Barrier(max_parallel, timeout=10)
    state = {"now": 0, "peak": 0}

    def work(_n: int) -> None:
        with lock:
            state["now"] += 1
            state["peak"] = max(state["peak"], state["now"])
        barrier.wait()  # every wave reaches max_parallel calls at once, or the test fails
        with lock:
            state["now"] -= 1

    list(run_ordered(work, range(max_parallel * 4), max_parallel=max_parallel, batch_size=5))
    assert state["peak"] == max_parallel


def test_run_ordered_failure_reported_others_complete() -> None:
    def work(n: int) -> int:
        if n == 2:
            raise ValueError("boom")
        return n

    outcomes = list(run_ordered(work, range(5), max_parallel=2, batch_size=2))
    assert [o.ok for o in outcomes] == [True, True, False, True, True]
    assert isinstance(outcomes[2].error, ValueError)
    assert [o.result for o in outcomes if o.ok] == [0, 1, 3, 4]


def test_run_ordered_close_cancels_queued_work() -> None:
    started: list[int] = []
    gate = threading.Event()

    def work(n: int) -> int:
        started.append(n)
        if n > 0:
            gate.wait(timeout=10)
        return n

    outcomes = run_ordered(work, range(100), max_parallel=2, batch_size=3)
    assert next(outcomes).index == 0
    outcomes.close()
    gate.set()
    workers = [t for t in threading.enumerate() if t.name.startswith("reqgate-batch")]
    for thread in workers:
        thread.join(timeout=10)
    assert not any(t.is_alive() for t in workers)
    # Item 0 was consumed and items 1-2 at most were running; the queued 3-5 were cancelled.
    assert set(started) <= {0, 1, 2}


def test_run_ordered_reads_input_lazily() -> None:
    consumed: list[int] = []

    def numbers() -> object:
        for n in range(1000):
            consumed.append(n)
            yield n

    outcomes = run_ordered(
        lambda n: n,
        numbers(),
        max_parallel=2,  # type: ignore[arg-type]
        batch_size=3,
    )
    next(outcomes)
    outcomes.close()
    assert len(consumed) <= 2 + 3 + 1


def test_run_ordered_workers_see_request_id() -> None:
    token = request_id_var.set("req-42")
    try:
        seen = list(
            run_ordered(lambda _n: request_id_var.get(), range(3), max_parallel=2, batch_size=1)
        )
    finally:
        request_id_var.reset(token)
    assert [o.result for o in seen] == ["req-42"] * 3
