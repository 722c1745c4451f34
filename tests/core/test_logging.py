"""JSON log lines: the time stamp, and log_fields writing what the standard path writes."""

from __future__ import annotations

import io
import json
import logging
from datetime import UTC, datetime

import pytest

from core.logging import JsonFormatter, _Handler, iso_millis, log_fields, request_id_var

FIELDS: dict[str, object] = {
    "method": "POST",
    "route": "/api/v1/evaluations",
    "status": 200,
    "variant": "v2",
    "reason": "flag",
    "bucket": None,
    "durationMs": 1.25,
    "note": 'quote " and ümlaut',
    "flag": True,
    "items": [1, "a", None],
    "when": datetime(2026, 1, 2, tzinfo=UTC),  # not JSON: written as str()
}


@pytest.mark.parametrize(
    "created",
    [
        1_764_000_000.0,
        1_764_000_000.0004999,
        1_764_000_000.0005,
        1_764_000_000.123456,
        1_764_000_000.9994999,
        1_764_000_000.9995,
        1_764_000_000.9999995,  # rounds up into the next second
        1_764_000_059.9999999,  # and into the next minute
    ],
)
def test_format_iso_millis_as_datetime(created: float) -> None:
    expected = datetime.fromtimestamp(created, UTC).isoformat(timespec="milliseconds")
    assert iso_millis(created) == expected


@pytest.fixture
def stream_logger() -> tuple[logging.Logger, io.StringIO]:
    """A logger whose records reach configure_logging's JSON handler and nothing else.

    Built outside logging's registry: pytest attaches its capture handlers to the root
    logger and to every registered logger that does not propagate.
    """
    logger = logging.Logger("reqgate.test.fields", logging.INFO)
    stream = io.StringIO()
    handler = _Handler(JsonFormatter())
    handler.setStream(stream)
    logger.addHandler(handler)
    return logger, stream


def _standard_line(logger: logging.Logger, fields: dict[str, object]) -> dict[str, object]:
    """The line JsonFormatter writes for logger.info("request", extra=fields)."""
    record = logger.makeRecord(
        logger.name, logging.INFO, __file__, 1, "request", (), None, extra=fields
    )
    record.requestId = request_id_var.get()
    parsed: dict[str, object] = json.loads(JsonFormatter().format(record))
    return parsed


def test_write_log_fields_same_line_as_standard_path(
    stream_logger: tuple[logging.Logger, io.StringIO], monkeypatch: pytest.MonkeyPatch
) -> None:
    logger, stream = stream_logger

    def no_record(*_args: object, **_kwargs: object) -> logging.LogRecord:
        raise AssertionError("the direct path makes no LogRecord")

    token = request_id_var.set("rid-31")
    try:
        expected = _standard_line(logger, FIELDS)
        monkeypatch.setattr(logger, "makeRecord", no_record)
        log_fields(logger, logging.INFO, "request", FIELDS)
    finally:
        request_id_var.reset(token)
    line = json.loads(stream.getvalue())
    assert stream.getvalue().count("\n") == 1
    assert list(line) == list(expected)  # same fields in the same order
    assert {**line, "ts": None} == {**expected, "ts": None}
    assert line["requestId"] == "rid-31"


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def test_write_log_fields_to_every_handler_standard_way(
    stream_logger: tuple[logging.Logger, io.StringIO],
) -> None:
    logger, stream = stream_logger
    other = _Records()
    logger.addHandler(other)
    log_fields(logger, logging.INFO, "request", FIELDS)
    assert [(r.getMessage(), r.__dict__["status"]) for r in other.records] == [("request", 200)]
    line = json.loads(stream.getvalue())
    assert {**line, "ts": None} == {**_standard_line(logger, FIELDS), "ts": None}


def test_write_log_fields_text_format_standard_way(
    stream_logger: tuple[logging.Logger, io.StringIO],
) -> None:
    logger, stream = stream_logger
    logger.handlers[0].setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))
    log_fields(logger, logging.INFO, "request", FIELDS)
    assert stream.getvalue() == "INFO reqgate.test.fields request\n"


def _drop_all(_record: logging.LogRecord) -> bool:
    return False


@pytest.mark.parametrize("where", ["logger", "handler", "handler alone"])
def test_skip_log_fields_filtered_out_as_logging_does(
    stream_logger: tuple[logging.Logger, io.StringIO], where: str
) -> None:
    logger, stream = stream_logger
    handler = logger.handlers[0]
    if where == "handler alone":
        handler.removeFilter(handler.filters[0])
    (logger if where == "logger" else handler).addFilter(_drop_all)
    log_fields(logger, logging.INFO, "request", FIELDS)
    assert stream.getvalue() == ""


def test_skip_log_fields_below_level(stream_logger: tuple[logging.Logger, io.StringIO]) -> None:
    logger, stream = stream_logger
    log_fields(logger, logging.DEBUG, "request", FIELDS)
    assert stream.getvalue() == ""


@pytest.mark.parametrize("name", ["message", "name", "levelname"])
def test_refuse_log_fields_reserved_name_as_logging_does(
    stream_logger: tuple[logging.Logger, io.StringIO], name: str
) -> None:
    logger, stream = stream_logger
    with pytest.raises(KeyError, match=name):
        log_fields(logger, logging.INFO, "request", {name: "x"})
    assert stream.getvalue() == ""
