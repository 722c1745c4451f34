"""Reports from the checksum-only records, on SQLite and PostgreSQL: the summary's figures,
its filters and buckets, and the CSV export."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel

from core.contract.reports import ReportQuery
from core.report_export import export_csv
from core.reports import report_summary
from core.store.models import (
    Evaluation,
    EvaluationDetail,
    RewriteRecord,
    SuggestionDecision,
    new_id,
)

T0 = datetime(2025, 3, 10, 8, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)
Details = dict[str, tuple[float, bool, str]]


class Records:
    """Rows written straight into the tables, at chosen times."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def evaluation(
        self,
        at: datetime,
        *,
        variant: str = "v1",
        engine: str = "heuristic",
        verdict: str = "fail",
        score: float = 0.5,
        latency_ms: int = 10,
        details: Details | None = None,
    ) -> str:
        evaluation_id = new_id()
        with Session(self.engine) as session:
            session.add(
                Evaluation(
                    id=evaluation_id,
                    checksum="0" * 64,
                    language="en",
                    score=score,
                    verdict=verdict,
                    engine=engine,
                    model="m",
                    variant=variant,
                    latency_ms=latency_ms,
                    created_at=at,
                )
            )
            session.flush()
            for criterion, (value, passed, codes) in (details or {}).items():
                session.add(
                    EvaluationDetail(
                        evaluation_id=evaluation_id,
                        criterion=criterion,
                        score=value,
                        passed=passed,
                        finding_codes=codes,
                    )
                )
            session.commit()
        return evaluation_id

    def decision(
        self,
        at: datetime,
        decision: str,
        code: str | None,
        *,
        variant: str = "v1",
        on: str | None = None,
    ) -> None:
        self._add(
            SuggestionDecision(
                requirement_checksum="1" * 64,
                finding_code=code,
                decision=decision,
                variant=variant,
                evaluation_id=on,
                created_at=at,
            )
        )

    def rewrite(self, at: datetime, source: str, on: str | None = None) -> None:
        self._add(
            RewriteRecord(
                evaluation_id=on,
                original_checksum="2" * 64,
                rewritten_checksum="3" * 64,
                source=source,
                created_at=at,
            )
        )

    def _add(self, row: SQLModel) -> None:
        with Session(self.engine) as session:
            session.add(row)
            session.commit()


@pytest.fixture
def records(db_engine: Engine) -> Records:
    return Records(db_engine)


def _summary(db: Engine, hours: int = 24, **filters: object) -> dict[str, object]:
    query = ReportQuery(T0, T0 + hours * HOUR, **filters)  # type: ignore[arg-type]
    with Session(db) as session:
        return report_summary(session=session, query=query).model_dump(
            mode="json", by_alias=True, exclude_none=True
        )


def test_summary_counts_verdicts_means_and_criteria_per_variant(
    records: Records, db_engine: Engine
) -> None:
    records.evaluation(
        T0,
        score=0.4,
        details={"clarity": (0.4, False, "vague_term"), "testability": (0.2, False, "")},
    )
    records.evaluation(
        T0 + HOUR,
        variant="v2",
        verdict="pass",
        score=0.9,
        latency_ms=30,
        details={"clarity": (0.9, True, "")},
    )
    records.evaluation(
        T0 + 2 * HOUR, variant="v2", score=0.5, details={"clarity": (0.5, False, "")}
    )
    body = _summary(db_engine)
    assert body["evaluations"] == 3 and body["verdicts"] == {"pass": 1, "fail": 2}
    assert body["meanScore"] == pytest.approx(0.6) and body["meanLatencyMs"] == pytest.approx(16.7)
    clarity, testability = body["criteria"]  # type: ignore[misc]
    assert clarity == {
        "criterion": "clarity",
        "count": 3,
        "passed": 1,
        "passRate": pytest.approx(0.3333),
        "meanScore": pytest.approx(0.6),
        "byVariant": {"v1": pytest.approx(0.4), "v2": pytest.approx(0.7)},
    }
    assert testability["criterion"] == "testability" and testability["byVariant"] == {"v1": 0.2}
    v1, v2 = body["variants"]  # type: ignore[misc]
    assert (v1["variant"], v1["evaluations"], v1["pass"], v1["meanScore"]) == ("v1", 1, 0, 0.4)
    assert (v2["variant"], v2["evaluations"], v2["pass"], v2["meanLatencyMs"]) == ("v2", 2, 1, 20.0)


