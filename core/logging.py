"""Structured logging with the request id on every line.

The request id lives in a context variable so that every log line written while a request
is served, in the gateway, Flask or FastAPI, carries it without being passed around.
Log lines never contain request bodies: callers log ids, codes and numbers only.
"""

from __future__ import annotations

import json
import logging
import re
import secrets
from contextvars import ContextVar
from datetime import UTC, datetime

request_id_var: ContextVar[str] = ContextVar("request_id", default="-")

REQUEST_ID_HEADER = "X-Request-Id"
_SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:\-]{1,128}")
_RESERVED_ATTRS = frozenset(logging.makeLogRecord({}).__dict__) | {"message", "asctime"}


def new_request_id() -> str:
    """A fresh, unguessable request id."""
    return secrets.token_hex(16)


def sane_request_id(inbound: str | None) -> str:
    """Keep a client's request id when it is a short safe token, else make a new one.

    A client-chosen id ends up in logs and headers, so anything that could inject
    control characters or flood a log line is replaced.
    """
    if inbound and _SANE_REQUEST_ID.fullmatch(inbound):
        return inbound
    return new_request_id()


class _RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.requestId = request_id_var.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, requestId and extras."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in record.__dict__.items():
            if key not in _RESERVED_ATTRS:
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


def configure_logging(level: str = "INFO", fmt: str = "json") -> None:
    """Install one handler on the root logger; safe to call more than once."""
    handler = logging.StreamHandler()
    handler.addFilter(_RequestIdFilter())
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(
            logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(requestId)s] %(message)s")
        )
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "_reqgate", False)]:
        root.removeHandler(old)
    # a marker on the stdlib Handler (which declares no such attribute), so a second call
    # replaces our handler and leaves everyone else's
    handler._reqgate = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level)
