"""v2 in another process: an ASGI app that proxies to V2_UPSTREAM_URL with httpx.

Both directions stream: the request body is passed on as the client sends it and the
response body as the upstream produces it, so NDJSON and SSE stay live. httpx errors are
turned into core errors at one boundary (`map_upstream_errors`); the fallback then serves
v1, or the error handler answers 503 in the one error shape.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager

import httpx
from starlette.types import Receive, Scope, Send

from core.dry_run import DRY_RUN_HEADER, dry_run_token, is_dry_run
from core.exceptions import ClientClosedRequest, Unavailable
from core.logging import request_id_var

# Hop-by-hop headers (RFC 9110 §7.6.1) belong to one connection, never forwarded.
HOP_BY_HOP = frozenset(
    {
        b"connection",
        b"keep-alive",
        b"proxy-authenticate",
        b"proxy-authorization",
        b"te",
        b"trailer",
        b"transfer-encoding",
        b"upgrade",
        b"host",
    }
)
DRY_RUN_KEY = DRY_RUN_HEADER.lower().encode()
NOT_FORWARDED = HOP_BY_HOP | {DRY_RUN_KEY}  # only the gateway itself marks a dry run
CONNECT_TIMEOUT_S = 2.0


@contextmanager
def map_upstream_errors() -> Iterator[None]:
    """httpx's transport errors as Unavailable; nothing of httpx leaks past this."""
    try:
        yield
    except httpx.TimeoutException as exc:
        raise Unavailable("v2 upstream timed out") from exc
    except httpx.TransportError as exc:
        raise Unavailable("v2 upstream unreachable") from exc


async def _request_body(receive: Receive) -> AsyncIterator[bytes]:
    """The client's body as it comes; cut short by its disconnect, the request to v2 is
    abandoned, never ended as if complete (a chunked body would pass as a whole one)."""
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ClientClosedRequest()
        if body := message.get("body", b""):
            yield body
        if not message.get("more_body", False):
            return


class HttpUpstream:
    """Proxies HTTP requests to one base URL; the request id travels in the headers."""

    def __init__(
        self,
        base_url: str,
        *,
        timeout_s: float,
        transport: httpx.AsyncBaseTransport | None = None,
        dry_run_secret: str | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.dry_run_secret = dry_run_secret
        timeout = httpx.Timeout(timeout_s, connect=min(CONNECT_TIMEOUT_S, timeout_s))
        self.client = httpx.AsyncClient(
            timeout=timeout, transport=transport, limits=httpx.Limits(max_keepalive_connections=32)
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        url = self.base_url + scope["path"]
        if scope["query_string"]:
            url += "?" + scope["query_string"].decode("latin-1")
        headers = [(k, v) for k, v in scope["headers"] if k not in NOT_FORWARDED]
        if is_dry_run() and self.dry_run_secret:  # a shadow mirror: v2 must store nothing
            token = dry_run_token(self.dry_run_secret, request_id_var.get())
            headers.append((DRY_RUN_KEY, token.encode()))
        has_body = any(k in (b"content-length", b"transfer-encoding") for k, _ in scope["headers"])
        request = self.client.build_request(
            scope["method"],
            url,
            headers=headers,
            content=_request_body(receive) if has_body else None,
        )
        with map_upstream_errors():
            response = await self.client.send(request, stream=True)
        try:
            await send(
                {
                    "type": "http.response.start",
                    "status": response.status_code,
                    "headers": [
                        (k, v) for k, v in response.headers.raw if k.lower() not in HOP_BY_HOP
                    ],
                }
            )
            with map_upstream_errors():
                async for chunk in response.aiter_raw():
                    await send({"type": "http.response.body", "body": chunk, "more_body": True})
            await send({"type": "http.response.body", "body": b"", "more_body": False})
        finally:
            await response.aclose()

    async def check(self) -> None:
        """Raise Unavailable unless the upstream answers its health check."""
        with map_upstream_errors():
            response = await self.client.get(self.base_url + "/health")
        if response.status_code != 200:
            raise Unavailable(f"v2 upstream health answered {response.status_code}")

    async def aclose(self) -> None:
        await self.client.aclose()
