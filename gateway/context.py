"""What the gateway learns about one request, shared by its middleware and router.

The router fills it in (variant, reason, bucket, route template); the outer middleware
reads it to tag the response and to write the metrics and the access log line. Its body is
the request body's receive() (gateway/request_body.py), which a fallback or a mirror asks
to keep the body for a second app.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import cast

from starlette.types import Scope

from gateway.request_body import Body

SCOPE_KEY = "reqgate"


# Variants and reasons are a few fixed words and buckets run 1..100: the header pairs of
# each combination are built once, not on every response.
_ROUTING_TAGS: dict[tuple[str, str, int | None], tuple[tuple[bytes, bytes], ...]] = {}


def _routing_tags(variant: str, reason: str, bucket: int | None) -> tuple[tuple[bytes, bytes], ...]:
    tags = _ROUTING_TAGS.get((variant, reason, bucket))
    if tags is None:
        tags = ((b"x-variant", variant.encode()), (b"x-variant-reason", reason.encode()))
        if bucket is not None:
            tags += ((b"x-variant-bucket", str(bucket).encode()),)
        if bucket is None or 1 <= bucket <= 100:  # any other came from a test, not a key
            _ROUTING_TAGS[variant, reason, bucket] = tags
    return tags


@dataclass(slots=True)
class RequestInfo:
    request_id: str
    variant: str = "gateway"
    reason: str = "gateway"
    bucket: int | None = None
    route: str = "gateway"
    status: int = 0
    set_cookie: bytes | None = None
    headers: dict[bytes, bytes] = field(default_factory=dict)  # the request's, by name
    body: Body | None = None  # None: the request has no body

    def tags(self) -> list[tuple[bytes, bytes]]:
        """The routing headers every response carries (DESIGN §3)."""
        headers = [
            (b"x-request-id", self.request_id.encode()),
            *_routing_tags(self.variant, self.reason, self.bucket),
        ]
        if self.set_cookie is not None:
            headers.append((b"set-cookie", self.set_cookie))
        return headers


def request_info(scope: Scope) -> RequestInfo:
    """The request's info, set by RequestContextMiddleware."""
    return cast(RequestInfo, scope[SCOPE_KEY])  # an ASGI scope is untyped
