"""Routing headers on every response, and the last-resort error answer."""

from __future__ import annotations

import json
import logging

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from core.contract.wire import error_body
from core.exceptions import ApiError, InternalError
from core.logging import request_id_var
from gateway.context import SCOPE_KEY, RequestInfo

TAG_NAMES = frozenset({b"x-request-id", b"x-variant", b"x-variant-reason", b"x-variant-bucket"})
logger = logging.getLogger("reqgate.gateway")


class RequestContextMiddleware:
    """Puts a RequestInfo in the scope for the router, and tags the response start with it.

    Runs inside edge's RequestIdMiddleware, which has bound the request id. Tags come from
    the RequestInfo the router fills in, so 404s, errors and fallbacks carry them too. An
    exception before the response started becomes the one error shape (503 with its
    Retry-After for an unreachable upstream or stale flags, else 500), never a connection reset.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        info = RequestInfo(request_id_var.get())

        async def send_tagged(message: Message) -> None:
            if message["type"] == "http.response.start":
                info.status = message["status"]
                kept = [(k, v) for k, v in message.get("headers", []) if k not in TAG_NAMES]
                message["headers"] = kept + info.tags()
            await send(message)

        try:
            await self.app({**scope, SCOPE_KEY: info}, receive, send_tagged)
        except Exception as exc:
            if info.status:
                raise  # the response has started: only dropping the connection is left
            if not isinstance(exc, ApiError):
                logger.exception("unhandled error in the gateway")
                exc = InternalError()
            await self._send_error(exc, info, send_tagged)

    @staticmethod
    async def _send_error(error: ApiError, info: RequestInfo, send: Send) -> None:
        body = error_body(error.code, error.message, info.request_id, error.details)
        encoded = json.dumps(body).encode()
        await send(
            {
                "type": "http.response.start",
                "status": error.status,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(encoded)).encode()),
                    *((k.lower().encode(), v.encode()) for k, v in error.headers.items()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": encoded})
