"""The WSGI bridge behaves like a2wsgi for every kind of request and response, and reads
every request body on the event loop, so a slow body never holds one of its threads."""

from __future__ import annotations

import asyncio
import gc
import threading
import time
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from typing import Any

import pytest
from a2wsgi import WSGIMiddleware
from starlette.testclient import TestClient
from starlette.types import Message

from app_v2.work_threads import MAX_THREADS
from core.exceptions import ClientClosedRequest, PayloadTooLarge
from core.settings import load_settings
from gateway.wsgi_bridge import MAX_BODY_BYTES, WsgiBridge, _Workers

StartResponse = Callable[..., Any]
A2WSGI_BUFFER = 64 * 1024  # the old bridge handed bodies over this size to a2wsgi


def echo(environ: dict[str, Any], start_response: StartResponse) -> list[bytes]:
    body = environ["wsgi.input"].read()
    summary = (
        f"{environ['REQUEST_METHOD']} {environ['PATH_INFO']}?{environ['QUERY_STRING']} "
        f"len={len(body)} ct={environ.get('CONTENT_TYPE')} x={environ.get('HTTP_X_A')}"
    )
    payload = summary.encode()
    start_response(
        "201 Created",
        [("Content-Type", "text/plain"), ("Content-Length", str(len(payload))), ("X-Multi", "1")],
    )
    return [payload]


def lazy_generator(environ: dict[str, Any], start_response: StartResponse) -> Iterator[bytes]:
    start_response("200 OK", [("Content-Type", "text/plain")])  # called on first iteration
    yield b"one,"
    yield b""
    yield b"two"


def big_declared(environ: dict[str, Any], start_response: StartResponse) -> list[bytes]:
    payload = b"x" * 300_000
    start_response("200 OK", [("Content-Length", str(len(payload)))])
    return [payload[:100_000], payload[100_000:]]


@pytest.mark.parametrize("bridge", [WsgiBridge, WSGIMiddleware], ids=["bridge", "a2wsgi"])
@pytest.mark.parametrize("size", [0, 10, A2WSGI_BUFFER + 1, MAX_BODY_BYTES])
def test_bridge_echo_same_as_a2wsgi(bridge: Callable[..., Any], size: int) -> None:
    client = TestClient(bridge(echo))
    response = client.post(
        "/p/ä?q=1&r=2", content=b"b" * size, headers={"Content-Type": "text/plain", "X-A": "v"}
    )
    assert response.status_code == 201
    assert response.text == f"POST /p/ä?q=1&r=2 len={size} ct=text/plain x=v".encode().decode(
        "latin-1"
    )
    assert response.headers["x-multi"] == "1"


@pytest.mark.parametrize("app", [lazy_generator, big_declared])
def test_bridge_streamed_bodies_complete(app: Callable[..., Any]) -> None:
    expected = TestClient(WSGIMiddleware(app)).get("/").content  # type: ignore[arg-type]
    assert TestClient(WsgiBridge(app)).get("/").content == expected


def _chunks(total: int, size: int = 4096) -> Iterator[bytes]:
    for start in range(0, total, size):
        yield b"c" * min(size, total - start)


@pytest.mark.parametrize("size", [15, A2WSGI_BUFFER + 1])
def test_bridge_chunked_request_body_reaches_app(size: int) -> None:
    response = TestClient(WsgiBridge(echo)).post("/c", content=_chunks(size))
    assert f"len={size}" in response.text


@pytest.mark.parametrize("chunked", [False, True], ids=["declared", "chunked"])
def test_bridge_refuses_body_over_max_body_bytes(chunked: bool) -> None:
    body = b"b" * 2049
    content = _chunks(len(body)) if chunked else body
    with pytest.raises(PayloadTooLarge):
        TestClient(WsgiBridge(echo, max_body_bytes=2048)).post("/c", content=content)


def _request(size: int) -> dict[str, Any]:
    return {
        "type": "http",
        "method": "POST",
        "path": "/",
        "query_string": b"",
        "headers": [(b"content-length", str(size).encode())],
        "http_version": "1.1",
    }


async def _serve_while_another_body_stalls(size: int) -> list[Message]:
    bridge = WsgiBridge(echo, workers=1)
    stalled = asyncio.Event()

    async def never_completes() -> Message:
        await stalled.wait()  # the body is promised, and never sent
        return {"type": "http.disconnect"}

    async def whole_body() -> Message:
        return {"type": "http.request", "body": b"b" * size, "more_body": False}

    sent: list[Message] = []

    async def collect(message: Message) -> None:
        sent.append(message)

    slow = asyncio.ensure_future(bridge(_request(size), never_completes, collect))
    await asyncio.sleep(0.05)  # the stalled request is in the bridge first
    try:
        await asyncio.wait_for(bridge(_request(size), whole_body, collect), timeout=2)
    finally:
        stalled.set()
        with pytest.raises(ClientClosedRequest):  # its client has left
            await slow
    return sent


