"""The gateway's own error answer, inside the CORS layer so that clients on other origins
can read it."""

from __future__ import annotations

import json
import logging

from starlette.types import ASGIApp, Receive, Scope, Send

from core.contract.wire import error_body
from core.exceptions import ApiError, InternalError
from gateway.context import request_info

logger = logging.getLogger("reqgate.gateway")


class ErrorAnswerMiddleware:
    """Answers an exception raised before the response started in the one error shape: an
    ApiError with its status and headers (503 with Retry-After for an unreachable upstream
    or stale flags, 408 for a slow body, 413 for a large one), anything else a logged 500;
    never a connection reset.

    Wraps the router, inside the CORS middleware: an answer made outside it would lack the
    CORS headers, and the browser would hide it from a page on another origin as a failed
    fetch. RequestContextMiddleware, outside both, notes whether a response started.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await self.app(scope, receive, send)
        except Exception as exc:
            if scope["type"] != "http":
                raise
            info = request_info(scope)
            if info.status:
                raise  # the response has started: only dropping the connection is left
            if not isinstance(exc, ApiError):
                logger.exception("unhandled error in the gateway")
                exc = InternalError()
            body = json.dumps(error_body(exc.code, exc.message, info.request_id, exc.details))
            await _send_json(send, exc.status, body.encode(), exc.headers)


async def _send_json(send: Send, status: int, body: bytes, headers: dict[str, str]) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                *((k.lower().encode(), v.encode()) for k, v in headers.items()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
