"""The one event loop, on a daemon thread, on which every LLM call of the process runs.

Flask threads, batch worker threads and FastAPI's thread pool all hand their LLM work to
this loop (`call`), so they share one HTTP connection pool, one answer cache and one
MAX_PARALLEL semaphore. (An aiohttp session or asyncio.Semaphore belongs to the loop that
first uses it; sharing them across the callers' own loops would break.)
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")

_lock = threading.Lock()
_loop: asyncio.AbstractEventLoop | None = None
_thread: threading.Thread | None = None
_pid: int | None = None


def _running_loop() -> asyncio.AbstractEventLoop:
    """The LLM loop, started on first use and again in a forked worker (threads don't fork)."""
    global _loop, _thread, _pid
    with _lock:
        if _loop is None or _pid != os.getpid() or _thread is None or not _thread.is_alive():
            _loop = asyncio.new_event_loop()
            _thread = threading.Thread(target=_loop.run_forever, name="reqgate-llm", daemon=True)
            _thread.start()
            _pid = os.getpid()
        return _loop


def on_llm_thread() -> bool:
    return _thread is not None and threading.current_thread() is _thread


def call(coro: Coroutine[Any, Any, T], timeout: float | None = None) -> T:
    """Run the coroutine on the LLM loop and block this thread until it is done."""
    if on_llm_thread():
        coro.close()
        raise RuntimeError("blocking LLM call from the LLM loop itself would deadlock")
    return asyncio.run_coroutine_threadsafe(coro, _running_loop()).result(timeout)