@pytest.mark.parametrize("size", [10, A2WSGI_BUFFER + 1])
def test_bridge_stalled_body_holds_no_thread(size: int) -> None:
    sent = asyncio.run(_serve_while_another_body_stalls(size))
    assert sent[0]["status"] == 201  # the second request, served by the only thread


def test_bridge_client_gone_mid_body_runs_nothing() -> None:
    called: list[bool] = []

    def app(environ: dict[str, Any], start_response: StartResponse) -> list[bytes]:
        called.append(True)
        return echo(environ, start_response)

    async def gone() -> Message:
        return {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        raise AssertionError("nothing to answer")

    with pytest.raises(ClientClosedRequest):  # the gateway's error answer logs it as 499
        asyncio.run(WsgiBridge(app)(_request(10), gone, send))
    assert called == []


async def _run_many(workers: _Workers, calls: int) -> tuple[list[int], int]:
    """`calls` calls that each wait until all the pool's threads are busy; the most that ran
    at once."""
    running, most = 0, 0
    lock = threading.Lock()
    busy = threading.Barrier(workers.size, timeout=5)

    def call(number: int) -> int:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        if number < workers.size:
            busy.wait()  # the first calls hold their threads until every thread has one
        with lock:
            running -= 1
        return number

    results = await asyncio.gather(*(workers.run(call, n) for n in range(calls)))
    return list(results), most


def test_workers_run_every_call_on_at_most_size_threads() -> None:
    results, most = asyncio.run(_run_many(_Workers(3, "test"), 10))
    assert results == list(range(10))
    assert most == 3


def test_workers_carry_context_and_raise_callers_error() -> None:
    seen: ContextVar[str] = ContextVar("seen", default="unset")

    def read() -> str:
        return seen.get()

    def fail() -> None:
        raise ValueError("in the thread")

    async def main() -> str:
        workers = _Workers(1, "test")
        seen.set("request-1")
        with pytest.raises(ValueError, match="in the thread"):
            await workers.run(fail)
        return await workers.run(read)

    assert asyncio.run(main()) == "request-1"


def test_workers_skip_call_cancelled_before_a_thread_took_it() -> None:
    release = threading.Event()
    ran: list[str] = []

    async def main() -> None:
        workers = _Workers(1, "test")
        first = workers.run(release.wait, 5)
        second = workers.run(ran.append, "second")
        second.cancel()  # its caller gave up while the only thread was busy
        release.set()
        await first
        await workers.run(ran.append, "third")

    asyncio.run(main())
    assert ran == ["third"]


def test_workers_threads_end_with_their_pool() -> None:
    async def main() -> list[threading.Thread]:
        workers = _Workers(2, "ending")
        await asyncio.gather(workers.run(time.sleep, 0.05), workers.run(time.sleep, 0.05))
        return [t for t in threading.enumerate() if t.name.startswith("ending_")]

    threads = asyncio.run(main())
    gc.collect()
    for thread in threads:
        thread.join(timeout=5)
    assert len(threads) == 2 and not any(t.is_alive() for t in threads)


def test_bridge_works_on_as_many_requests_at_once_as_v2() -> None:
    """V1_THREADS' default lets v1 work on as many requests at once as v2's work threads:
    with fewer, v1's writes made smaller groups for the group writer (docs/benchmarks.md §14)."""
    parties = MAX_THREADS
    everyone = threading.Barrier(parties, timeout=10)

    def waits_for_all(environ: dict[str, Any], start_response: StartResponse) -> list[bytes]:
        everyone.wait()  # broken (and the call fails) unless `parties` calls run at once
        start_response("200 OK", [("Content-Length", "2")])
        return [b"ok"]

    bridge = WsgiBridge(waits_for_all, workers=load_settings().v1_threads)

    async def one() -> int:
        sent: list[Message] = []

        async def send(message: Message) -> None:
            sent.append(message)

        async def receive() -> Message:
            return {"type": "http.request", "body": b"", "more_body": False}

        await bridge(_request(0), receive, send)
        return int(sent[0]["status"])

    async def everyone_at_once() -> list[int]:
        return list(await asyncio.gather(*(one() for _ in range(parties))))

    assert asyncio.run(everyone_at_once()) == [200] * parties
