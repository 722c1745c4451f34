"""The gateway's hot path: pick the app for each request and tag the response.

Plain ASGI with no buffering: the chosen app's messages pass straight through, with the
routing headers added to the response start.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from core.logging import REQUEST_ID_HEADER, request_id_var, sane_request_id
from core.settings import Settings
from gateway.routes import classify

_REQUEST_ID_KEY = REQUEST_ID_HEADER.lower().encode()
_TAG_HEADERS = {b"x-request-id", b"x-variant", b"x-variant-reason"}


def _inbound_request_id(scope: Scope) -> bytes | None:
    for name, value in scope["headers"]:
        if name == _REQUEST_ID_KEY:
            return value  # type: ignore[no-any-return]
    return None


class VariantRouter:
    """Routes shared routes to v1 or v2, v2-only routes to v2, the rest to the gateway app."""

    def __init__(self, *, v1: ASGIApp, v2: ASGIApp, gateway: ASGIApp, settings: Settings) -> None:
        self.apps = {"v1": v1, "v2": v2, "gateway": gateway}
        self.settings = settings

    def choose(self, method: str, path: str) -> tuple[str, str]:
        """(variant, reason) for a request."""
        kind = classify(method, path)
        if kind == "shared":
            return ("v2", "flag") if self.settings.feature_flag_use_v2 else ("v1", "default")
        if kind == "v2-only":
            return "v2", "v2-only"
        return "gateway", "gateway"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.apps["gateway"](scope, receive, send)
            return
        inbound = _inbound_request_id(scope)
        request_id = sane_request_id(inbound.decode("latin-1") if inbound else None)
        token = request_id_var.set(request_id)
        variant, reason = self.choose(scope["method"], scope["path"])
        # The apps must see the id the client will see, so the header is rewritten in scope.
        headers = [(k, v) for k, v in scope["headers"] if k != _REQUEST_ID_KEY]
        headers.append((_REQUEST_ID_KEY, request_id.encode()))
        tags = [
            (b"x-request-id", request_id.encode()),
            (b"x-variant", variant.encode()),
            (b"x-variant-reason", reason.encode()),
        ]

        async def send_tagged(message: Message) -> None:
            if message["type"] == "http.response.start":
                kept = [
                    (k, v) for k, v in message.get("headers", []) if k.lower() not in _TAG_HEADERS
                ]
                message["headers"] = kept + tags
            await send(message)

        try:
            await self.apps[variant]({**scope, "headers": headers}, receive, send_tagged)
        finally:
            request_id_var.reset(token)
