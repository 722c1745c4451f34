"""Streamed answers of v2 (validate/batch/stream, files/ingest/stream): NDJSON or SSE lines
made by a blocking generator in core, pulled off the event loop."""

from collections.abc import AsyncIterator, Generator

import anyio
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from core.contract.framing import NDJSON, SSE

STREAM_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}


async def in_threadpool(chunks: Generator[bytes]) -> AsyncIterator[bytes]:
    """Iterate a blocking iterator off the event loop, and close it however the response ends
    (a disconnect cancels this generator), so the remaining work is cancelled too."""
    try:
        # None marks the end: the generator only yields bytes
        while (chunk := await run_in_threadpool(next, chunks, None)) is not None:
            yield chunk
    finally:
        # Shielded: after a cancellation every unshielded await would be cancelled at once.
        with anyio.CancelScope(shield=True):
            await run_in_threadpool(chunks.close)


def stream_response(chunks: Generator[bytes], *, sse: bool) -> StreamingResponse:
    """The lines as they come, unbuffered by proxies."""
    return StreamingResponse(
        in_threadpool(chunks), media_type=SSE if sse else NDJSON, headers=STREAM_HEADERS
    )
