"""Fake upstreams for gateway tests: tiny ASGI and WSGI apps that say who answered.

They let the routing, fallback and streaming tests run without the real engines, so the
tests do not depend on other routes being implemented and stay fast.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn
from starlette.types import ASGIApp, Receive, Scope, Send

from core.logging import request_id_var
from tests.utils.server import free_port


async def _read_body(receive: Receive) -> bytes:
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body", False):
            return body


async def send_json(
    send: Send, payload: Any, status: int = 200, headers: dict[str, str] | None = None
) -> None:
    body = json.dumps(payload).encode()
    extra = [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json"), *extra],
        }
    )
    await send({"type": "http.response.body", "body": body})


def answering(name: str, status: int = 200, headers: dict[str, str] | None = None) -> ASGIApp:
    """An ASGI app that answers {"served": name, ...} with what it saw of the request."""

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        body = await _read_body(receive)
        seen = dict(scope["headers"])
        await send_json(
            send,
            {
                "served": name,
                "body": body.decode(),
                "requestIdVar": request_id_var.get(),
                "requestIdHeader": seen.get(b"x-request-id", b"").decode(),
            },
            status,
            headers,
        )

    return app


def raising(exc: Exception | None = None) -> ASGIApp:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await receive()  # read (part of) the body first, as a real app would
        raise exc or RuntimeError("injected failure")

    return app


def hanging(seconds: float = 5.0) -> ASGIApp:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await asyncio.sleep(seconds)
        await send_json(send, {"served": "too late"})

    return app


def slow_body(seconds: float) -> ASGIApp:
    """Starts its answer at once, sends the body after `seconds`."""

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await _read_body(receive)
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await asyncio.sleep(seconds)
        await send({"type": "http.response.body", "body": b'{"served": "v2, slowly"}'})

    return app


def ndjson_asgi(first_seen: threading.Event) -> ASGIApp:
    """Streams line 1, then computes line 2 only after the client has seen line 1."""

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await _read_body(receive)
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"application/x-ndjson")],
            }
        )
        await send({"type": "http.response.body", "body": b'{"index": 0}\n', "more_body": True})
        waited = await asyncio.to_thread(first_seen.wait, 5)
        line = json.dumps({"event": "end", "seenFirstBeforeLast": waited}) + "\n"
        await send({"type": "http.response.body", "body": line.encode()})

    return app


def ndjson_wsgi(first_seen: threading.Event) -> Callable[..., Iterable[bytes]]:
    """The WSGI twin of ndjson_asgi (a generator body, no Content-Length)."""

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterator[bytes]:
        environ["wsgi.input"].read()
        start_response("200 OK", [("Content-Type", "application/x-ndjson")])
        yield b'{"index": 0}\n'
        waited = first_seen.wait(5)
        yield (json.dumps({"event": "end", "seenFirstBeforeLast": waited}) + "\n").encode()

    return app


@contextmanager
def serving(app: ASGIApp, **options: Any) -> Iterator[str]:
    """Run an ASGI app under uvicorn on a free 127.0.0.1 port in a thread; yield its URL.

    `options` go to uvicorn.Config (a protocol class, timeouts)."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            app,
            host="127.0.0.1",
            port=port,
            log_config=None,
            access_log=False,
            lifespan="off",
            **options,
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(500):
        if server.started:
            break
        threading.Event().wait(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
