"""How `reqgate serve` runs the gateway under uvicorn, with the head limits uvicorn lacks.

uvicorn closes an idle keep-alive connection after `timeout_keep_alive`, but waits for ever
for a head that a client sends slowly or not at all: a new connection that sends nothing,
or one byte every two seconds, stayed open, and 800 of them all stayed (issue 12, defect
5). The protocols below close a connection whose request head is not complete
HTTP_HEADER_TIMEOUT_S after the connection opened, or after the first bytes of its next
request arrived. The body's deadline is the app's (gateway/request_body.py), because only
the app can answer it with a 408 in the error shape.

The server runs on httptools and uvloop: with them an evaluation costs the server 11-12 %
fewer instructions than on h11 and asyncio, a small answer 23 % (docs/benchmarks.md, "HTTP
stack"). h11 bounds the bytes of a head itself (`max_incomplete_event_size`); httptools
does not, so its protocol (gateway/serving_httptools.py) counts them (HTTP_MAX_HEAD_BYTES).
Without httptools installed the h11 protocol serves, as uvicorn's `--http auto` chooses.

With API_WORKERS above 1 (`reqgate serve --workers N`) uvicorn's supervisor binds the socket
and runs N worker processes on it, starting again one that dies. The database is prepared
once before they start, and they share a directory of metric files (docs/operations.md,
"Several workers").
"""

from __future__ import annotations

import asyncio
import importlib.util
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from core.logging import configure_logging
from core.runtime import open_store
from core.settings import Settings
from core.store.flags import sync_env_flags
from gateway.metrics import MULTIPROC_ENV

APP = "gateway.main:app"
PROTOCOL = "gateway.main:protocol"  # head_limited() for the settings, built in each worker
WORKERS_ENV = "API_WORKERS"
# How long a worker may leave the supervisor's ping unanswered before it is killed and
# started again. uvicorn's 5 s is too short for a start: a spawned worker imports the
# command's modules before its answering thread runs, which took 18 s on a loaded 2-core
# machine, and workers were killed and started again in a loop.
WORKER_HEALTHCHECK_S = 60


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
    """Run the gateway on API_HOST:API_PORT with the HTTP_* limits on slow clients, in
    API_WORKERS processes: uvicorn binds the socket once and each worker imports the app
    and its protocol class by name (gateway/main.py), building both from the settings."""
    with ExitStack() as stack:
        if settings.api_workers > 1:
            configure_logging(settings.log_level, settings.log_format)  # the supervisor's
            prepare_database(settings)
            stack.enter_context(worker_environment(settings.api_workers))
        uvicorn.run(
            APP,
            workers=settings.api_workers,
            timeout_worker_healthcheck=WORKER_HEALTHCHECK_S,
            host=settings.api_host,
            port=settings.api_port,
            http=PROTOCOL,
            loop="auto",  # uvloop where installed (it is a dependency), else asyncio
            ws="none",  # no WebSocket routes: a head is never handed to another protocol
            timeout_keep_alive=settings.http_keep_alive_s,
            h11_max_incomplete_event_size=settings.http_max_head_bytes,  # h11's own head limit
            access_log=False,
            log_config=None,
            server_header=False,  # no banner naming the server software to scanners
        )


def prepare_database(settings: Settings) -> None:
    """Create the tables, bring the criteria in line and apply the env's flags once, before
    the workers start; each worker then finds it done. Workers that did it at once on a new
    PostgreSQL database raced: two CREATE TABLEs of one table, one worker failing with a
    traceback and started again."""
    engine = open_store(settings)
    sync_env_flags(engine, settings)
    engine.dispose()


@contextmanager
def worker_environment(workers: int) -> Iterator[Path]:
    """What the workers inherit: their number (API_WORKERS, which `--workers` may have set
    alone) and a new, empty directory for their metric files (prometheus_client's
    multiprocess mode, gateway/metrics.py), removed when the server stops: no count of an
    earlier start, or of another server, is ever added in."""
    directory = Path(tempfile.mkdtemp(prefix="reqgate-metrics-"))
    saved = {name: os.environ.get(name) for name in (WORKERS_ENV, MULTIPROC_ENV)}
    os.environ[WORKERS_ENV], os.environ[MULTIPROC_ENV] = str(workers), str(directory)
    try:
        yield directory
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        shutil.rmtree(directory, ignore_errors=True)
