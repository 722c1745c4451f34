"""v2's own worker threads for the blocking part of a shared route (app_v2.sync_work).

Starlette's run_in_threadpool is anyio's `to_thread.run_sync`: besides the two thread
switches every hand-off needs, it turns the event loop twice more (its checkpoint and its
capacity limiter's), enters a cancel scope, looks the async library up several times and
goes through a queue.Queue with its condition: ~3,300 Python bytecodes a call. This pool
does what a request's one call needs: a SimpleQueue to an idle thread (a new one while
fewer than MAX_THREADS run), the work in a copy of the caller's context, the outcome back
with one call_soon_threadsafe: ~900 bytecodes (docs/benchmarks.md §2, "v2 hot path").

Kept from anyio: the work sees the request's context (request id, a dry run's mark, the
gateway's cancellation of the attempt: core.logging, core.dry_run, core.attempts); at most
MAX_THREADS run at once and more wait their turn; a request cancelled while its work runs
(the gateway's timeout, a client gone) stops waiting at once, as anyio lets a task's
cancel through, and the work runs to its end in its thread, its outcome dropped.
"""

from __future__ import annotations

import asyncio
import contextvars
import itertools
import os
import threading
from collections.abc import Callable
from queue import SimpleQueue
from typing import Any, TypeVar

T = TypeVar("T")
MAX_THREADS = 40  # anyio's default capacity limiter, which bounded this work before
_Item = tuple[
    asyncio.AbstractEventLoop, asyncio.Future[Any], contextvars.Context, Callable[[], Any]
]
_numbers = itertools.count(1)


def _settle(future: asyncio.Future[Any], result: Any, error: BaseException | None) -> None:
    if future.cancelled():  # the request gave up waiting
        return
    if error is None:
        future.set_result(result)
    else:
        future.set_exception(error)


class WorkThreads:
    """At most `max_threads` daemon threads, started as work needs them, kept for more."""

    def __init__(self, max_threads: int = MAX_THREADS) -> None:
        self.max_threads = max_threads
        self._queue: SimpleQueue[_Item] = SimpleQueue()
        self._idle = threading.Semaphore(0)  # released by each thread between its calls
        self._lock = threading.Lock()
        self._threads = 0

    async def run(self, func: Callable[[], T]) -> T:
        """`func()` in one of the threads, in a copy of the current context."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        self._queue.put((loop, future, contextvars.copy_context(), func))
        if not self._idle.acquire(blocking=False):
            self._start_thread()
        return await future

    def _start_thread(self) -> None:
        with self._lock:
            if self._threads >= self.max_threads:
                return  # the item waits for a thread to finish its call
            self._threads += 1
        name = f"v2-work-{next(_numbers)}"
        threading.Thread(target=self._serve, name=name, daemon=True).start()

    def _serve(self) -> None:
        while True:
            loop, future, context, func = self._queue.get()
            result, error = None, None
            try:
                result = context.run(func)
            except BaseException as exc:  # the caller's to raise, as anyio hands it over
                error = exc
            try:
                loop.call_soon_threadsafe(_settle, future, result, error)
            except RuntimeError:  # the loop closed meanwhile: no one waits for it
                pass
            del loop, future, context, func, result, error
            self._idle.release()


_threads = WorkThreads()


def _after_fork() -> None:
    global _threads
    _threads = WorkThreads()  # a forked child has none of its parent's threads


os.register_at_fork(after_in_child=_after_fork)


async def run_in_worker(func: Callable[[], T]) -> T:
    """`func()` in one of v2's worker threads, in a copy of the request's context."""
    return await _threads.run(func)
