"""What the gateway learns about one request, shared by its middleware and router.

The router fills it in (variant, reason, bucket, route template); the outer middleware
reads it to tag the response and to write the metrics and the access log line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import cast

from starlette.types import Scope

SCOPE_KEY = "reqgate"


# Variants and reasons are a few fixed words and buckets run 1..100: their header pairs are
# built once, not on every response.
_VARIANT_TAGS: dict[tuple[str, str], tuple[tuple[bytes, bytes], ...]] = {}
_BUCKET_TAGS = {bucket: (b"x-variant-bucket", str(bucket).encode()) for bucket in range(1, 101)}


def _variant_tags(variant: str, reason: str) -> tuple[tuple[bytes, bytes], ...]:
    tags = _VARIANT_TAGS.get((variant, reason))
    if tags is None:
        tags = _VARIANT_TAGS[variant, reason] = (
            (b"x-variant", variant.encode()),
            (b"x-variant-reason", reason.encode()),
        )
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

    def tags(self) -> list[tuple[bytes, bytes]]:
        """The routing headers every response carries (DESIGN §3)."""
        headers = [
            (b"x-request-id", self.request_id.encode()),
            *_variant_tags(self.variant, self.reason),
        ]
        if self.bucket is not None:
            tag = _BUCKET_TAGS.get(self.bucket)
            headers.append(tag or (b"x-variant-bucket", str(self.bucket).encode()))
        if self.set_cookie is not None:
            headers.append((b"set-cookie", self.set_cookie))
        return headers


def request_info(scope: Scope) -> RequestInfo:
    """The request's info, set by RequestContextMiddleware."""
    return cast(RequestInfo, scope[SCOPE_KEY])  # an ASGI scope is untyped
