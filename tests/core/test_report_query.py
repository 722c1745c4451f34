"""The query of the report routes: ISO dates in, a half-open UTC range out, or a 400."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from core.contract.reports import ReportQuery, parse_report_query
from core.exceptions import InvalidRequest
from core.settings import Settings

NOW = datetime(2025, 3, 10, 12, 30, tzinfo=UTC)


def _parse(settings: Settings, start: str | None = None, end: str | None = None) -> ReportQuery:
    return parse_report_query(
        start=start, end=end, variant=None, engine=None, top=10, settings=settings, now=NOW
    )


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (None, None, (NOW - timedelta(days=7), NOW)),
        (
            "2025-03-01",
            "2025-03-01",
            (datetime(2025, 3, 1, tzinfo=UTC), datetime(2025, 3, 2, tzinfo=UTC)),
        ),
        ("2025-03-01T10:00:00", None, (datetime(2025, 3, 1, 10, tzinfo=UTC), NOW)),
        (
            "2025-03-01T10:00:00+02:00",
            "2025-03-01T12:00Z",
            (datetime(2025, 3, 1, 8, tzinfo=UTC), datetime(2025, 3, 1, 12, tzinfo=UTC)),
        ),
        (None, "2025-03-05", (datetime(2025, 2, 27, tzinfo=UTC), datetime(2025, 3, 6, tzinfo=UTC))),
        ("2025-03-10T12:30:00Z", "2025-03-10T12:30:00Z", (NOW, NOW)),
    ],
)
def test_parse_report_query_range(
    settings: Settings, start: str | None, end: str | None, expected: tuple[datetime, datetime]
) -> None:
    query = _parse(settings, start, end)
    assert (query.start, query.end) == expected
    assert query.start.tzinfo is UTC and query.end.tzinfo is UTC


@pytest.mark.parametrize(
    ("start", "end", "field", "message"),
    [
        ("yesterday", None, "from", "ISO 8601"),
        (None, "2025-13-01", "to", "ISO 8601"),
        ("1741600000", None, "from", "ISO 8601"),
        (None, "9999-12-31", "to", "ISO 8601"),
        (None, "0001-01-01", "to", "too early"),
        ("2025-03-02", "2025-03-01T23:59:59Z", "from", "after"),
        ("2024-03-01", "2025-03-03", "to", "366 days"),
    ],
)
def test_parse_report_query_refuses(
    settings: Settings, start: str | None, end: str | None, field: str, message: str
) -> None:
    with pytest.raises(InvalidRequest, match=message) as raised:
        _parse(settings, start, end)
    assert raised.value.details["field"] == field


def test_parse_report_query_max_days_is_a_setting(make_settings: type[Settings]) -> None:
    short = make_settings(report_max_days=2)
    assert _parse(short, "2025-03-08T12:30:00Z").bucket == "hour"  # 48 h: still hourly
    with pytest.raises(InvalidRequest, match="2 days"):
        _parse(short, "2025-03-08T12:29:59Z")


@pytest.mark.parametrize(
    ("hours", "bucket", "count"),
    [(1, "hour", 2), (48, "hour", 49), (49, "day", 3), (24 * 366, "day", 367)],
)
def test_report_query_buckets_cover_the_range(hours: int, bucket: str, count: int) -> None:
    query = ReportQuery(NOW, NOW + timedelta(hours=hours))
    starts = query.bucket_starts()
    assert query.bucket == bucket and len(starts) == count
    assert (
        starts[0]
        <= NOW
        < starts[0] + (timedelta(hours=1) if bucket == "hour" else timedelta(days=1))
    )
