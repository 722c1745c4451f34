"""The request id (DESIGN §3): the client's if sane, else a new one, on every response."""

from __future__ import annotations

from collections.abc import Mapping

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from core.logging import request_id_var, sane_request_id

REQUEST_ID_KEY = b"x-request-id"


def _inbound_request_id(headers: list[tuple[bytes, bytes]]) -> str | None:
    for name, value in headers:
        if name == REQUEST_ID_KEY:
            return value.decode("latin-1")
    return None


def header_pairs(headers: Mapping[str, str] | None) -> list[tuple[bytes, bytes]]:
    """Response headers as the ASGI spec sends them: lower-case names, latin-1 bytes."""
    return [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in (headers or {}).items()]


def bind_request_id(
    headers: list[tuple[bytes, bytes]],
) -> tuple[str, list[tuple[bytes, bytes]]]:
    """The request's sane id, and the request headers with it as their last one (whatever
    id the client sent replaced), for the app and anything it forwards the request to."""
    inbound = _inbound_request_id(headers)
    request_id = sane_request_id(inbound)
    pair = (REQUEST_ID_KEY, request_id.encode())
    if inbound is None:
        return request_id, [*headers, pair]
    kept = [h for h in headers if h[0] != REQUEST_ID_KEY]
    kept.append(pair)
    return request_id, kept


class RequestIdMiddleware:
    """Binds a sane request id for the app, its handlers and every log line.

    The id is rewritten in the scope's headers, so that the app (and anything it forwards
    the request to) sees the id the client will see; it is set in `request_id_var` for the
    logs, and echoed as X-Request-Id on the response start, errors and 404s included.
    `headers` are fixed response headers set beside it (v2 tags itself X-Variant: v2).
    Pure ASGI, nothing buffered, so streams stay streams.
    """

    def __init__(self, app: ASGIApp, *, headers: Mapping[str, str] | None = None) -> None:
        self.app = app
        self.fixed = header_pairs(headers)
        self.replaced = frozenset({REQUEST_ID_KEY, *(name for name, _ in self.fixed)})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id, headers = bind_request_id(scope["headers"])
        tags = [headers[-1], *self.fixed]
        replaced = self.replaced
        token = request_id_var.set(request_id)

        async def send_tagged(message: Message) -> None:
            if message["type"] == "http.response.start":
                kept = [(k, v) for k, v in message.get("headers", []) if k not in replaced]
                message["headers"] = kept + tags
            await send(message)

        try:
            await self.app({**scope, "headers": headers}, receive, send_tagged)
        finally:
            request_id_var.reset(token)