def test_summary_range_is_half_open_and_filters_variant_and_engine(
    records: Records, db_engine: Engine
) -> None:
    records.evaluation(T0 - timedelta(microseconds=1))
    records.evaluation(T0)
    records.evaluation(T0 + 2 * HOUR, engine="llm")
    records.evaluation(T0 + 3 * HOUR, variant="v2", engine="llm")
    records.evaluation(T0 + 24 * HOUR)  # `to` itself is outside
    assert _summary(db_engine)["evaluations"] == 3
    assert _summary(db_engine, engine="llm")["evaluations"] == 2
    only_v2 = _summary(db_engine, variant="v2", engine="llm")
    assert only_v2["evaluations"] == 1 and only_v2["variant"] == "v2"
    assert [v["variant"] for v in only_v2["variants"]] == ["v2"]  # type: ignore[attr-defined]


def test_summary_empty_range_lists_both_variants_and_no_means(db_engine: Engine) -> None:
    body = _summary(db_engine)
    assert body["evaluations"] == 0 and "meanScore" not in body and body["criteria"] == []
    assert [(v["variant"], v["evaluations"]) for v in body["variants"]] == [("v1", 0), ("v2", 0)]  # type: ignore[attr-defined]
    assert body["findingCodes"] == [] and body["decisions"] == []
    assert body["corrections"] == {"engine": 0, "apply": 0, "manual": 0}


def test_summary_top_finding_codes_count_evaluations_not_criteria(
    records: Records, db_engine: Engine
) -> None:
    records.evaluation(
        T0,
        details={
            "clarity": (0.3, False, "vague_term,weak_modal"),
            "measurability": (0.3, False, "vague_term"),
        },
    )
    records.evaluation(T0 + HOUR, details={"clarity": (0.3, False, "vague_term")})
    records.evaluation(T0 + HOUR, details={"clarity": (0.3, False, "passive_voice")})
    records.evaluation(T0 + HOUR, details={"clarity": (1.0, True, "")})
    body = _summary(db_engine)
    assert body["findingCodes"] == [
        {"code": "vague_term", "count": 2},
        {"code": "passive_voice", "count": 1},
        {"code": "weak_modal", "count": 1},
    ]
    assert _summary(db_engine, top=1)["findingCodes"] == [{"code": "vague_term", "count": 2}]


def test_summary_trend_per_hour_up_to_48_hours_else_per_day(
    records: Records, db_engine: Engine
) -> None:
    records.evaluation(T0 + timedelta(minutes=5), verdict="pass", score=0.8)
    records.evaluation(T0 + timedelta(minutes=59), score=0.4)
    records.evaluation(T0 + 2 * HOUR + timedelta(minutes=30), score=0.2)
    hourly = _summary(db_engine, hours=3)
    assert hourly["bucket"] == "hour"
    assert [
        (b["start"], b["evaluations"], b["pass"], b.get("meanScore")) for b in hourly["trend"]
    ] == [  # type: ignore[attr-defined]
        ("2025-03-10T08:00:00Z", 2, 1, pytest.approx(0.6)),
        ("2025-03-10T09:00:00Z", 0, 0, None),
        ("2025-03-10T10:00:00Z", 1, 0, pytest.approx(0.2)),
    ]
    records.evaluation(T0 + 49 * HOUR)
    daily = _summary(db_engine, hours=72)
    assert daily["bucket"] == "day"
    assert [(b["start"], b["evaluations"]) for b in daily["trend"]] == [  # type: ignore[attr-defined]
        ("2025-03-10T00:00:00Z", 3),
        ("2025-03-11T00:00:00Z", 0),
        ("2025-03-12T00:00:00Z", 1),
        ("2025-03-13T00:00:00Z", 0),  # up to 08:00, where the range ends
    ]


def test_summary_decisions_per_code_and_variant_with_filters(
    records: Records, db_engine: Engine
) -> None:
    by_llm = records.evaluation(T0, engine="llm", variant="v2")
    records.decision(T0, "accepted", "vague_term")
    records.decision(T0 + HOUR, "rejected", "vague_term", variant="v2", on=by_llm)
    records.decision(T0 + HOUR, "accepted", "vague_term", variant="v2", on=by_llm)
    records.decision(T0 + HOUR, "accepted", None)
    records.decision(T0 - HOUR, "rejected", "weak_modal")  # before the range
    body = _summary(db_engine)
    assert body["decisions"] == [
        {"findingCode": "vague_term", "accepted": 2, "rejected": 1},
        {"accepted": 1, "rejected": 0},
    ]
    assert [(v["accepted"], v["rejected"]) for v in body["variants"]] == [(2, 0), (1, 1)]  # type: ignore[attr-defined]
    assert _summary(db_engine, variant="v1")["decisions"] == [
        {"findingCode": "vague_term", "accepted": 1, "rejected": 0},
        {"accepted": 1, "rejected": 0},
    ]
    assert _summary(db_engine, engine="llm")["decisions"] == [
        {"findingCode": "vague_term", "accepted": 1, "rejected": 1}
    ]


