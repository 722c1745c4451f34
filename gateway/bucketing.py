"""Sticky canary buckets, compatible with Unleash's gradual rollout, and the routing decision.

bucket = murmur3_x86_32(f"{group}:{key}", seed=0, unsigned) % 100 + 1, so a user with
bucket 17 is on v2 for every CANARY_PERCENT >= 17: ramping up never moves a user back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import mmh3
from starlette.requests import cookie_parser

from core.store.flags import Flags
from gateway.routes import RouteKind

STICKY_COOKIE = "reqgate_key"
COOKIE_MAX_AGE_S = 365 * 24 * 3600
MAX_KEY_CHARS = 256
# RFC 6265's cookie-octet: a value with anything else in it was not set by the gateway.
_COOKIE_VALUE = re.compile(r"[\x21\x23-\x2b\x2d-\x3a\x3c-\x5b\x5d-\x7e]+")


def bucket_for(group: str, key: str) -> int:
    """The key's bucket in 1..100 within the group."""
    return mmh3.hash(f"{group}:{key}", 0, signed=False) % 100 + 1


def cookie_value(cookie_header: str | None, name: str = STICKY_COOKIE) -> str | None:
    """One cookie's value from a Cookie header, absent when it is empty or malformed.

    Parsed as browsers send it (starlette's parser), not with http.cookies: SimpleCookie
    gives up on the whole header at the first cookie the old spec refuses, such as
    another app's `theme=dark mode`, and the client would lose its bucket with it.
    """
    if not cookie_header or name not in cookie_header:
        return None
    value = cookie_parser(cookie_header).get(name)
    if not value or not _COOKIE_VALUE.fullmatch(value):
        return None
    return value[:MAX_KEY_CHARS]


def sticky_cookie_header(key: str) -> bytes:
    """Set-Cookie for the sticky key: HttpOnly so scripts cannot read it, Lax for navigation."""
    return (
        f"{STICKY_COOKIE}={key}; Max-Age={COOKIE_MAX_AGE_S}; Path=/; HttpOnly; SameSite=Lax"
    ).encode()


@dataclass(frozen=True)
class Decision:
    variant: str  # v1 | v2 | gateway
    reason: str
    bucket: int | None = None


# Routes outside the shared set always go the same way.
FIXED_DECISIONS: dict[RouteKind, Decision] = {
    "v2-only": Decision("v2", "v2-only"),
    "v1-only": Decision("v1", "v1-only"),
    "gateway": Decision("gateway", "gateway"),
}


# The decisions made so far: a few variants and reasons times 100 buckets, each built once
# (a frozen dataclass's __init__ was a tenth of the router's own work per request).
_DECISIONS: dict[tuple[str, str, int | None], Decision] = {}


def _decision(variant: str, reason: str, bucket: int | None) -> Decision:
    decision = _DECISIONS.get((variant, reason, bucket))
    if decision is None:
        decision = _DECISIONS[variant, reason, bucket] = Decision(variant, reason, bucket)
    return decision


def decide(kind: RouteKind, flags: Flags, bucket: int | None, override: str | None) -> Decision:
    """The variant for a request, in DESIGN §3's order: override, flag, canary, default."""
    fixed = FIXED_DECISIONS.get(kind)
    if fixed is not None:
        return fixed
    if override is not None:
        return _decision(override, "override", bucket)
    if flags.use_v2:
        return _decision("v2", "flag", bucket)
    if flags.canary_percent > 0 and bucket is not None:
        if bucket <= flags.canary_percent:
            return _decision("v2", "canary", bucket)
        return _decision("v1", "canary-holdout", bucket)
    return _decision("v1", "default", bucket)
