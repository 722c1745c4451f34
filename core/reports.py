"""Reports over the checksum-only records: GET /api/v1/reports/summary and /export.

Every figure is an SQL aggregate the database computes (SQLAlchemy Core, on SQLite and
PostgreSQL); Python only joins the few grouped rows into the answer, so a summary costs the
same memory for ten evaluations as for ten million. The two things the dialects spell
differently are made here: splitting a detail's comma-separated finding codes into rows,
and truncating a timestamp to its hour or day in UTC.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, FromClause, Select, case, func, literal, select, true
from sqlalchemy.orm import Mapped
from sqlmodel import Session, col

from core.catalogue import catalogue_keys
from core.contract.reports import (
    CodeCount,
    CorrectionCounts,
    CriterionStats,
    DecisionCounts,
    ReportQuery,
    ReportSummaryPublic,
    TrendBucket,
    VariantStats,
    VerdictCounts,
)
from core.store.models import Evaluation, EvaluationDetail, RewriteRecord, SuggestionDecision

VARIANTS = ("v1", "v2")
BUCKET_FORMATS = {  # (SQLite strftime, PostgreSQL to_char), both giving ISO 8601 in UTC
    "hour": ("%Y-%m-%dT%H:00:00", 'YYYY-MM-DD"T"HH24:00:00'),
    "day": ("%Y-%m-%dT00:00:00", 'YYYY-MM-DD"T"00:00:00'),
}


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


def _of_variant_and_engine(query: ReportQuery) -> list[ColumnElement[bool]]:
    conditions = []
    if query.variant is not None:
        conditions.append(col(Evaluation.variant) == query.variant)
    if query.engine is not None:
        conditions.append(col(Evaluation.engine) == query.engine)
    return conditions


def evaluation_filter(query: ReportQuery) -> list[ColumnElement[bool]]:
    """The evaluations a report covers: created in the range, of the variant and engine."""
    created = col(Evaluation.created_at)
    return [created >= query.start, created < query.end, *_of_variant_and_engine(query)]


def _count_if(condition: ColumnElement[bool] | Mapped[bool]) -> ColumnElement[Any]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _mean(total: float | None, count: int, digits: int = 4) -> float | None:
    return round(total / count, digits) if count and total is not None else None


def _outcomes(count: int, passed: int, scores: float | None) -> dict[str, Any]:
    """The fields of core.contract.reports.Outcomes from a group's count, passes and sum."""
    return {
        "evaluations": count,
        "passed": passed,
        "fail": count - passed,
        "mean_score": _mean(scores, count),
    }


def report_summary(*, session: Session, query: ReportQuery) -> ReportSummaryPublic:
    """Every figure of the summary, each from one grouped query."""
    variants = _variants(session, query)
    evaluations = sum(v.evaluations for v in variants)
    scores, latencies = _totals(session, query)
    passed = sum(v.passed for v in variants)
    return ReportSummaryPublic(
        start=query.start,
        end=query.end,
        bucket=query.bucket,
        variant=query.variant,
        engine=query.engine,
        evaluations=evaluations,
        verdicts=VerdictCounts(passed=passed, fail=evaluations - passed),
        mean_score=_mean(scores, evaluations),
        mean_latency_ms=_mean(latencies, evaluations, 1),
        criteria=_criteria(session, query),
        finding_codes=_finding_codes(session, query),
        trend=_trend(session, query),
        variants=variants,
        decisions=_decisions(session, query),
        corrections=_corrections(session, query),
    )


def _totals(session: Session, query: ReportQuery) -> tuple[float | None, float | None]:
    row = session.execute(
        select(func.sum(Evaluation.score), func.sum(Evaluation.latency_ms)).where(
            *evaluation_filter(query)
        )
    ).one()
    return row[0], row[1]


def _variants(session: Session, query: ReportQuery) -> list[VariantStats]:
    """v1 and v2 side by side (only the one asked for with ?variant=), zero when idle."""
    rows = session.execute(
        select(
            col(Evaluation.variant),
            func.count(),
            _count_if(col(Evaluation.verdict) == "pass"),
            func.sum(Evaluation.score),
            func.sum(Evaluation.latency_ms),
        )
        .where(*evaluation_filter(query))
        .group_by(col(Evaluation.variant))
    ).all()
    found = {row[0]: row for row in rows}
    decided = _decisions_by_variant(session, query)
    shown = [query.variant] if query.variant else sorted({*VARIANTS, *found})
    stats = []
    for variant in shown:
        _, count, passed, scores, latencies = found.get(variant, (variant, 0, 0, None, None))
        accepted, rejected = decided.get(variant, (0, 0))
        stats.append(
            VariantStats(
                variant=variant,
                **_outcomes(count, passed, scores),
                mean_latency_ms=_mean(latencies, count, 1),
                accepted=accepted,
                rejected=rejected,
            )
        )
    return stats


def _criteria(session: Session, query: ReportQuery) -> list[CriterionStats]:
    """Mean score and pass count per criterion, overall and per variant, catalogue order."""
    rows = session.execute(
        select(
            col(EvaluationDetail.criterion),
            col(Evaluation.variant),
            func.count(),
            func.sum(EvaluationDetail.score),
            _count_if(col(EvaluationDetail.passed)),
        )
        .join(Evaluation, col(EvaluationDetail.evaluation_id) == col(Evaluation.id))
        .where(*evaluation_filter(query))
        .group_by(col(EvaluationDetail.criterion), col(Evaluation.variant))
    ).all()
    grouped: dict[str, list[Sequence[Any]]] = {}
    for row in rows:
        grouped.setdefault(row[0], []).append(row)
    order = {key: position for position, key in enumerate(catalogue_keys())}
    stats = []
    for criterion in sorted(grouped, key=lambda key: (order.get(key, len(order)), key)):
        parts = grouped[criterion]
        count = sum(part[2] for part in parts)
        passed = sum(part[4] for part in parts)
        stats.append(
            CriterionStats(
                criterion=criterion,
                count=count,
                passed=passed,
                pass_rate=round(passed / count, 4),
                mean_score=_mean(sum(part[3] for part in parts), count) or 0.0,
                by_variant={part[1]: _mean(part[3], part[2]) or 0.0 for part in parts},
            )
        )
    return stats


