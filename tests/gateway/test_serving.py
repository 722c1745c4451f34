"""The head limits of `reqgate serve` in-process: what they close, and what they must leave
alone, on both protocols (httptools, the default, and h11 where httptools is missing).

The slow-loris acceptance test runs the real `reqgate serve`; these cases pin the
protocols' states one by one, with a 0.5 s head timeout.
"""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from starlette.types import Receive, Scope, Send

from gateway.serving import head_limited
from tests.gateway.fakes import serving

HEAD_TIMEOUT_S = 0.5
SLOW_APP_S = 1.0  # longer than the head timeout: a running request is not cut
MAX_HEAD_BYTES = 4096
GET = b"GET / HTTP/1.1\r\nHost: t\r\n\r\n"


async def slow_app(scope: Scope, receive: Receive, send: Send) -> None:
    await asyncio.sleep(SLOW_APP_S if scope["path"] == "/slow" else 0)
    headers = [(b"content-length", b"2")]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": b"ok"})


@pytest.fixture(scope="module", params=["httptools", "h11"])
def address(request: pytest.FixtureRequest) -> Iterator[tuple[str, int]]:
    protocol = head_limited(HEAD_TIMEOUT_S, MAX_HEAD_BYTES, parser=request.param)
    bases = {cls.__name__ for cls in protocol.__mro__}  # httptools installed: no silent h11
    assert {"HttpToolsProtocol" if request.param == "httptools" else "H11Protocol"} <= bases
    options = {"timeout_keep_alive": 30, "h11_max_incomplete_event_size": MAX_HEAD_BYTES}
    with serving(slow_app, http=protocol, **options) as url:
        parts = urlsplit(url)
        yield parts.hostname or "", parts.port or 0


def _response(sock: socket.socket) -> bytes:
    answer = b""
    while not answer.endswith(b"\r\n\r\nok"):
        answer += sock.recv(65536)
    return answer


def _closed_after(sock: socket.socket) -> tuple[bytes, float]:
    """Everything the server sends until it closes, and the seconds that took."""
    started, answer = time.monotonic(), b""
    while chunk := sock.recv(65536):
        answer += chunk
    return answer, time.monotonic() - started


@pytest.mark.parametrize("sent", [b"", b"GET / HTTP/1.1\r\nHost"], ids=["idle", "partial"])
def test_connection_without_a_head_is_closed(address: tuple[str, int], sent: bytes) -> None:
    with socket.create_connection(address, timeout=5) as sock:
        sock.sendall(sent)
        answer, seconds = _closed_after(sock)
    assert answer == b""
    assert HEAD_TIMEOUT_S - 0.05 <= seconds < HEAD_TIMEOUT_S + 1


def test_running_request_outlives_the_head_timeout(address: tuple[str, int]) -> None:
    with socket.create_connection(address, timeout=5) as sock:
        sock.sendall(b"GET /slow HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        answer, seconds = _closed_after(sock)
    assert answer.startswith(b"HTTP/1.1 200 ") and answer.endswith(b"ok")
    # uvloop's timers run on libuv's millisecond clock, read once per loop iteration, so
    # the app's sleep may end up to a millisecond early by this test's clock (0.99994 s
    # seen): the point is that the answer came well after the head timeout, not cut at it
    assert seconds >= SLOW_APP_S - 0.005


def test_next_head_on_a_kept_alive_connection_has_the_deadline(address: tuple[str, int]) -> None:
    with socket.create_connection(address, timeout=5) as sock:
        sock.sendall(GET)
        assert _response(sock).startswith(b"HTTP/1.1 200 ")
        time.sleep(HEAD_TIMEOUT_S * 2)  # idle between requests: keep-alive's (30 s), not ours
        sock.sendall(GET)
        assert _response(sock).startswith(b"HTTP/1.1 200 ")
        sock.sendall(b"GET / HTTP/1.1\r\n")  # the third head never completes
        answer, seconds = _closed_after(sock)
    assert answer == b""
    assert seconds < HEAD_TIMEOUT_S + 1


@pytest.mark.parametrize("pieces", [1, 8], ids=["one-read", "trickled"])
def test_head_over_max_head_bytes_is_refused(address: tuple[str, int], pieces: int) -> None:
    """A head still incomplete past the limit: 400 and closed at once, whether it came in
    one read or in several (h11 bounds its buffer; httptools' protocol counts the reads)."""
    head = b"GET / HTTP/1.1\r\nHost: t\r\nX-Big: " + b"a" * MAX_HEAD_BYTES  # no end
    size = len(head) // pieces + 1
    with socket.create_connection(address, timeout=5) as sock:
        for start in range(0, len(head), size):
            sock.sendall(head[start : start + size])
            time.sleep(0.01)
        answer, seconds = _closed_after(sock)
    assert answer.startswith(b"HTTP/1.1 400 ")
    assert seconds < HEAD_TIMEOUT_S


def test_head_just_under_max_head_bytes_is_served(address: tuple[str, int]) -> None:
    head = b"GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\nX-Big: "
    big = head + b"a" * (MAX_HEAD_BYTES - len(head) - 8) + b"\r\n\r\n"
    with socket.create_connection(address, timeout=5) as sock:
        sock.sendall(big)
        answer, _ = _closed_after(sock)
    assert answer.startswith(b"HTTP/1.1 200 ") and answer.endswith(b"ok")


def test_serve_defaults_to_httptools() -> None:
    """`reqgate serve` (head_limited's default) runs httptools, a dependency."""
    assert "HttpToolsProtocol" in {cls.__name__ for cls in head_limited(1.0, 1024).__mro__}
