"""Serves the v1 WSGI app (Flask) to ASGI with one thread handoff per request.

a2wsgi hops between the event loop and its worker thread for the body read, the response
start and every body chunk, which halves Flask's throughput (shared/PERF.md). This bridge
reads the whole request body on the loop first, bounded by MAX_BODY_BYTES, so a slow or
trickling client costs the loop a coroutine, never one of the few worker threads (issue
12; the gateway's body deadline, gateway/request_body.py, bounds how long the read may
take), and Flask gets a body of known length even when the client sent it chunked: PEP
3333 has no chunked input, and werkzeug reads nothing without CONTENT_LENGTH or
`wsgi.input_terminated`.
It then runs the app and drains a response that declares a small Content-Length in one
thread call, and sends start and body from the loop. A response without a (small)
Content-Length is sent chunk by chunk from the thread, each chunk waiting for the loop
(back-pressure). The threads are bounded (`_Workers`).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextvars
import io
import itertools
import queue
import sys
import threading
import weakref
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from starlette.types import Message, Receive, Scope, Send

from core.contract.bodies import check_body_size
from core.exceptions import ClientClosedRequest

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
Buffered = tuple[int, list[tuple[bytes, bytes]], bytes]

WORKERS = 40  # the default of V1_THREADS
MAX_BODY_BYTES = 1024 * 1024  # the default of MAX_BODY_BYTES
MAX_BUFFERED_RESPONSE = 256 * 1024
# Header names seen are translated to environ keys once; a client inventing names gets no
# more than this many cached, the rest translated each time.
MAX_CACHED_HEADER_NAMES = 256
_ENVIRON_KEYS: dict[bytes, str] = {}


def _content_length(scope: Scope) -> int | None:
    """The declared body size; -1 for a chunked body (size unknown), None for no body."""
    for name, value in scope["headers"]:
        if name == b"content-length":
            return int(value) if value.isdigit() else -1
        if name == b"transfer-encoding":
            return -1
    return None


def build_environ(scope: Scope, body: bytes) -> dict[str, Any]:
    """PEP 3333 environ for an ASGI HTTP scope whose whole body is already read.

    CONTENT_LENGTH is the length read, and the input is marked terminated (as gunicorn
    marks a chunked body it has de-chunked): werkzeug reads no body without either.
    """
    server = scope.get("server") or ("localhost", 80)
    environ: dict[str, Any] = {
        "REQUEST_METHOD": scope["method"],
        "SCRIPT_NAME": scope.get("root_path", "").encode().decode("latin-1"),
        "PATH_INFO": scope["path"].encode().decode("latin-1"),
        "QUERY_STRING": scope["query_string"].decode("latin-1"),
        "SERVER_NAME": server[0],
        "SERVER_PORT": str(server[1] or 80),
        "SERVER_PROTOCOL": f"HTTP/{scope['http_version']}",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": scope.get("scheme", "http"),
        "wsgi.input": io.BytesIO(body),
        "wsgi.input_terminated": True,
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    if scope.get("client"):
        environ["REMOTE_ADDR"], environ["REMOTE_PORT"] = scope["client"][0], str(scope["client"][1])
    for raw_name, raw_value in scope["headers"]:
        name = _ENVIRON_KEYS.get(raw_name) or _environ_key(raw_name)
        value = raw_value.decode("latin-1")
        environ[name] = f"{environ[name]},{value}" if name in environ else value
    if body or "CONTENT_LENGTH" in environ:
        environ["CONTENT_LENGTH"] = str(len(body))
    return environ


def _environ_key(raw_name: bytes) -> str:
    """The environ key of a header name (PEP 3333: HTTP_ and upper case, - as _)."""
    name = raw_name.decode("latin-1").upper().replace("-", "_")
    if name not in ("CONTENT_LENGTH", "CONTENT_TYPE"):
        name = "HTTP_" + name
    if len(_ENVIRON_KEYS) < MAX_CACHED_HEADER_NAMES:
        _ENVIRON_KEYS[raw_name] = name
    return name


async def _read_body(receive: Receive, max_bytes: int) -> bytes:
    """The whole body, refused (413) as soon as it passes max_bytes, or (499) the client left
    before its end: Flask is not called, nobody is there to answer."""
    body = bytearray()
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ClientClosedRequest()
        body += message.get("body", b"")
        check_body_size(len(body), max_bytes)
        if not message.get("more_body", False):
            return bytes(body)


async def _wait_for_disconnect(receive: Receive, disconnected: threading.Event) -> None:
    """Once the body is read, the next message the server sends is the client's disconnect."""
    while (await receive())["type"] != "http.disconnect":
        pass
    disconnected.set()


