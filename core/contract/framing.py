"""Stream framing of validate/batch/stream and files/ingest/stream: one event as an NDJSON
line or an SSE message."""

from __future__ import annotations

import json
from collections.abc import Generator
from typing import Any

NDJSON = "application/x-ndjson"
SSE = "text/event-stream"


def wants_sse(accept: str | None) -> bool:
    """SSE iff the client asks for text/event-stream; NDJSON otherwise."""
    return SSE in (accept or "").lower()


def encode_event(event: dict[str, Any], *, sse: bool) -> bytes:
    """One event as an NDJSON line or an SSE `data:` message."""
    data = json.dumps(event, ensure_ascii=False, separators=(",", ":"))
    return f"data: {data}\n\n".encode() if sse else f"{data}\n".encode()


def encode_events(events: Generator[dict[str, Any]], *, sse: bool) -> Generator[bytes]:
    """The encoded response body; close() it to stop the remaining work."""
    try:
        for event in events:
            yield encode_event(event, sse=sse)
    finally:
        events.close()
