"""The validation stream over real connections: results arrive as they are computed, and a
client that goes away stops the remaining work (DESIGN §6, batch issue acceptance 3)."""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import httpx
import pytest

import app_v1
from core.settings import Settings
from tests.conftest import build_target
from tests.utils.engines import FakeEngine
from tests.utils.server import running_server

STREAM = "/api/v1/validate/batch/stream"
SettingsFactory = Callable[..., Settings]
ASGI_TARGETS = ("fastapi-v2", "gateway-v1", "gateway-v2")


Lines = Callable[[list[str]], "contextlib.AbstractContextManager[Iterator[str]]"]


@contextmanager
def _asgi_lines(name: str, settings: Settings) -> Iterator[Lines]:
    """A real server for the target; each `lines(items)` is one streamed request."""
    app = build_target(name, settings).client.app  # type: ignore[attr-defined]
    with running_server(app) as url, httpx.Client(base_url=url, timeout=30) as client:

        @contextmanager
        def lines(items: list[str]) -> Iterator[Iterator[str]]:
            with client.stream("POST", STREAM, json=items) as response:
                assert response.status_code == 200
                yield response.iter_lines()
            # Leaving the block without reading to the end closes the connection.

        yield lines


@contextmanager
def _flask_lines(settings: Settings) -> Iterator[Lines]:
    client = app_v1.create_app({"SETTINGS": settings, "TESTING": True}).test_client()

    @contextmanager
    def lines(items: list[str]) -> Iterator[Iterator[str]]:
        response = client.post(STREAM, json=items, buffered=False)
        assert response.status_code == 200
        try:
            yield (line for chunk in response.response for line in chunk.decode().splitlines())
        finally:
            response.close()  # what a WSGI server does when the client goes away

    yield lines


def _serve(name: str, settings: Settings) -> contextlib.AbstractContextManager[Lines]:
    return _flask_lines(settings) if name == "flask-v1" else _asgi_lines(name, settings)


def _join_batch_workers() -> None:
    for thread in threading.enumerate():
        if thread.name.startswith("reqgate-batch"):
            thread.join(timeout=20)
            assert not thread.is_alive(), "batch workers still running: work was not stopped"


@pytest.mark.parametrize("name", ["flask-v1", *ASGI_TARGETS])
def test_stream_first_item_arrives_before_last_is_computed(
    name: str, fake_engine: FakeEngine, make_settings: SettingsFactory
) -> None:
    fake_engine.hold = lambda text: text != "first"
    items = ["first", "second", "third", "fourth"]
    with (
        _serve(name, make_settings(max_parallel=2, batch_size=1)) as stream,
        stream(items) as lines,
    ):
        first = json.loads(next(lines))
        assert (first["event"], first["index"], first["originalText"]) == ("item", 0, "first")
        assert fake_engine.done == ["first"]  # the others are still being computed
        fake_engine.gate.set()
        rest = [json.loads(line) for line in lines if line]
    assert [e.get("index") for e in rest] == [1, 2, 3, None]
    assert rest[-1]["event"] == "end" and (rest[-1]["processed"], rest[-1]["failed"]) == (4, 0)


@pytest.mark.parametrize(
    "name",
    [
        "flask-v1",
        "fastapi-v2",
        "gateway-v2",
        "gateway-v1",
    ],
)
def test_stream_client_disconnect_stops_remaining_work(
    name: str, fake_engine: FakeEngine, make_settings: SettingsFactory
) -> None:
    fake_engine.hold = lambda text: text != "item 0"
    items = [f"item {n}" for n in range(60)]
    settings = make_settings(max_parallel=2, batch_size=2, max_batch_items=100)
    with _serve(name, settings) as stream:
        with stream(items) as lines:
            assert json.loads(next(lines))["index"] == 0
        fake_engine.gate.set()  # the client is gone; let the calls already running finish
        _join_batch_workers()
    # Item 0, the calls running and the small queue behind them; never the other ~50.
    assert len(fake_engine.calls) <= 1 + 2 + 2 + 2