async def _sent(send: Send, message: Message) -> None:
    """ASGI only promises an awaitable from send(); run_coroutine_threadsafe needs a coroutine."""
    await send(message)


def _start_message(status: str, headers: list[tuple[str, str]]) -> Message:
    return {
        "type": "http.response.start",
        "status": int(status.split(" ", 1)[0]),
        "headers": [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers],
    }


def _declared_small(headers: list[tuple[str, str]]) -> bool:
    for name, value in headers:
        if name.lower() == "content-length":
            return value.isdigit() and int(value) <= MAX_BUFFERED_RESPONSE
    return False


class _Call:
    """One WSGI call, run in a worker thread."""

    def __init__(
        self, app: WSGIApp, loop: asyncio.AbstractEventLoop, receive: Receive, send: Send
    ) -> None:
        self.app, self.loop, self.receive, self.send = app, loop, receive, send
        self.start: tuple[str, list[tuple[str, str]]] | None = None
        self.written: list[bytes] = []
        # Set from the loop when the client goes away: the stream stops pulling chunks and
        # closes the WSGI iterable, so a streaming view stops its remaining work.
        self.disconnected = threading.Event()
        self.watcher: concurrent.futures.Future[None] | None = None

    def start_response(
        self, status: str, headers: list[tuple[str, str]], exc_info: Any = None
    ) -> Callable[[bytes], None]:
        self.start = (status, headers)
        return self.written.append  # the legacy write() callable; Flask never uses it

    def _send_from_thread(self, message: Message) -> None:
        asyncio.run_coroutine_threadsafe(_sent(self.send, message), self.loop).result()

    def run(self, environ: dict[str, Any]) -> Buffered | None:
        """(status, headers, body) for a small response; None when it was streamed."""
        iterable = self.app(environ, self.start_response)
        try:
            chunks: Iterator[bytes] = iter(iterable)
            first = b"" if self.start else next(chunks, b"")  # start_response may be lazy
            assert self.start is not None, "WSGI app returned without calling start_response"
            status, headers = self.start
            if _declared_small(headers):
                body = b"".join([*self.written, first, *chunks])
                start = _start_message(status, headers)
                return start["status"], start["headers"], body
            self._stream(_start_message(status, headers), [*self.written, first], chunks)
            return None
        finally:
            getattr(iterable, "close", lambda: None)()

    def _stream(self, start: Message, head: list[bytes], chunks: Iterator[bytes]) -> None:
        self.watcher = asyncio.run_coroutine_threadsafe(
            _wait_for_disconnect(self.receive, self.disconnected), self.loop
        )
        self._send_from_thread(start)
        for chunk in itertools.chain(head, chunks):
            if self.disconnected.is_set():
                return
            if chunk:
                self._send_from_thread(
                    {"type": "http.response.body", "body": chunk, "more_body": True}
                )
        self._send_from_thread({"type": "http.response.body", "body": b"", "more_body": False})


_Job = tuple[
    asyncio.Future[Any],
    asyncio.AbstractEventLoop,
    contextvars.Context,
    Callable[..., Any],
    tuple[Any, ...],
]


