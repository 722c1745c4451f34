"""Routing headers on every response."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from core.logging import request_id_var
from gateway.context import SCOPE_KEY, RequestInfo

TAG_NAMES = frozenset({b"x-request-id", b"x-variant", b"x-variant-reason", b"x-variant-bucket"})


class RequestContextMiddleware:
    """Puts a RequestInfo in the scope for the router, and tags the response start with it.

    Runs inside edge's RequestIdMiddleware, which has bound the request id. Tags come from
    the RequestInfo the router fills in, so 404s, errors, preflights and fallbacks carry them
    too. The status it notes tells the inner layers whether a response has started.
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

        await self.app({**scope, SCOPE_KEY: info}, receive, send_tagged)
