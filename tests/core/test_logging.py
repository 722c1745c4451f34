"""JSON log lines: the time stamp, the fields, and LogLine: written directly or the standard way."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import re
import time
from contextlib import nullcontext
from datetime import UTC, datetime

import pytest

from core.dry_run import dry_run
from core.logging import (
    LINES_WAIT_S,
    JsonFormatter,
    LogLine,
    _Handler,
    iso_millis,
    request_id_var,
)

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
    "ratio": float("nan"),
    "big": 2**70,
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


def _standard_line(logger: logging.Logger, message: str, fields: dict[str, object]) -> str:
    """The line JsonFormatter writes for logger.info(message, extra=fields)."""
    record = logger.makeRecord(
        logger.name, logging.INFO, __file__, 1, message, (), None, extra=fields
    )
    record.requestId = request_id_var.get()
    return JsonFormatter().format(record)


def _without_ts(line: str) -> str:
    return re.sub(r'^\{"ts": ?"[^"]*"', '{"ts": ""', line)


def _write(logger: logging.Logger, fields: dict[str, object], level: int = logging.INFO) -> None:
    LogLine(logger, level, "request", tuple(fields)).write(*fields.values())


@pytest.mark.parametrize(
    ("message", "fields"),
    [
        ("request", FIELDS),
        ("100% done", {"odd %s name": "%d", "n": -7}),
        ("no fields", {}),
    ],
)
def test_write_log_line_same_as_standard_path(
    stream_logger: tuple[logging.Logger, io.StringIO],
    message: str,
    fields: dict[str, object],
) -> None:
    logger, stream = stream_logger
    line = LogLine(logger, logging.INFO, message, tuple(fields))
    token = request_id_var.set("rid-31")
    try:
        expected = _standard_line(logger, message, fields)
        line.write(*fields.values())
    finally:
        request_id_var.reset(token)
    assert stream.getvalue().count("\n") == 1
    assert _without_ts(stream.getvalue()) == _without_ts(expected) + "\n"
    assert json.loads(stream.getvalue())["requestId"] == "rid-31"


def test_write_noted_lines_later_in_one_write_on_a_running_loop(
    stream_logger: tuple[logging.Logger, io.StringIO], monkeypatch: pytest.MonkeyPatch
) -> None:
    """On a loop the lines wait (LINES_WAIT_S at most), keep their own time, request id and
    dry-run mark, and go out in one write."""
    logger, stream = stream_logger
    writes: list[str] = []
    monkeypatch.setattr(stream, "write", writes.append)
    line = LogLine(logger, logging.INFO, "request", ("n",))

    async def serve() -> list[str]:
        for n, request_id in enumerate(("rid-1", "rid-2")):
            token = request_id_var.set(request_id)
            try:
                with dry_run() if n else nullcontext():
                    line.write(n)
            finally:
                request_id_var.reset(token)
        before = list(writes)
        await asyncio.sleep(LINES_WAIT_S + 0.1)
        return before

    written_at = time.time()
    assert asyncio.run(serve()) == []
    [text] = writes
    first, second = (json.loads(each) for each in text.splitlines())
    assert (first["n"], first["requestId"], "dryRun" in first) == (0, "rid-1", False)
    assert (second["n"], second["requestId"], second["dryRun"]) == (1, "rid-2", True)
    noted = datetime.fromisoformat(first["ts"]).timestamp()
    assert abs(noted - written_at) < 0.05  # the time it was noted, not written


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def test_write_log_line_to_every_handler_standard_way(
    stream_logger: tuple[logging.Logger, io.StringIO],
) -> None:
    logger, stream = stream_logger
    other = _Records()
    logger.addHandler(other)
    _write(logger, FIELDS)
    assert [(r.getMessage(), r.__dict__["status"]) for r in other.records] == [("request", 200)]
    assert (
        _without_ts(stream.getvalue())
        == _without_ts(_standard_line(logger, "request", FIELDS)) + "\n"
    )


def test_write_noted_records_with_their_own_time_and_request_id(
    stream_logger: tuple[logging.Logger, io.StringIO],
) -> None:
    """Written the standard way after the request (another handler listens), a record keeps
    the time, request id and dry-run mark of the moment it was noted, whatever the context
    at the flush."""
    logger, stream = stream_logger
    other = _Records()
    logger.addHandler(other)
    line = LogLine(logger, logging.INFO, "request", ("n",))

    async def serve() -> None:
        token = request_id_var.set("rid-5")
        try:
            with dry_run():
                line.write(5)
        finally:
            request_id_var.reset(token)
        await asyncio.sleep(0.05)
        assert other.records == []  # noted, not yet written
        token = request_id_var.set("rid-flushing")
        try:
            line.flush()
        finally:
            request_id_var.reset(token)

    noted_at = time.time()
    asyncio.run(serve())
    [record] = other.records
    assert (record.__dict__["requestId"], record.__dict__["dryRun"]) == ("rid-5", True)
    assert abs(record.created - noted_at) < 0.05
    assert json.loads(stream.getvalue())["requestId"] == "rid-5"


def test_write_log_line_text_format_standard_way(
    stream_logger: tuple[logging.Logger, io.StringIO],
) -> None:
    logger, stream = stream_logger
    logger.handlers[0].setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))
    _write(logger, FIELDS)
    assert stream.getvalue() == "INFO reqgate.test.fields request\n"


def _drop_all(_record: logging.LogRecord) -> bool:
    return False


@pytest.mark.parametrize("where", ["logger", "handler", "handler alone"])
def test_skip_log_line_filtered_out_as_logging_does(
    stream_logger: tuple[logging.Logger, io.StringIO], where: str
) -> None:
    logger, stream = stream_logger
    handler = logger.handlers[0]
    if where == "handler alone":
        handler.removeFilter(handler.filters[0])
    (logger if where == "logger" else handler).addFilter(_drop_all)
    _write(logger, FIELDS)
    assert stream.getvalue() == ""


def test_skip_log_line_below_level(stream_logger: tuple[logging.Logger, io.StringIO]) -> None:
    logger, stream = stream_logger
    _write(logger, FIELDS, logging.DEBUG)
    assert stream.getvalue() == ""


@pytest.mark.parametrize("name", ["message", "name", "levelname", "ts", "requestId"])
def test_refuse_log_line_field_name_every_line_has(
    stream_logger: tuple[logging.Logger, io.StringIO], name: str
) -> None:
    with pytest.raises(KeyError, match=name):
        LogLine(stream_logger[0], logging.INFO, "request", (name,))


def test_refuse_log_line_wrong_number_of_values(
    stream_logger: tuple[logging.Logger, io.StringIO],
) -> None:
    logger, stream = stream_logger
    with pytest.raises(TypeError, match="2 values expected, got 1"):
        LogLine(logger, logging.INFO, "request", ("a", "b")).write(1)
    assert stream.getvalue() == ""


def test_format_json_line_every_field_in_order_as_json(
    stream_logger: tuple[logging.Logger, io.StringIO],
) -> None:
    logger, stream = stream_logger
    fields = {key: value for key, value in FIELDS.items() if key != "big"}
    token = request_id_var.set("rid-7")
    try:
        _write(logger, fields)
    finally:
        request_id_var.reset(token)
    line = json.loads(stream.getvalue())
    assert list(line) == ["ts", "level", "logger", "message", *fields, "requestId"]
    assert line | {"ts": None} == {
        "ts": None,
        "level": "INFO",
        "logger": "reqgate.test.fields",
        "message": "request",
        **fields,
        "when": str(fields["when"]),
        "ratio": None,  # NaN is not JSON
        "requestId": "rid-7",
    }
    assert "ümlaut" in stream.getvalue()


def test_format_json_line_int_beyond_64_bits(
    stream_logger: tuple[logging.Logger, io.StringIO],
) -> None:
    logger, stream = stream_logger
    token = request_id_var.set("rid-8")
    try:
        _write(logger, {"big": 2**70, "note": "ümlaut"})
    finally:
        request_id_var.reset(token)
    line = json.loads(stream.getvalue())
    assert (line["big"], line["note"], line["requestId"]) == (2**70, "ümlaut", "rid-8")


def test_format_json_line_exception_and_arguments(
    stream_logger: tuple[logging.Logger, io.StringIO],
) -> None:
    logger, stream = stream_logger
    token = request_id_var.set("rid-9")
    try:
        raise ValueError("boom")
    except ValueError:
        logger.exception("failed after %d tries", 3, extra={"code": "x"})
    finally:
        request_id_var.reset(token)
    line = json.loads(stream.getvalue())
    assert (line["message"], line["code"], line["requestId"]) == (
        "failed after 3 tries",
        "x",
        "rid-9",
    )
    assert line["exception"].startswith("Traceback") and "ValueError: boom" in line["exception"]


def test_lines_of_a_dry_run_are_marked(stream_logger: tuple[logging.Logger, io.StringIO]) -> None:
    logger, stream = stream_logger
    logger.info("served")
    with dry_run():
        logger.info("mirrored")
    first, second = (json.loads(line) for line in stream.getvalue().splitlines())
    assert "dryRun" not in first and second["dryRun"] is True


def _no_record(*_args: object, **_kwargs: object) -> logging.LogRecord:
    raise AssertionError("a LogRecord was made")


def test_write_log_line_direct_when_json_handler_alone(
    stream_logger: tuple[logging.Logger, io.StringIO], monkeypatch: pytest.MonkeyPatch
) -> None:
    parent, stream = stream_logger
    child = logging.Logger("reqgate.test.fields.child", logging.INFO)
    child.parent = parent  # the handler is one level up, as on the root logger in service
    token = request_id_var.set("rid-41")
    try:
        expected = _standard_line(child, "request", FIELDS)
        monkeypatch.setattr(child, "makeRecord", _no_record)
        _write(child, FIELDS)
        with dry_run():
            _write(child, {"n": 1})
    finally:
        request_id_var.reset(token)
    first, second = stream.getvalue().splitlines()
    assert _without_ts(first) == _without_ts(expected)
    assert json.loads(second) | {"ts": None} == {
        "ts": None,
        "level": "INFO",
        "logger": "reqgate.test.fields.child",
        "message": "request",
        "n": 1,
        "requestId": "rid-41",
        "dryRun": True,
    }


def test_write_log_line_standard_way_when_parent_does_not_propagate(
    stream_logger: tuple[logging.Logger, io.StringIO],
) -> None:
    parent, stream = stream_logger
    child = logging.Logger("reqgate.test.fields.child", logging.INFO)
    child.parent, child.propagate = parent, False
    _write(child, FIELDS)  # no handler reached: logging's last resort, not our stream
    assert stream.getvalue() == ""


def test_skip_log_line_below_handler_level(
    stream_logger: tuple[logging.Logger, io.StringIO],
) -> None:
    logger, stream = stream_logger
    logger.handlers[0].setLevel(logging.WARNING)
    _write(logger, FIELDS)
    assert stream.getvalue() == ""


class _BrokenStream(io.StringIO):
    def write(self, _text: str) -> int:
        raise OSError("disk full")


def test_write_log_line_fault_goes_to_handle_error(
    stream_logger: tuple[logging.Logger, io.StringIO], monkeypatch: pytest.MonkeyPatch
) -> None:
    logger, _ = stream_logger
    handler = logger.handlers[0]
    assert isinstance(handler, logging.StreamHandler)
    handler.setStream(_BrokenStream())
    faults: list[logging.LogRecord] = []
    monkeypatch.setattr(handler, "handleError", faults.append)
    _write(logger, {"status": 200})  # does not raise, as logging's own emit does not
    assert len(faults) == 1 and '"status":200' in faults[0].getMessage()