class _Count:
    """Threads started and calls not finished, shared by a pool and its threads."""

    __slots__ = ("lock", "pending", "threads")

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.pending = self.threads = 0


class _Workers:
    """At most `size` threads running calls for event loops, each answered on its caller's loop.

    What loop.run_in_executor over a ThreadPoolExecutor does, minus its bookkeeping: there
    each call is a concurrent Future (with its Condition and callbacks) chained to an asyncio
    Future (callbacks both ways), and a release of the executor's idle semaphore; here a
    queue item and one call_soon_threadsafe back, about half the CPU of a hand-off
    (docs/benchmarks.md §2). Threads start as calls need them; they are daemons (the server
    has finished every request before it exits) and end when the pool is collected, as an
    executor's do. A call whose caller was cancelled before a thread took it is not run,
    as an executor drops a cancelled call.
    """

    def __init__(self, size: int, name: str) -> None:
        if size < 1:
            raise ValueError("size must be at least 1")
        self.size, self.name = size, name
        self._jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._count = _Count()
        weakref.finalize(self, _stop, self._jobs, self._count)

    def run(self, fn: Callable[..., Any], *args: Any) -> asyncio.Future[Any]:
        """Run fn(*args) in a thread, in a copy of the current context; its future."""
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        count = self._count
        with count.lock:
            count.pending += 1
            # every thread has a call (or is about to take one), and there is room for another
            start = count.pending > count.threads and count.threads < self.size
            if start:
                count.threads += 1
        if start:
            name = f"{self.name}_{count.threads}"
            threading.Thread(
                target=_serve, args=(self._jobs, count), name=name, daemon=True
            ).start()
        self._jobs.put((future, loop, contextvars.copy_context(), fn, args))
        return future


def _serve(jobs: queue.SimpleQueue[_Job | None], count: _Count) -> None:
    """A pool thread: runs jobs until the pool is gone."""
    while (job := jobs.get()) is not None:
        _run(job)  # the job's locals go with the call: nothing idles on them
        with count.lock:
            count.pending -= 1


def _stop(jobs: queue.SimpleQueue[_Job | None], count: _Count) -> None:
    for _ in range(count.threads):
        jobs.put(None)


def _run(job: _Job) -> None:
    future, loop, context, fn, args = job
    if future.cancelled():
        return
    result, error = None, None
    try:
        result = context.run(fn, *args)
    except BaseException as exc:  # the caller's to handle, as with an executor
        error = exc
    try:
        loop.call_soon_threadsafe(_settle, future, result, error)
    except RuntimeError:
        pass  # the caller's loop is closed: nobody is left to tell


def _settle(future: asyncio.Future[Any], result: Any, error: BaseException | None) -> None:
    if future.cancelled():
        return  # the caller stopped waiting: nobody wants the result
    if error is None:
        future.set_result(result)
    else:
        future.set_exception(error)


class WsgiBridge:
    """ASGI app serving a WSGI app: the body read on the loop, one handoff for the rest."""

    def __init__(
        self, app: WSGIApp, *, workers: int = WORKERS, max_body_bytes: int = MAX_BODY_BYTES
    ) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.workers = _Workers(workers, "wsgi")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        length = _content_length(scope)
        body = b""
        if length:
            check_body_size(length, self.max_body_bytes)  # declared too large: not read at all
            body = await _read_body(receive, self.max_body_bytes)
        call = _Call(self.app, asyncio.get_running_loop(), receive, send)
        try:
            # in a copy of the context: the request id reaches Flask's log lines
            result = await self.workers.run(call.run, build_environ(scope, body))
        finally:
            if call.watcher is not None:
                call.watcher.cancel()
        if result is not None:
            status, headers, payload = result
            await send({"type": "http.response.start", "status": status, "headers": headers})
            await send({"type": "http.response.body", "body": payload, "more_body": False})