def _codes_of_details(dialect: str) -> tuple[FromClause, ColumnElement[str]]:
    """A table function with one row per finding code of a detail row (codes match
    ^[a-z0-9_]+$, so SQLite can read the comma-separated list as a JSON array)."""
    codes = col(EvaluationDetail.finding_codes)
    if dialect == "postgresql":
        table = func.unnest(func.string_to_array(codes, ",")).table_valued("code").render_derived()
        return table, table.c.code
    as_json = literal('["') + func.replace(codes, ",", '","') + literal('"]')
    table = func.json_each(as_json).table_valued("value")
    return table, table.c.value


def _finding_codes(session: Session, query: ReportQuery) -> list[CodeCount]:
    """The `top` finding codes found in the most evaluations (under any criterion; ties by
    code)."""
    table, code = _codes_of_details(_dialect(session))
    count = func.count(func.distinct(col(EvaluationDetail.evaluation_id))).label("n")
    rows = session.execute(
        select(code, count)
        .select_from(EvaluationDetail)
        .join(Evaluation, col(EvaluationDetail.evaluation_id) == col(Evaluation.id))
        .join(table, true())
        .where(*evaluation_filter(query), col(EvaluationDetail.finding_codes) != "")
        .group_by(code)
        .order_by(count.desc(), code)
        .limit(query.top)
    ).all()
    return [CodeCount(code=row[0], count=row[1]) for row in rows]


def _bucket_of(dialect: str, moment: Mapped[datetime], bucket: str) -> ColumnElement[str]:
    sqlite_format, postgres_format = BUCKET_FORMATS[bucket]
    if dialect == "postgresql":
        return func.to_char(func.timezone("UTC", moment), postgres_format)
    return func.strftime(sqlite_format, moment)


def _trend(session: Session, query: ReportQuery) -> list[TrendBucket]:
    """Evaluations per hour (ranges up to 48 h) or day, every bucket listed."""
    bucket = _bucket_of(_dialect(session), col(Evaluation.created_at), query.bucket).label("b")
    rows = session.execute(
        select(
            bucket,
            func.count(),
            _count_if(col(Evaluation.verdict) == "pass"),
            func.sum(Evaluation.score),
        )
        .where(*evaluation_filter(query))
        .group_by(bucket)
    ).all()
    found = {datetime.fromisoformat(row[0]).replace(tzinfo=UTC): row for row in rows}
    trend = []
    for start in query.bucket_starts():
        _, count, passed, scores = found.get(start, (None, 0, 0, None))
        trend.append(TrendBucket(start=start, **_outcomes(count, passed, scores)))
    return trend


def _decision_query(query: ReportQuery, *columns: Any) -> Select[Any]:
    """Decisions made in the range on suggestions of the variant (their own column) and,
    with ?engine=, of evaluations by that engine (decisions without one do not count)."""
    created = col(SuggestionDecision.created_at)
    statement = select(*columns).where(created >= query.start, created < query.end)
    if query.variant is not None:
        statement = statement.where(col(SuggestionDecision.variant) == query.variant)
    if query.engine is not None:
        statement = statement.join(
            Evaluation, col(SuggestionDecision.evaluation_id) == col(Evaluation.id)
        ).where(col(Evaluation.engine) == query.engine)
    return statement


ACCEPTED = _count_if(col(SuggestionDecision.decision) == "accepted")
REJECTED = _count_if(col(SuggestionDecision.decision) == "rejected")


def _decisions(session: Session, query: ReportQuery) -> list[DecisionCounts]:
    """Accepted and rejected per finding code, the `top` most decided codes."""
    code = col(SuggestionDecision.finding_code)
    total = func.count().label("n")
    rows = session.execute(
        _decision_query(query, code, ACCEPTED, REJECTED, total)
        .group_by(code)
        .order_by(total.desc(), code.is_(None), code)  # decisions without a code last
        .limit(query.top)
    ).all()
    return [DecisionCounts(finding_code=row[0], accepted=row[1], rejected=row[2]) for row in rows]


def _decisions_by_variant(session: Session, query: ReportQuery) -> dict[str, tuple[int, int]]:
    variant = col(SuggestionDecision.variant)
    rows = session.execute(
        _decision_query(query, variant, ACCEPTED, REJECTED).group_by(variant)
    ).all()
    return {row[0]: (row[1], row[2]) for row in rows}


def _corrections(session: Session, query: ReportQuery) -> CorrectionCounts:
    """Rewrites by origin; with ?variant= or ?engine=, only those linked to a matching
    evaluation (a rewrite records neither itself)."""
    source, created = col(RewriteRecord.source), col(RewriteRecord.created_at)
    statement = select(source, func.count()).where(created >= query.start, created < query.end)
    if linked := _of_variant_and_engine(query):
        statement = statement.join(
            Evaluation, col(RewriteRecord.evaluation_id) == col(Evaluation.id)
        ).where(*linked)
    rows = session.execute(statement.group_by(source)).all()
    counts = {source: count for source, count in rows if source in CorrectionCounts.model_fields}
    return CorrectionCounts(**counts)
