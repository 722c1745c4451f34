"""Dry runs: a request served in full whose writes are rolled back (shadow mode's mirrors).

The gateway runs a mirrored call inside `dry_run()`. The in-process apps see the mark through
the context, as they see the request id: the WSGI bridge and FastAPI's thread pool copy it
into the threads that serve the call. A v2 in another process gets it as DRY_RUN_HEADER,
whose value is an HMAC of the request id under ADMIN_TOKEN (`dry_run_token`), so a client
cannot mark a request of its own. `core.store.db.writing` rolls a dry run's transaction back
instead of committing it: the write path runs, and its faults show, but nothing stays.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

DRY_RUN_HEADER = "X-Reqgate-Dry-Run"
_dry_run: ContextVar[bool] = ContextVar("reqgate_dry_run", default=False)


def is_dry_run() -> bool:
    """Whether the work under way belongs to a dry run."""
    return _dry_run.get()


@contextmanager
def dry_run() -> Iterator[None]:
    """Mark everything done inside (in this context) as a dry run."""
    token = _dry_run.set(True)
    try:
        yield
    finally:
        _dry_run.reset(token)


def dry_run_token(secret: str, request_id: str) -> str:
    """The DRY_RUN_HEADER value that marks this request: bound to its id, so it cannot be
    replayed onto another request."""
    return hmac.new(secret.encode(), b"dry-run:" + request_id.encode(), hashlib.sha256).hexdigest()


def is_dry_run_token(secret: str | None, request_id: str, value: str) -> bool:
    """Whether a DRY_RUN_HEADER value is the one `dry_run_token` makes (never without a secret)."""
    return bool(secret) and hmac.compare_digest(dry_run_token(secret or "", request_id), value)
