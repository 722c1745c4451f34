"""Row ids derived from the request, so that executing one request twice stores it once.

A request can run twice: the gateway serves v1 after v2 missed V2_TIMEOUT_S while v2's
thread goes on (threads cannot be interrupted), or a client retries after the answer to
a commit was lost. Each evaluation's id is therefore derived (UUID5) from the request id
the edge bound (X-Request-Id, passed unchanged to v2 and to v1 on fallback), the route,
everything else that decides the result (criteria keys, the row's context), the item's
position and its text checksum; core.store.records writes with ON CONFLICT DO NOTHING.
The second execution stores nothing and answers with the ids already stored; a client that
reuses a request id for another body gets other ids, so its data is stored too.

Without a request id (the CLI, the bench) every execution is its own: ids stay random.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from core.logging import request_id_var

# Fixed for good: another namespace would give a retry new ids, and so duplicate rows.
NAMESPACE = uuid.UUID("5d0f3a4e-2b9c-4c61-9a57-3f1c7e8b2d10")
_SEPARATOR = "\x1f"  # a control character no request id (core.logging) or checksum contains
_UNBOUND = request_id_var.get()  # the default outside a request
_NAMESPACE_SHA1 = hashlib.sha1(NAMESPACE.bytes, usedforsecurity=False)  # UUID5 hashes with SHA-1
_VARIANT = "89ab"


def derived_id(parts: Iterable[str]) -> str:
    """The same UUID5 for the same parts, in the 36-character form of every row id.

    Exactly `str(uuid.uuid5(NAMESPACE, name))` (tests/core/test_idempotency.py), built from
    the SHA-1 hex digest without a UUID object: a third of the time, and an evaluation
    derives about ten ids (issue 16). The version nibble is 5; the variant's two high bits
    are 10, which maps the digest's hex digit to one of 8, 9, a, b.
    """
    digest = _NAMESPACE_SHA1.copy()
    digest.update(_SEPARATOR.join(parts).encode())
    h = digest.hexdigest()
    return f"{h[:8]}-{h[8:12]}-5{h[13:16]}-{_VARIANT[int(h[16], 16) & 3]}{h[17:20]}-{h[20:32]}"


@dataclass(frozen=True, slots=True)
class RequestRowIds:
    """The row ids of one request: `key` is None when no request id is bound."""

    key: str | None

    def item_id(self, index: int, text_sha256: str, *extra: str) -> str | None:
        """The evaluation id of the index-th item; None (keep the random one) without a
        request id."""
        if self.key is None:
            return None
        return derived_id((self.key, str(index), text_sha256, *extra))


def request_row_ids(route: str, *options: str) -> RequestRowIds:
    """The row ids of the current request on `route`; `options` are what else decides the
    result for every item (criteria keys, flags)."""
    request_id = request_id_var.get()
    if request_id == _UNBOUND:
        return RequestRowIds(None)
    return RequestRowIds(derived_id((request_id, route, *options)))
