"""How `reqgate serve` runs the gateway under uvicorn, with the head limits uvicorn lacks.

uvicorn closes an idle keep-alive connection after `timeout_keep_alive`, but waits for ever
for a head that a client sends slowly or not at all: a new connection that sends nothing,
or one byte every two seconds, stayed open, and 800 of them all stayed (issue 12, defect
5). The protocols below close a connection whose request head is not complete
HTTP_HEADER_TIMEOUT_S after the connection opened, or after the first bytes of its next
request arrived. The body's deadline is the app's (gateway.middleware.body_deadline),
because only the app can answer it with a 408 in the error shape.

The server runs on httptools and uvloop: with them an evaluation costs the server 11-12 %
fewer instructions than on h11 and asyncio, a small answer 23 % (docs/benchmarks.md, "HTTP
stack"). h11 bounds the bytes of a head itself (`max_incomplete_event_size`); httptools
does not, so its protocol (gateway/serving_httptools.py) counts them (HTTP_MAX_HEAD_BYTES).
Without httptools installed the h11 protocol serves, as uvicorn's `--http auto` chooses.
"""

from __future__ import annotations

import asyncio
import importlib.util

import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from core.settings import Settings


class HeadDeadline(asyncio.Protocol):
    """One timer per connection while a request head is awaited, none while a request runs
    or the connection idles between requests (uvicorn's keep-alive timer covers that).
    Mixed in before uvicorn's protocol class, whose methods its own call on."""

    head_timeout_s = 10.0  # HTTP_HEADER_TIMEOUT_S; head_limited() sets it per server
    _head_timer: asyncio.TimerHandle | None = None
    loop: asyncio.AbstractEventLoop
    transport: asyncio.Transport

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)
        self._arm()  # a new connection owes its first head too: an idle one is closed

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _arm(self) -> None:
        self._head_timer = self.loop.call_later(self.head_timeout_s, self._head_timed_out)

    def _disarm(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_timed_out(self) -> None:
        # Closed without an answer, as uvicorn closes an idle keep-alive connection: no
        # request was made, and a slow-loris client does not read answers anyway.
        self._head_timer = None
        if not self.transport.is_closing():
            self.transport.close()


class HeadTimeoutProtocol(HeadDeadline, H11Protocol):
    """uvicorn's h11 protocol with a deadline per request head.

    A request head is complete when uvicorn has made a new request cycle of it, so the
    check needs nothing of h11's state.
    """

    def data_received(self, data: bytes) -> None:
        cycle = self.cycle
        super().data_received(data)
        between_requests = self.cycle is None or self.cycle.response_complete
        if self.cycle is cycle and between_requests and self._head_timer is None:
            self._arm()  # the first bytes of the next request, and no head yet

    def handle_events(self) -> None:
        cycle = self.cycle
        super().handle_events()
        if self.cycle is not cycle:
            self._disarm()  # a head was complete: its request runs without this deadline


def head_limited(
    timeout_s: float, max_head_bytes: int, *, parser: str = "httptools"
) -> type[asyncio.Protocol]:
    """The protocol class for one server (uvicorn builds protocols from a class alone):
    httptools' unless `parser` is "h11" or httptools is not installed."""
    if parser == "httptools" and importlib.util.find_spec("httptools") is not None:
        from gateway.serving_httptools import HttpToolsHeadLimits

        limits = {"head_timeout_s": timeout_s, "max_head_bytes": max_head_bytes}
        return type("HttpToolsHeadLimits", (HttpToolsHeadLimits,), limits)
    return type("HeadTimeoutProtocol", (HeadTimeoutProtocol,), {"head_timeout_s": timeout_s})


def serve(settings: Settings) -> None:
    """Run the gateway on API_HOST:API_PORT with the HTTP_* limits on slow clients."""
    uvicorn.run(
        "gateway.main:app",
        host=settings.api_host,
        port=settings.api_port,
        http=head_limited(settings.http_header_timeout_s, settings.http_max_head_bytes),
        loop="auto",  # uvloop where installed (it is a dependency), else asyncio
        ws="none",  # no WebSocket routes: a head is never handed to another protocol
        timeout_keep_alive=settings.http_keep_alive_s,
        h11_max_incomplete_event_size=settings.http_max_head_bytes,  # h11's own head limit
        access_log=False,
        log_config=None,
        server_header=False,  # no banner naming the server software to scanners
    )
