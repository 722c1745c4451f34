"""Structured logging with the request id on every line.

The request id lives in a context variable so that every log line written while a request
is served, in the gateway, Flask or FastAPI, carries it without being passed around.
Log lines never contain request bodies: callers log ids, codes and numbers only.
"""

from __future__ import annotations

import atexit
import json
import logging
import os
import re
import time
from collections.abc import Mapping
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import TextIO

import orjson

from core.deferred import Deferred
from core.dry_run import is_dry_run

request_id_var: ContextVar[str] = ContextVar("request_id", default="-")

REQUEST_ID_HEADER = "X-Request-Id"
_SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:\-]{1,128}")
_RESERVED_ATTRS = frozenset(logging.makeLogRecord({}).__dict__) | {"message", "asctime"}


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


# orjson: one C call per line, several times faster than json.dumps. Dates and
# dataclasses go through default=str as they did with json; so does anything unknown.
_ORJSON_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS
_ORJSON_OPTIONS |= orjson.OPT_NON_STR_KEYS


def _dumps(entry: Mapping[str, object]) -> str:
    try:
        return orjson.dumps(entry, default=str, option=_ORJSON_OPTIONS).decode()
    except orjson.JSONEncodeError:
        # what orjson refuses (an int beyond 64 bits, a lone surrogate) json still writes
        return json.dumps(entry, default=str, ensure_ascii=False, separators=(",", ":"))


def _add_context(
    fields: dict[str, object], request_id: str | None = None, in_dry_run: bool | None = None
) -> None:
    """The request id, and `dryRun` in a dry run (a shadow call): fields of every line, from
    the context unless given (a line written after its request)."""
    fields["requestId"] = request_id_var.get() if request_id is None else request_id
    if is_dry_run() if in_dry_run is None else in_dry_run:
        fields["dryRun"] = True


class _RequestIdFilter(logging.Filter):
    """The context fields (_add_context) on every record that does not bring its own (a
    LogLine written after its request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if "requestId" not in record.__dict__:
            _add_context(record.__dict__)
        return True


def _head(created: float, level: str, logger: str, message: str) -> dict[str, object]:
    """The fields every JSON line starts with."""
    return {"ts": iso_millis(created), "level": level, "logger": logger, "message": message}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, extras and requestId."""

    def format(self, record: logging.LogRecord) -> str:
        entry = _head(record.created, record.levelname, record.name, record.getMessage())
        for key, value in record.__dict__.items():
            if key not in _RESERVED_ATTRS:
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return _dumps(entry)


class _Handler(logging.StreamHandler[TextIO]):
    """The handler configure_logging installs: stderr, the request id on every record."""

    def __init__(self, formatter: logging.Formatter) -> None:
        super().__init__()
        self.addFilter(_RequestIdFilter())
        self.setFormatter(formatter)

    def write_lines(self, lines: list[str]) -> None:
        """Write formatted lines as emit() would each, in one write under the handler's lock."""
        terminator = self.terminator
        text = terminator.join(lines) + terminator
        with self.lock:  # type: ignore[union-attr]  # createLock() made it in __init__
            try:
                self.stream.write(text)
                self.stream.flush()
            except RecursionError:
                raise
            except Exception:
                self.handleError(logging.makeLogRecord({"msg": text}))


def _sole_json_handler(logger: logging.Logger, level: int) -> _Handler | None:
    """The handler a record of this level reaches, when it is the only one, configure_logging's
    JSON handler as installed, and no filter is on the way; else None.

    A line that only that handler would see can be written without a LogRecord: no filter,
    other handler or formatter could tell the difference.
    """
    sole: _Handler | None = None
    current: logging.Logger | None = logger
    while current is not None:
        if current.filters:
            return None
        for handler in current.handlers:
            if sole is not None or type(handler) is not _Handler:
                return None
            sole = handler
        current = current.parent if current.propagate else None
    if (
        sole is None
        or level < sole.level
        or type(sole.formatter) is not JsonFormatter
        or len(sole.filters) != 1
        or type(sole.filters[0]) is not _RequestIdFilter
    ):
        return None
    return sole


# Keys every JSON line has already.
_LINE_KEYS = frozenset({"ts", "level", "logger", "message", "requestId"})


# A line noted for later: its time, request id, dry-run mark and values.
_Noted = tuple[float, str, bool, tuple[object, ...]]
LINES_EVERY = 256  # lines noted before they are written at once, under load
LINES_WAIT_S = 0.25  # the longest a noted line waits to be written


class LogLine:
    """One kind of log line with fixed fields (the access log's), its names checked once.

    `write(*values)` notes the values, with the time, the request id and the dry-run mark,
    and logs what `logger.log(level, message, extra=dict(zip(names, values)))` logs later,
    many lines at once (core/deferred.py): at most LINES_WAIT_S later on an event loop, at
    once without one, at `flush()` and at exit. Where configure_logging's JSON handler is
    all the lines would reach, they are written in one write without LogRecords; else each
    goes through the logger's filters, handlers and formatters, minus the caller lookup
    (findCaller walks the stack for a file and line that no format here prints). Making and
    formatting a LogRecord per request was a third of the gateway's own work; choosing the
    handler and writing once per batch took ~120 bytecodes more off each request
    (docs/benchmarks.md §14, "Second session on a faster host" and "Fifth session"). Lines
    noted in the last LINES_WAIT_S before a SIGKILL are lost, as with any buffered log
    (nginx's `access_log buffer=`).
    """

    def __init__(
        self, logger: logging.Logger, level: int, message: str, names: tuple[str, ...]
    ) -> None:
        taken = (_RESERVED_ATTRS | _LINE_KEYS).intersection(names)
        if taken:
            raise KeyError(f"field names every line has already: {sorted(taken)}")
        self.logger, self.level, self.message, self.names = logger, level, message, names
        self._noted: Deferred[_Noted] = Deferred(
            self._write_noted, max_items=LINES_EVERY, max_wait_s=LINES_WAIT_S
        )
        atexit.register(self.flush)

    def write(self, *values: object) -> None:
        """Log one line with these values, in the order of the names."""
        if len(values) != len(self.names):
            raise TypeError(f"{len(self.names)} values expected, got {len(values)}")
        if self.logger.isEnabledFor(self.level):
            self._noted.add((time.time(), request_id_var.get(), is_dry_run(), values))

    def flush(self) -> None:
        """Log every line noted so far."""
        self._noted.flush()

    def _write_noted(self, batch: list[_Noted]) -> None:
        logger, level = self.logger, self.level
        handler = _sole_json_handler(logger, level)
        if handler is None:
            for created, request_id, in_dry_run, values in batch:
                extra = dict(zip(self.names, values, strict=True))
                _add_context(extra, request_id, in_dry_run)
                record = logger.makeRecord(
                    logger.name, level, "(unknown file)", 0, self.message, (), None, extra=extra
                )
                record.created, record.msecs = created, (created - int(created)) * 1000
                logger.handle(record)
            return
        # the fields in _head's order, then the names; _add_context adds the request's own
        keys = ("ts", "level", "logger", "message", *self.names)
        head = (logging.getLevelName(level), logger.name, self.message)
        lines: list[str] = []
        for created, request_id, in_dry_run, values in batch:
            entry = dict(zip(keys, (iso_millis(created), *head, *values), strict=True))
            _add_context(entry, request_id, in_dry_run)
            lines.append(_dumps(entry))
        handler.write_lines(lines)


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
