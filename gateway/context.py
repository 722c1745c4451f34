"""What the gateway learns about one request, shared by its middleware and router.

The router fills it in (variant, reason, bucket, route template); the outer middleware
reads it to tag the response and to write the metrics and the access log line.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

from starlette.types import Scope

SCOPE_KEY = "reqgate"


@dataclass
class RequestInfo:
    request_id: str
    variant: str = "gateway"
    reason: str = "gateway"
    bucket: int | None = None
    route: str = "gateway"
    status: int = 0
    set_cookie: bytes | None = None

    def tags(self) -> list[tuple[bytes, bytes]]:
        """The routing headers every response carries (DESIGN §3)."""
        headers = [
            (b"x-request-id", self.request_id.encode()),
            (b"x-variant", self.variant.encode()),
            (b"x-variant-reason", self.reason.encode()),
        ]
        if self.bucket is not None:
            headers.append((b"x-variant-bucket", str(self.bucket).encode()))
        if self.set_cookie is not None:
            headers.append((b"set-cookie", self.set_cookie))
        return headers


def request_info(scope: Scope) -> RequestInfo:
    """The request's info, set by RequestContextMiddleware."""
    return cast(RequestInfo, scope[SCOPE_KEY])  # an ASGI scope is untyped
