"""Validation stream events and their NDJSON/SSE encoding."""

from __future__ import annotations

import json

import pytest

from core.contract.evaluations import BatchValidateCreate
from core.contract.framing import encode_event, wants_sse
from core.runtime import open_store
from core.settings import Settings
from core.stream import stream_body, stream_events
from tests.utils.engines import FakeEngine


def test_stream_events_items_errors_duplicates_end(
    fake_engine: FakeEngine, settings: Settings
) -> None:
    request = BatchValidateCreate(
        items=["Same text here.", "💥 fails", "Same text here!"], include_suggestions=True
    )
    events = list(
        stream_events(engine=open_store(settings), settings=settings, request=request, variant="v2")
    )
    assert [(e["event"], e.get("index")) for e in events] == [
        ("item", 0),
        ("error", 1),
        ("item", 2),
        ("duplicates", None),
        ("end", None),
    ]
    assert events[0]["id"] == "REQ_1" and events[0]["suggestions"] == []
    assert events[1] == {
        "event": "error",
        "index": 1,
        "error": "internal_error",
        "message": "evaluation failed; quote the request id when reporting it",
    }
    assert events[3]["pairs"] == [{"a": "REQ_1", "b": "REQ_3", "similarity": 1.0}]
    assert (events[-1]["processed"], events[-1]["failed"]) == (3, 1)
    assert isinstance(events[-1]["durationMs"], int)


@pytest.mark.parametrize(
    ("sse", "raw"),
    [
        (False, b'{"event":"end","n":"\xc3\xa4"}\n'),
        (True, b'data: {"event":"end","n":"\xc3\xa4"}\n\n'),
    ],
)
def test_encode_event_ndjson_or_sse(sse: bool, raw: bytes) -> None:
    assert encode_event({"event": "end", "n": "ä"}, sse=sse) == raw


@pytest.mark.parametrize(
    ("accept", "sse"),
    [
        (None, False),
        ("application/x-ndjson", False),
        ("*/*", False),
        ("text/event-stream", True),
        ("text/html, TEXT/EVENT-STREAM;q=0.9", True),
    ],
)
def test_wants_sse_from_accept(accept: str | None, sse: bool) -> None:
    assert wants_sse(accept) is sse


def test_stream_body_lines_are_json(fake_engine: FakeEngine, settings: Settings) -> None:
    body = b"".join(
        stream_body(
            engine=open_store(settings),
            settings=settings,
            variant="v1",
            request=BatchValidateCreate(items=["One.", "Two."]),
            sse=False,
        )
    )
    assert [json.loads(line)["event"] for line in body.splitlines()] == ["item", "item", "end"]
