"""Dry runs marked by the gateway for a v2 in another process (core/dry_run.py)."""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from core.dry_run import DRY_RUN_HEADER, dry_run, is_dry_run_token
from core.logging import request_id_var

DRY_RUN_KEY = DRY_RUN_HEADER.lower().encode()


class DryRunMiddleware:
    """Serves a request as a dry run when it carries the gateway's mark for its id.

    Sits inside RequestIdMiddleware, which has bound the id the mark is checked against. A
    mark that does not verify (forged, replayed from another request, or no ADMIN_TOKEN
    here) is ignored: the request is served as any other.
    """

    def __init__(self, app: ASGIApp, *, secret: str | None) -> None:
        self.app = app
        self.secret = secret

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        mark = None
        if scope["type"] == "http" and self.secret:
            mark = next((v for k, v in scope["headers"] if k == DRY_RUN_KEY), None)
        if mark is None or not is_dry_run_token(
            self.secret, request_id_var.get(), mark.decode("latin-1")
        ):
            await self.app(scope, receive, send)
            return
        with dry_run():
            await self.app(scope, receive, send)
