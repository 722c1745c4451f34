"""The gateway's outermost layer: the request's id and RequestInfo, the routing headers on
every response, the body's deadline, and one JSON log line and the HTTP metrics per request
(never a body or a raw path).

One layer, not four (request id, routing tags, body deadline, access log): each layer was a
coroutine call, a scope copy or a send wrapper that every response message passed through,
for work that belongs to one request's context (docs/benchmarks.md, "The gateway's outer
layer").
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from core.logging import LogLine, request_id_var
from edge.request_id import bind_request_id, header_pairs
from gateway.context import SCOPE_KEY, RequestInfo
from gateway.deadlines import Deadlines
from gateway.metrics import GatewayMetrics
from gateway.request_body import CLOSE, Body, has_body

ACCESS_LINE = LogLine(
    logging.getLogger("reqgate.access"),
    logging.INFO,
    "request",
    ("method", "route", "status", "variant", "reason", "bucket", "durationMs"),
)


class RequestContextMiddleware:
    """Binds a sane request id (DESIGN §3) for the apps and every log line, puts a
    RequestInfo in the scope for the router, tags the response start from it, and times
    the request to its last byte for the access line and the metrics. A body must arrive
    within `body_timeout_s` (gateway/request_body.py); a response that starts before it
    is complete closes the connection. The RequestInfo holds the body's receive(), which
    keeps up to `max_body_bytes` of it for a fallback or a mirror that asks.

    The id replaces the client's in the scope's headers, so that the app (and a remote v2)
    sees the id the client will see. The tags come from the RequestInfo the router fills
    in, so 404s, errors, preflights and fallbacks carry them too; `headers` are fixed ones
    set beside them. The status noted at the response start tells the inner layers
    (the router's error answer) whether a response has started. Pure ASGI, nothing buffered.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        metrics: GatewayMetrics,
        body_timeout_s: float,
        max_body_bytes: int,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.app = app
        self.metrics = metrics
        self.body_deadlines = Deadlines(body_timeout_s)
        self.max_body_bytes = max_body_bytes
        self.fixed = header_pairs(headers)
        self.replaced = frozenset(
            {b"x-request-id", b"x-variant", b"x-variant-reason", b"x-variant-bucket"}
            | {name for name, _ in self.fixed}
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        request_id, headers = bind_request_id(scope["headers"])
        token = request_id_var.set(request_id)
        header_map = dict(headers)
        body = None
        if has_body(header_map):
            body = Body(receive, self.body_deadlines, max_kept_bytes=self.max_body_bytes)
        info = RequestInfo(request_id, headers=header_map, body=body)
        replaced, fixed = self.replaced, self.fixed

        # A plain function returning the server's send(), not a coroutine awaiting it: one
        # coroutine less for every message of every response (docs/benchmarks.md §14,
        # "Sixth session"). What a message is sent with is awaited all the same.
        def send_tagged(message: Message) -> Awaitable[None]:
            if message["type"] == "http.response.start":
                info.status = message["status"]
                kept = [(k, v) for k, v in message.get("headers", []) if k not in replaced]
                kept += info.tags()
                kept += fixed
                if body is not None and not body.clock.settled:
                    kept.append(CLOSE)
                message["headers"] = kept
            return send(message)

        scope = {**scope, "headers": headers, SCOPE_KEY: info}
        try:
            await self.app(scope, receive if body is None else body.receive, send_tagged)
        finally:
            if body is not None:
                body.clock.settled = True  # off the deadline queue, whatever is left of it
            seconds = time.perf_counter() - started
            # No response started means a fault outside the error answer (inside), which
            # the server answers with a 500.
            method, status = scope["method"], info.status or 500
            self.metrics.observe(
                method=method,
                route=info.route,
                status=status,
                variant=info.variant,
                reason=info.reason,
                seconds=seconds,
            )
            ACCESS_LINE.write(
                method,
                info.route,
                status,
                info.variant,
                info.reason,
                info.bucket,
                round(seconds * 1000, 2),
            )
            request_id_var.reset(token)
