"""The one parallel runner of batch work, shared by v1 (Flask) and v2 (FastAPI) and the CLI.

`run_ordered` is a generator: it keeps at most MAX_PARALLEL calls running and at most
BATCH_SIZE further items queued behind them, and yields each outcome in input order as
soon as it and all earlier ones are done. So the first result can be sent while later
ones are still computing, memory stays bounded, and closing the generator (a client
disconnect) stops submitting and cancels everything queued. Calls run in worker threads
with a copy of the caller's context, so log lines keep the request id.

Callers consume the outcomes in their own thread, which is where database writes happen:
one writer, however many engine calls are in flight.
"""

from __future__ import annotations

import contextvars
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Generic, TypeVar

ItemT = TypeVar("ItemT")
ResultT = TypeVar("ResultT")


@dataclass(frozen=True, slots=True)
class Outcome(Generic[ItemT, ResultT]):
    """The result of one item, or the exception its call raised (never both)."""

    index: int
    item: ItemT
    result: ResultT | None = None
    error: Exception | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def run_ordered(
    func: Callable[[ItemT], ResultT],
    items: Iterable[ItemT],
    *,
    max_parallel: int,
    batch_size: int,
) -> Iterator[Outcome[ItemT, ResultT]]:
    """Apply `func` to every item on up to `max_parallel` threads, yielding in input order.

    A call that raises becomes an Outcome with `error`; the other items still complete.
    """
    window = max_parallel + batch_size
    source = enumerate(items)
    pending: deque[tuple[int, ItemT, Future[ResultT]]] = deque()
    executor = ThreadPoolExecutor(max_workers=max_parallel, thread_name_prefix="reqgate-batch")

    def submit_next() -> bool:
        for index, item in source:
            context = contextvars.copy_context()
            pending.append((index, item, executor.submit(context.run, func, item)))
            return True
        return False

    try:
        while len(pending) < window and submit_next():
            pass
        while pending:
            index, item, future = pending.popleft()
            submit_next()
            try:
                yield Outcome(index, item, result=future.result())
            except Exception as exc:  # noqa: BLE001  (any item's failure is reported, not raised)
                yield Outcome(index, item, error=exc)
    finally:
        # Runs on exhaustion and on close(): queued calls are cancelled, running ones are
        # left to finish in the background (threads cannot be interrupted).
        executor.shutdown(wait=False, cancel_futures=True)
