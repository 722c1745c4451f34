"""One JSON log line and the HTTP metrics per request; never a body or a raw path."""

from __future__ import annotations

import logging
import time

from starlette.types import ASGIApp, Receive, Scope, Send

from core.logging import LogLine
from gateway.context import RequestInfo, request_info
from gateway.metrics import GatewayMetrics

ACCESS_LINE = LogLine(
    logging.getLogger("reqgate.access"),
    logging.INFO,
    "request",
    ("method", "route", "status", "variant", "reason", "bucket", "durationMs"),
)


class AccessLogMiddleware:
    """Times each request to its last byte and records it under its route template.

    Sits inside RequestContextMiddleware, so the request id is bound for the log line,
    and outside the router, so it sees the variant, reason and bucket the router chose.
    """

    def __init__(self, app: ASGIApp, *, metrics: GatewayMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        try:
            await self.app(scope, receive, send)
        finally:
            # RequestContextMiddleware notes the status as the response starts (the error
            # answers of ErrorAnswerMiddleware, inside, included); none started means a fault
            # outside that, which the server answers with a 500.
            info = request_info(scope)
            self._record(scope["method"], info, info.status or 500, time.perf_counter() - started)

    def _record(self, method: str, info: RequestInfo, status: int, seconds: float) -> None:
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
