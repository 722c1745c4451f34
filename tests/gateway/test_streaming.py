"""Acceptance 4: a stream's first line arrives before its last item is computed.

Real uvicorn servers on 127.0.0.1 (in threads), because in-memory test transports collect
the whole response. The fake apps compute their last line only once the client has seen
the first (or give up after 5 s and say so), so a buffering gateway fails, never hangs.
"""

from __future__ import annotations

import json
import threading

import httpx
import pytest
from starlette.types import ASGIApp

import gateway.app
from gateway.wsgi_bridge import WsgiBridge
from tests.conftest import SettingsFactory
from tests.gateway.fakes import answering, ndjson_asgi, ndjson_wsgi, serving

STREAM = "/api/v1/validate/batch/stream"


def _read_stream(url: str, first_seen: threading.Event) -> list[dict[str, object]]:
    lines = []
    with httpx.stream("POST", url + STREAM, json=["a", "b"], timeout=10) as response:
        assert response.status_code == 200
        for line in response.iter_lines():
            lines.append(json.loads(line))
            first_seen.set()
    return lines


def _fakes(variant: str, first_seen: threading.Event) -> tuple[ASGIApp, ASGIApp]:
    if variant == "v1":
        return WsgiBridge(ndjson_wsgi(first_seen)), answering("v2")
    return answering("v1"), ndjson_asgi(first_seen)


@pytest.mark.parametrize("variant", ["v1", "v2"])
def test_stream_ndjson_through_gateway_unbuffered(
    make_settings: SettingsFactory, variant: str
) -> None:
    first_seen = threading.Event()
    v1, v2 = _fakes(variant, first_seen)
    app = gateway.app.create_app(make_settings(feature_flag_use_v2=variant == "v2"), v1=v1, v2=v2)
    with serving(app) as url:
        lines = _read_stream(url, first_seen)
    assert lines == [{"index": 0}, {"event": "end", "seenFirstBeforeLast": True}]


def test_stream_ndjson_through_remote_v2_unbuffered(make_settings: SettingsFactory) -> None:
    first_seen = threading.Event()
    with serving(ndjson_asgi(first_seen)) as upstream_url:
        settings = make_settings(feature_flag_use_v2=True, v2_upstream_url=upstream_url)
        with serving(gateway.app.create_app(settings, v1=answering("v1"))) as url:
            lines = _read_stream(url, first_seen)
    assert lines[-1] == {"event": "end", "seenFirstBeforeLast": True}
