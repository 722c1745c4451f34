"""The gateway's hot path: pick the app for each request, with fallback from v2 to v1.

Plain ASGI with no buffering: the chosen app's messages pass straight through. The choice
(variant, reason, bucket) goes into the RequestInfo, from which the outer middleware tags
the response, so the headers are right whichever app answers, fallbacks included. What
raises before a response started gets the gateway's error answer (gateway/error_answer.py).
"""

from __future__ import annotations

import random
from collections.abc import Awaitable
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send

from core.settings import Settings
from core.store.flags import Flags
from edge.admin import token_matches
from gateway.bucketing import bucket_for, cookie_value, decide, sticky_cookie_header
from gateway.context import RequestInfo, request_info
from gateway.deadlines import Deadlines
from gateway.error_answer import answer_error
from gateway.fallback import serve_with_fallback
from gateway.flags import FlagCache
from gateway.metrics import CLIENT_CLOSED, GatewayMetrics
from gateway.routes import RouteKind, classify
from gateway.shadow import Shadow

OVERRIDE_VALUES = frozenset({"v1", "v2"})


class VariantRouter:
    """Routes shared routes by override, flag, canary, default; the rest by path.

    With SHADOW_PERCENT > 0 a share of shared-route requests is also mirrored to the other
    variant in the background (gateway/shadow.py).
    """

    def __init__(
        self,
        *,
        v1: ASGIApp,
        v2: ASGIApp,
        gateway: ASGIApp,
        settings: Settings,
        flags: FlagCache,
        metrics: GatewayMetrics,
        shadow: Shadow,
    ) -> None:
        self.apps = {"v1": v1, "v2": v2, "gateway": gateway}
        self.settings = settings
        self.flags = flags
        self.metrics = metrics
        self.shadow = shadow
        self.v2_deadlines = Deadlines(settings.v2_timeout_s)
        self.sticky_header = settings.canary_sticky_header.lower().encode("latin-1")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.apps["gateway"](scope, receive, send)
            return
        info = request_info(scope)
        try:
            kind = classify(scope["method"], scope["path"])
            if kind != "shared":
                await self._serve_by_path(kind, scope, receive, send, info)
                return
            # The sticky key first: a 503 for unreadable flags sets its cookie too.
            key = self._sticky(info.headers, info)
            flags = self.flags.fresh() or await self.flags.for_routing()
            if self._route_shared(scope, info, key, flags):
                await self._serve_mirrored(scope, receive, send, info)
            else:
                await self._dispatch(scope, receive, send, info)
        except Exception as exc:
            if info.status:
                raise  # the response has started: only dropping the connection is left
            await answer_error(send, exc, info.request_id, info.variant)

    async def _serve_by_path(
        self, kind: RouteKind, scope: Scope, receive: Receive, send: Send, info: RequestInfo
    ) -> None:
        decision = decide(kind, self.flags.flags, None, None)
        info.variant, info.reason, info.route = decision.variant, decision.reason, kind
        app_scope = dict(scope)
        try:
            await self.apps[decision.variant](app_scope, receive, send)
        finally:
            route = app_scope.get("route")
            info.route = getattr(route, "path", None) or kind

    def _sticky(self, headers: dict[bytes, bytes], info: RequestInfo) -> str:
        """DESIGN §3: the sticky header, else the cookie (set when absent), else the id."""
        if header := headers.get(self.sticky_header):
            return header.decode("latin-1")[:256]
        if cookie := cookie_value(headers.get(b"cookie", b"").decode("latin-1")):
            return cookie
        info.set_cookie = sticky_cookie_header(info.request_id)
        return info.request_id

    def _override(self, headers: dict[bytes, bytes]) -> str | None:
        raw = headers.get(b"x-variant-override")
        if raw is None:
            return None
        wanted = raw.decode("latin-1").strip().lower()
        if wanted not in OVERRIDE_VALUES:
            return None
        authorization = headers.get(b"authorization", b"").decode("latin-1")
        return wanted if token_matches(self.settings, authorization) else None

    def _route_shared(self, scope: Scope, info: RequestInfo, key: str, flags: Flags) -> bool:
        """Decide a shared-route request's variant into `info` (DESIGN §3); whether to mirror
        it too. Not a coroutine: the hot path runs it inline."""
        bucket = bucket_for(self.settings.canary_group, key)
        decision = decide("shared", flags, bucket, self._override(info.headers))
        info.variant, info.reason, info.bucket = decision.variant, decision.reason, bucket
        info.route = scope["path"].rstrip("/") or "/"
        return (
            flags.shadow_percent > 0
            and random.random() * 100 < flags.shadow_percent
            and self.shadow.admits(info.route)
        )

    async def _serve_mirrored(
        self, scope: Scope, receive: Receive, send: Send, info: RequestInfo
    ) -> None:
        copy, send = self.shadow.tap(send, info.body)
        try:
            await self._dispatch(scope, receive, send, info)
        except BaseException:
            self.shadow.skip(info.route)  # the primary raised (the caller answers the error)
            raise
        # Nothing to pair after a fallback (v1 answered), nor after the client left mid-body
        # (499): the mirror would wait for the rest of the body until its timeout.
        unpaired = info.reason == "fallback" or info.status == CLIENT_CLOSED
        self.shadow.mirror(copy, scope, info.route, info.variant, unpaired)

    def _dispatch(
        self, scope: Scope, receive: Receive, send: Send, info: RequestInfo
    ) -> Awaitable[None | str]:
        """The chosen app's call, to await (a plain function, not a coroutine: one frame less
        on the hot path)."""
        if info.variant == "v1" or not self.settings.v2_fallback_to_v1:
            return self.apps[info.variant](dict(scope), receive, send)

        def on_fallback(cause: str) -> None:
            info.variant, info.reason = "v1", "fallback"
            self.metrics.fallbacks.labels(info.route, cause).inc()

        return serve_with_fallback(
            scope,
            receive,
            send,
            body=info.body,
            v2=self.apps["v2"],
            v1=self.apps["v1"],
            deadlines=self.v2_deadlines,
            on_fallback=on_fallback,
        )


def router_of(app: Any) -> VariantRouter:
    """The router of a gateway that gateway.app.create_app built, behind its middleware:
    for the tests and tools that look at its apps or hold its flags still."""
    while not isinstance(app, VariantRouter):
        app = app.app
    return app
