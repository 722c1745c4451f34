"""Structured logging with the request id on every line.

The request id lives in a context variable so that every log line written while a request
is served, in the gateway, Flask or FastAPI, carries it without being passed around.
Log lines never contain request bodies: callers log ids, codes and numbers only.
"""

from __future__ import annotations

import json
import logging
import math
import os
import re
import time
from collections.abc import Callable, Mapping
from contextvars import ContextVar
from datetime import UTC, datetime
from json.encoder import encode_basestring_ascii
from typing import Any, TextIO

request_id_var: ContextVar[str] = ContextVar("request_id", default="-")

REQUEST_ID_HEADER = "X-Request-Id"
_SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:\-]{1,128}")
_RESERVED_ATTRS = frozenset(logging.makeLogRecord({}).__dict__) | {"message", "asctime"}
# One encoder for every line: json.dumps(default=...) would build a new one per call.
_encode = json.JSONEncoder(default=str).encode


def new_request_id() -> str:
    """A fresh, unguessable request id."""
    return os.urandom(16).hex()  # secrets.token_hex(16), without its three Python calls


def sane_request_id(inbound: str | None) -> str:
    """Keep a client's request id when it is a short safe token, else make a new one.

    A client-chosen id ends up in logs and headers, so anything that could inject
    control characters or flood a log line is replaced.
    """
    if inbound and _SANE_REQUEST_ID.fullmatch(inbound):
        return inbound
    return new_request_id()


# The date and time down to the second, formatted once per second: most lines share it.
_second: tuple[int, str] = (-1, "")
_MILLIS = tuple(f".{ms:03d}+00:00" for ms in range(1000))


def iso_millis(created: float) -> str:
    """ISO 8601 time in UTC with milliseconds, as datetime.isoformat(timespec="milliseconds")."""
    global _second
    second = int(created)
    # datetime.fromtimestamp rounds to microseconds (half even), then isoformat cuts
    micros = round((created - second) * 1e6)
    if micros == 1_000_000:
        second, micros = second + 1, 0
    cached = _second  # one read: another thread may replace it meanwhile
    if cached[0] != second:
        text = datetime.fromtimestamp(second, UTC).isoformat(timespec="seconds")[:19]
        cached = _second = (second, text)
    return cached[1] + _MILLIS[micros // 1000]


def _json_line(
    created: float, level: str, logger: str, message: str, extras: Mapping[str, object]
) -> str:
    entry: dict[str, object] = {
        "ts": iso_millis(created),
        "level": level,
        "logger": logger,
        "message": message,
    }
    entry.update(extras)
    return _encode(entry)


class _RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.requestId = request_id_var.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, extras and requestId."""

    def format(self, record: logging.LogRecord) -> str:
        extras = {k: v for k, v in record.__dict__.items() if k not in _RESERVED_ATTRS}
        if record.exc_info:
            extras["exception"] = self.formatException(record.exc_info)
        return _json_line(
            record.created, record.levelname, record.name, record.getMessage(), extras
        )


class _Handler(logging.StreamHandler[TextIO]):
    """The handler configure_logging installs: stderr, the request id on every record."""

    def __init__(self, formatter: logging.Formatter) -> None:
        super().__init__()
        self.addFilter(_RequestIdFilter())
        self.setFormatter(formatter)


def _finite(value: float) -> str:
    return float.__repr__(value) if math.isfinite(value) else _encode(value)


# What json.dumps writes for the values log fields mostly hold; other types (bool, lists,
# anything else) take the encoder.
_VALUE_JSON: dict[type, Callable[[Any], str]] = {
    str: encode_basestring_ascii,
    int: int.__repr__,
    float: _finite,
    type(None): lambda _value: "null",
}
# Keys every JSON line has already.
_LINE_KEYS = frozenset({"ts", "level", "logger", "message", "requestId"})


class LogLine:
    """One kind of log line with fixed fields, written cheaply (the access log's).

    `write(*values)` writes what `logger.log(level, message, extra=dict(zip(names,
    values)))` writes. When the JSON handler of configure_logging is all the record would
    reach, it fills the values into a line template made once: no LogRecord, no handler
    chain, no generic formatter, which cost several times the line itself. Any other
    handler, filter or format (pytest's caplog, LOG_FORMAT=text) gets the record the
    standard way. No caller stack is looked up (it is never printed).
    """

    def __init__(
        self, logger: logging.Logger, level: int, message: str, names: tuple[str, ...]
    ) -> None:
        taken = (_RESERVED_ATTRS | _LINE_KEYS).intersection(names)
        if taken:
            raise KeyError(f"field names every line has already: {sorted(taken)}")
        self.logger, self.level, self.message, self.names = logger, level, message, names
        head = _encode({"level": logging.getLevelName(level), "logger": logger.name})
        keys = (encode_basestring_ascii(name) for name in (*names, "requestId"))
        self._template = "".join(
            [
                '{"ts": "%s", ',
                head[1:-1].replace("%", "%%"),
                ', "message": ',
                encode_basestring_ascii(message).replace("%", "%%"),
                *(f", {key.replace('%', '%%')}: %s" for key in keys),
                "}",
            ]
        )

    def write(self, *values: object) -> None:
        """Log one line with these values, in the order of the names."""
        if len(values) != len(self.names):
            raise TypeError(f"{len(self.names)} values expected, got {len(values)}")
        logger = self.logger
        if not logger.isEnabledFor(self.level):
            return
        handler = _sole_json_handler(logger, self.level)
        if handler is None:
            logger.handle(self._record(values))
            return
        line = self._template % (
            iso_millis(time.time()),
            *[_VALUE_JSON.get(type(value), _encode)(value) for value in values],
            encode_basestring_ascii(request_id_var.get()),
        )
        handler.acquire()
        try:
            handler.stream.write(line + handler.terminator)
            handler.flush()
        except RecursionError:  # as logging.StreamHandler.emit does
            raise
        except Exception:
            handler.handleError(self._record(values))
        finally:
            handler.release()

    def _record(self, values: tuple[object, ...]) -> logging.LogRecord:
        return self.logger.makeRecord(
            self.logger.name,
            self.level,
            "(unknown file)",
            0,
            self.message,
            (),
            None,
            extra=dict(zip(self.names, values, strict=True)),
        )


def _sole_json_handler(logger: logging.Logger, level: int) -> _Handler | None:
    """Our JSON handler, if a record of `logger` at `level` would reach it and nothing else.

    Walks the handlers as Logger.callHandlers does; a filter on the logger, or any filter
    or formatter on the handler other than its own, means the standard path.
    """
    if logger.filters:
        return None
    found: _Handler | None = None
    current: logging.Logger | None = logger
    while current is not None:
        for handler in current.handlers:
            if found is not None or type(handler) is not _Handler:
                return None
            found = handler
        if not current.propagate:
            break
        current = current.parent
    if (
        found is None
        or level < found.level
        or len(found.filters) != 1
        or type(found.filters[0]) is not _RequestIdFilter
        or type(found.formatter) is not JsonFormatter
    ):
        return None
    return found


def configure_logging(level: str = "INFO", fmt: str = "json") -> None:
    """Install one handler on the root logger; safe to call more than once."""
    if fmt == "json":
        handler = _Handler(JsonFormatter())
    else:
        handler = _Handler(
            logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(requestId)s] %(message)s")
        )
    root = logging.getLogger()
    # a second call replaces our handler and leaves everyone else's
    for old in [h for h in root.handlers if isinstance(h, _Handler)]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
