"""Streaming a blocking generator (a core stream) from an async route."""

from __future__ import annotations

from collections.abc import AsyncIterator, Generator

import anyio
from starlette.concurrency import run_in_threadpool


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
