"""The query and answer of GET /api/v1/reports/summary and /export (v2 only).

Reports are computed from the checksum-only records, so they hold counts, scores, codes
and times, never a requirement's text. The range is half-open, [from, to), in UTC.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Literal

from pydantic import Field

from core.contract.wire import WireModel
from core.exceptions import InvalidRequest
from core.settings import Settings

ReportVariant = Literal["v1", "v2"]
ReportEngine = Literal["heuristic", "llm"]
Bucket = Literal["hour", "day"]
DEFAULT_DAYS = 7
HOURLY_UP_TO = timedelta(hours=48)  # longer ranges are charted per day
MAX_TOP = 50


@dataclass(frozen=True, slots=True)
class ReportQuery:
    """A validated report request: `start` inclusive, `end` exclusive, both aware UTC."""

    start: datetime
    end: datetime
    variant: ReportVariant | None = None
    engine: ReportEngine | None = None
    top: int = 10

    @property
    def bucket(self) -> Bucket:
        return "hour" if self.end - self.start <= HOURLY_UP_TO else "day"

    def bucket_starts(self) -> list[datetime]:
        """Every bucket of the range, oldest first (at most REPORT_MAX_DAYS + 1)."""
        step = timedelta(hours=1) if self.bucket == "hour" else timedelta(days=1)
        moment = self.start.replace(minute=0, second=0, microsecond=0)
        if self.bucket == "day":
            moment = moment.replace(hour=0)
        starts = []
        while moment < self.end:
            starts.append(moment)
            moment += step
        return starts


def _moment(value: str, field: str, *, day_end: bool) -> datetime:
    """An ISO 8601 date or date-time as aware UTC; a bare date `to` means the day's end."""
    try:
        if len(value) == 10:
            day = datetime.combine(date.fromisoformat(value), datetime.min.time(), tzinfo=UTC)
            return day + timedelta(days=1) if day_end else day
        moment = datetime.fromisoformat(value)
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    except (ValueError, OverflowError) as exc:
        raise InvalidRequest(
            f"{field} must be an ISO 8601 date or date-time, e.g. 2025-03-01 or"
            " 2025-03-01T12:00:00Z",
            {"field": field},
        ) from exc


def parse_report_query(
    *,
    start: str | None,
    end: str | None,
    variant: ReportVariant | None,
    engine: ReportEngine | None,
    top: int,
    settings: Settings,
    now: datetime | None = None,
) -> ReportQuery:
    """Check `from` and `to` (defaults: the last DEFAULT_DAYS days up to now), their order
    and REPORT_MAX_DAYS."""
    upper = _moment(end, "to", day_end=True) if end else (now or datetime.now(UTC))
    try:
        lower = _moment(start, "from", day_end=False) if start else upper - timedelta(DEFAULT_DAYS)
    except OverflowError as exc:
        raise InvalidRequest("to is too early for the default range", {"field": "to"}) from exc
    if lower > upper:
        raise InvalidRequest("from must not be after to", {"field": "from"})
    if upper - lower > timedelta(days=settings.report_max_days):
        raise InvalidRequest(
            f"the range spans more than {settings.report_max_days} days",
            {"field": "to", "maxDays": settings.report_max_days},
        )
    return ReportQuery(lower, upper, variant, engine, top)


class VerdictCounts(WireModel):
    passed: int = Field(alias="pass")
    fail: int


class CriterionStats(WireModel):
    """One criterion over the range; `byVariant` holds the mean score per variant."""

    criterion: str
    count: int
    passed: int
    pass_rate: float = Field(alias="passRate")
    mean_score: float = Field(alias="meanScore")
    by_variant: dict[str, float] = Field(alias="byVariant")


class CodeCount(WireModel):
    code: str
    count: int


class Outcomes(WireModel):
    """How a group of evaluations came out (absent `meanScore`: the group is empty)."""

    evaluations: int
    passed: int = Field(alias="pass")
    fail: int
    mean_score: float | None = Field(default=None, alias="meanScore")


class TrendBucket(Outcomes):
    start: datetime


class VariantStats(Outcomes):
    """One variant side by side with the other: its evaluations and the decisions on its
    suggestions."""

    variant: str
    mean_latency_ms: float | None = Field(default=None, alias="meanLatencyMs")
    accepted: int
    rejected: int


class DecisionCounts(WireModel):
    """Decisions on suggestions for one finding code (absent: decisions without a code)."""

    finding_code: str | None = Field(default=None, alias="findingCode")
    accepted: int
    rejected: int


class CorrectionCounts(WireModel):
    """Rewrites by origin: the engine's (batch/rewrite), applied atoms, by hand."""

    engine: int = 0
    apply: int = 0
    manual: int = 0


class ReportSummaryPublic(WireModel):
    start: datetime = Field(alias="from")
    end: datetime = Field(alias="to")
    bucket: Bucket
    variant: ReportVariant | None = None
    engine: ReportEngine | None = None
    evaluations: int
    verdicts: VerdictCounts
    mean_score: float | None = Field(default=None, alias="meanScore")
    mean_latency_ms: float | None = Field(default=None, alias="meanLatencyMs")
    criteria: list[CriterionStats]
    finding_codes: list[CodeCount] = Field(alias="findingCodes")
    trend: list[TrendBucket]
    variants: list[VariantStats]
    decisions: list[DecisionCounts]
    corrections: CorrectionCounts
