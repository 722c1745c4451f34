"""A request body that does not arrive within HTTP_BODY_TIMEOUT_S gets 408 and a closed
connection, on v1 and on v2 in-process; a body that arrives in time is unaffected."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import pytest
from starlette.testclient import TestClient
from starlette.types import ASGIApp, Message

import gateway.app
from core.exceptions import RequestTimeout
from gateway.metrics import GatewayMetrics
from gateway.middleware.request_context import RequestContextMiddleware
from tests.conftest import SettingsFactory

TIMEOUT_S = 0.3
BODY = json.dumps({"requirementText": "The system shall answer within 2 s."}).encode()


def _with_deadline(app: ASGIApp) -> ASGIApp:
    """`app` behind the gateway's outer layer, which runs the body deadline."""
    return RequestContextMiddleware(
        app, metrics=GatewayMetrics(), body_timeout_s=TIMEOUT_S, max_body_bytes=1024 * 1024
    )


def _scope(headers: list[tuple[bytes, bytes]]) -> dict[str, Any]:
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/api/v1/evaluations",
        "raw_path": b"/api/v1/evaluations",
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"test"), (b"content-type", b"application/json"), *headers],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8087),
    }


async def _call(app: ASGIApp, headers: list[tuple[bytes, bytes]], *parts: bytes) -> list[Message]:
    """Send `parts` of the body; after the last one the client stalls, unless it ends the body."""
    pending = list(parts)
    stalled = asyncio.Event()

    async def receive() -> Message:
        if pending:
            body = pending.pop(0)
            return {"type": "http.request", "body": body, "more_body": body != BODY}
        await stalled.wait()  # a client that sends nothing more
        return {"type": "http.disconnect"}

    sent: list[Message] = []

    async def send(message: Message) -> None:
        sent.append(message)

    await asyncio.wait_for(app(_scope(headers), receive, send), timeout=5)
    return sent


@pytest.fixture(params=["v1", "v2"])
def app(request: pytest.FixtureRequest, make_settings: SettingsFactory) -> ASGIApp:
    settings = make_settings(
        feature_flag_use_v2=request.param == "v2", http_body_timeout_s=TIMEOUT_S
    )
    return gateway.app.create_app(settings)


@pytest.mark.parametrize(
    "headers",
    [[(b"content-length", str(len(BODY)).encode())], [(b"transfer-encoding", b"chunked")]],
    ids=["declared", "chunked"],
)
def test_stalled_body_gets_408_and_close(app: ASGIApp, headers: list[tuple[bytes, bytes]]) -> None:
    started = time.monotonic()
    sent = asyncio.run(_call(app, headers, BODY[:10]))
    elapsed = time.monotonic() - started
    start, body = sent[0], b"".join(m.get("body", b"") for m in sent[1:])
    assert start["status"] == 408
    assert (b"connection", b"close") in start["headers"]
    error = json.loads(body)
    assert error["error"] == "request_timeout"
    assert error["details"] == {"timeoutS": TIMEOUT_S}
    assert error["requestId"]
    assert TIMEOUT_S <= elapsed < TIMEOUT_S + 1


def test_body_in_time_is_served_and_keeps_the_connection(app: ASGIApp) -> None:
    sent = asyncio.run(_call(app, [(b"content-length", str(len(BODY)).encode())], BODY))
    assert sent[0]["status"] == 200
    assert (b"connection", b"close") not in sent[0]["headers"]


def test_stalled_body_is_counted_as_408(make_settings: SettingsFactory) -> None:
    """The gateway's metrics say 408, not 500, for the v1 body the bridge timed out."""
    app = gateway.app.create_app(make_settings(http_body_timeout_s=TIMEOUT_S))
    asyncio.run(_call(app, [(b"content-length", str(len(BODY)).encode())], BODY[:10]))
    metrics = TestClient(app).get("/metrics").text
    assert 'status="408"' in metrics
    assert 'status="500"' not in metrics


def _stalling_receive(*parts: bytes) -> Any:
    """A receive() that hands out `parts` (more to come after each), then never returns."""
    pending = list(parts)

    async def receive() -> Message:
        if pending:
            return {"type": "http.request", "body": pending.pop(0), "more_body": True}
        await asyncio.Event().wait()
        raise AssertionError("unreachable")

    return receive


async def _noop_send(_message: Message) -> None:
    pass


async def _read_body(receive: Any) -> bytes:
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


def _raising(middleware: ASGIApp, receive: Any) -> BaseException | None:
    """What the middleware raised for one chunked request, with this receive()."""

    async def call() -> BaseException | None:
        try:
            await middleware(_scope([(b"transfer-encoding", b"chunked")]), receive, _noop_send)
        except (Exception, asyncio.CancelledError) as exc:
            return exc
        return None

    return asyncio.run(call())


def test_time_out_each_stalled_body_among_others_on_one_loop() -> None:
    """The deadlines of concurrent bodies: the stalled ones time out, the others are served."""
    outcomes: list[str] = []

    async def reader(scope: Any, receive: Any, send: Any) -> None:
        try:
            outcomes.append(f"read {len(await _read_body(receive))}")
        except RequestTimeout:
            outcomes.append("408")

    middleware = _with_deadline(reader)
    headers = [(b"transfer-encoding", b"chunked")]

    async def complete() -> Message:
        await asyncio.sleep(TIMEOUT_S / 3)
        return {"type": "http.request", "body": b"abc", "more_body": False}

    async def run() -> None:
        receives = [_stalling_receive(b"x"), complete, _stalling_receive(), complete]
        started = time.monotonic()
        await asyncio.gather(
            *(middleware(_scope(headers), receive, _noop_send) for receive in receives)
        )
        assert time.monotonic() - started < TIMEOUT_S + 1

    asyncio.run(run())
    assert sorted(outcomes) == ["408", "408", "read 3", "read 3"]


def test_time_out_body_read_after_deadline_at_once() -> None:
    async def dawdler(scope: Any, receive: Any, send: Any) -> None:
        await receive()  # the first part
        await asyncio.sleep(TIMEOUT_S * 1.5)  # busy past the deadline, not waiting for it
        await receive()

    middleware = _with_deadline(dawdler)
    raised = _raising(middleware, _stalling_receive(b"x", b"y"))
    assert isinstance(raised, RequestTimeout)


def test_time_out_body_read_in_another_task() -> None:
    async def delegate(scope: Any, receive: Any, send: Any) -> None:
        await asyncio.create_task(_read_body(receive))

    raised = _raising(_with_deadline(delegate), _stalling_receive(b"x"))
    assert isinstance(raised, RequestTimeout)


def test_keep_outside_cancellation_of_body_wait() -> None:
    """A cancellation that is not the deadline's (shutdown, a client gone) stays one."""

    async def cancelled_soon(scope: Any, receive: Any, send: Any) -> None:
        reading = asyncio.create_task(_read_body(receive))
        await asyncio.sleep(TIMEOUT_S / 3)
        reading.cancel()
        await reading

    raised = _raising(_with_deadline(cancelled_soon), _stalling_receive(b"x"))
    assert isinstance(raised, asyncio.CancelledError)