def test_summary_corrections_by_source_linked_ones_when_filtered(
    records: Records, db_engine: Engine
) -> None:
    by_v2 = records.evaluation(T0, variant="v2")
    records.rewrite(T0, "engine", on=by_v2)
    records.rewrite(T0 + HOUR, "apply")
    records.rewrite(T0 + HOUR, "manual", on=by_v2)
    records.rewrite(T0 + HOUR, "manual")
    assert _summary(db_engine)["corrections"] == {"engine": 1, "apply": 1, "manual": 2}
    assert _summary(db_engine, variant="v2")["corrections"] == {
        "engine": 1,
        "apply": 0,
        "manual": 1,
    }
    assert _summary(db_engine, variant="v1")["corrections"] == {
        "engine": 0,
        "apply": 0,
        "manual": 0,
    }


def _export(db: Engine, **filters: object) -> list[dict[str, str]]:
    query = ReportQuery(T0, T0 + 24 * HOUR, **filters)  # type: ignore[arg-type]
    body = b"".join(export_csv(engine=db, query=query)).decode()
    return list(csv.DictReader(io.StringIO(body)))


def test_export_one_row_per_evaluation_with_a_column_per_criterion(
    records: Records, db_engine: Engine
) -> None:
    first = records.evaluation(
        T0,
        details={
            "testability": (0.2, False, "weak_modal"),
            "clarity": (0.4, False, "vague_term,weak_modal"),
        },
    )
    second = records.evaluation(T0 + HOUR, variant="v2", verdict="pass", score=0.9)
    records.evaluation(T0 - HOUR)
    rows = _export(db_engine)
    assert [row["evaluationId"] for row in rows] == [first, second]
    assert list(rows[0])[-2:] == ["clarity", "testability"]  # catalogue order
    assert rows[0]["createdAt"] == "2025-03-10T08:00:00+00:00"
    assert (rows[0]["clarity"], rows[0]["testability"], rows[0]["score"]) == ("0.4", "0.2", "0.5")
    assert sorted(rows[0]["findingCodes"].split()) == ["vague_term", "weak_modal"]
    assert (
        rows[1]["variant"],
        rows[1]["verdict"],
        rows[1]["clarity"],
        rows[1]["findingCodes"],
    ) == (
        "v2",
        "pass",
        "",
        "",
    )
    assert [row["evaluationId"] for row in _export(db_engine, variant="v2")] == [second]


def test_export_empty_range_is_the_header_alone(db_engine: Engine) -> None:
    query = ReportQuery(T0, T0 + HOUR)
    body = b"".join(export_csv(engine=db_engine, query=query)).decode()
    assert body == (
        "evaluationId,createdAt,variant,engine,model,language,score,verdict,latencyMs,"
        "fallbackReason,findingCodes\r\n"
    )


def test_export_streams_in_pages_and_closes_early(
    records: Records, db_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("core.report_export.ROWS_PER_FETCH", 2)
    for minute in range(5):
        records.evaluation(T0 + timedelta(minutes=minute))
    chunks = export_csv(engine=db_engine, query=ReportQuery(T0, T0 + HOUR))
    assert next(chunks).startswith(b"evaluationId,")
    assert next(chunks).count(b"\r\n") == 2  # one page of rows per chunk
    chunks.close()  # the client went away: the connection goes back to the pool
    assert db_engine.pool.checkedout() == 0  # type: ignore[attr-defined]


def test_export_cells_a_spreadsheet_would_run_are_quoted(
    records: Records, db_engine: Engine
) -> None:
    evaluation = records.evaluation(T0)
    with Session(db_engine) as session:
        row = session.get(Evaluation, evaluation)
        assert row is not None
        row.model, row.fallback_reason = "=HYPERLINK(1)", "@x"
        session.commit()
    [exported] = _export(db_engine)
    assert (exported["model"], exported["fallbackReason"]) == ("'=HYPERLINK(1)", "'@x")
