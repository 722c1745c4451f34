"""The gateway's own error answer, in the project's error shape.

The router answers what it or an app raised before a response started: the router sits
inside the CORS layer, so that clients on other origins can read the answer (an answer
made outside it would lack the CORS headers, and the browser would hide it from a page on
another origin as a failed fetch). A layer of its own was one more coroutine on every
request's path (docs/benchmarks.md §14, "Sixth session").
"""

from __future__ import annotations

import json
import logging

from starlette.types import Send

from core.contract.wire import error_body
from core.exceptions import ApiError, InternalError

logger = logging.getLogger("reqgate.gateway")


async def answer_error(send: Send, exc: Exception, request_id: str, variant: str) -> None:
    """An ApiError with its status and headers (503 with Retry-After for an unreachable
    upstream or stale flags, 408 for a slow body, 413 for a large one), anything else a
    500 logged with the variant that raised it (v2 in-process leaves its unhandled errors
    to this answer); never a connection reset. Only before the response started."""
    if not isinstance(exc, ApiError):
        logger.exception("unhandled error", exc_info=exc, extra={"variant": variant})
        exc = InternalError()
    body = json.dumps(error_body(exc.code, exc.message, request_id, exc.details)).encode()
    await send(
        {
            "type": "http.response.start",
            "status": exc.status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                *((k.lower().encode(), v.encode()) for k, v in exc.headers.items()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
