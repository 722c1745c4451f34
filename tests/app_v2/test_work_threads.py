"""v2's own worker threads (app_v2.work_threads): results, errors and the caller's
context cross over; at most max_threads run at once; a caller that gives up is not
waited for, and its thread goes on serving."""

from __future__ import annotations

import asyncio
import threading
import time
from contextvars import ContextVar

import pytest

from app_v2.work_threads import WorkThreads

marker: ContextVar[str] = ContextVar("marker", default="unset")


def test_run_returns_the_result_from_another_thread() -> None:
    threads = WorkThreads(2)
    caller = threading.get_ident()
    assert asyncio.run(threads.run(threading.get_ident)) != caller


def test_run_raises_the_work_error() -> None:
    def fail() -> None:
        raise LookupError("no such row")

    with pytest.raises(LookupError, match="no such row"):
        asyncio.run(WorkThreads(2).run(fail))


def test_work_sees_a_copy_of_the_callers_context() -> None:
    def read_and_change() -> str:
        seen = marker.get()
        marker.set("changed in the thread")
        return seen

    async def call() -> tuple[str, str]:
        marker.set("request 7")
        seen = await WorkThreads(2).run(read_and_change)
        return seen, marker.get()

    assert asyncio.run(call()) == ("request 7", "request 7")


def test_at_most_max_threads_run_at_once() -> None:
    threads, lock = WorkThreads(2), threading.Lock()
    running, peak = [0], [0]

    def work() -> None:
        with lock:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
        time.sleep(0.05)
        with lock:
            running[0] -= 1

    async def five() -> None:
        await asyncio.gather(*(threads.run(work) for _ in range(5)))

    asyncio.run(five())
    assert peak[0] == 2


def test_cancelled_caller_stops_waiting_and_the_thread_serves_on() -> None:
    threads, release, finished = WorkThreads(1), threading.Event(), threading.Event()

    def slow() -> None:
        release.wait(5)
        finished.set()

    errors: list[dict[str, object]] = []

    async def give_up_then_call_again() -> int:
        asyncio.get_running_loop().set_exception_handler(lambda _loop, error: errors.append(error))
        task = asyncio.create_task(threads.run(slow))
        await asyncio.sleep(0.05)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task  # at once: the work still runs
        assert not finished.is_set()
        release.set()
        return await threads.run(lambda: 42)

    assert asyncio.run(give_up_then_call_again()) == 42
    assert finished.is_set()
    assert errors == []  # the late outcome was dropped, not set on the cancelled future


def test_thread_serves_on_after_its_callers_loop_closed() -> None:
    threads, started, release = WorkThreads(1), threading.Event(), threading.Event()

    def work() -> None:
        started.set()
        release.wait(5)

    async def start_and_leave() -> None:
        pending = asyncio.create_task(threads.run(work))
        await asyncio.to_thread(started.wait, 5)
        pending.cancel()

    asyncio.run(start_and_leave())  # the loop closes while the work still runs
    release.set()  # its outcome now has no loop to go to
    assert asyncio.run(asyncio.wait_for(threads.run(lambda: "next"), 2)) == "next"
