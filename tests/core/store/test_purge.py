"""Purging old records on SQLite and PostgreSQL, and through `reqgate purge`."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select

from cli.main import main
from core.contract.evaluations import EvaluationCreate
from core.evaluation import evaluate
from core.settings import Settings
from core.store.criteria import sync_criteria
from core.store.db import create_tables, get_engine
from core.store.models import Evaluation, EvaluationDetail, SuggestionRecord, utcnow
from core.store.purge import PURGE_LOCK, purge_older_than
from tests.utils.database import empty_postgres


def _evaluate(engine: Engine, settings: Settings) -> str:
    with Session(engine) as session:
        return evaluate(
            session=session,
            settings=settings,
            variant="v1",
            request=EvaluationCreate(requirement_text="The system should be fast."),
        ).evaluation_id


def _count(engine: Engine, model: type) -> int:
    with Session(engine) as session:
        return int(session.exec(select(func.count()).select_from(model)).one())


def test_purge_deletes_only_old_records(db_engine: Engine, settings: Settings) -> None:
    sync_criteria(db_engine)
    old_id = _evaluate(db_engine, settings)
    with Session(db_engine) as session:
        session.get(Evaluation, old_id).created_at = utcnow() - timedelta(hours=10)  # type: ignore[union-attr]
        session.commit()
    kept_id = _evaluate(db_engine, settings)

    report = purge_older_than(db_engine, hours=5)

    assert report.evaluations == 1
    with Session(db_engine) as session:
        assert session.get(Evaluation, old_id) is None
        assert session.get(Evaluation, kept_id) is not None
        orphans = session.exec(
            select(EvaluationDetail).where(EvaluationDetail.evaluation_id == old_id)
        ).all()
    assert orphans == []
    assert _count(db_engine, SuggestionRecord) > 0


def test_purge_zero_hours_deletes_everything(db_engine: Engine, settings: Settings) -> None:
    sync_criteria(db_engine)
    for _ in range(3):
        _evaluate(db_engine, settings)
    assert (
        purge_older_than(db_engine, hours=0, now=utcnow() + timedelta(seconds=1)).evaluations == 3
    )
    assert _count(db_engine, EvaluationDetail) == 0


@pytest.fixture
def cli_store(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Engine:
    """The store `reqgate` opens from its settings, holding one fresh evaluation."""
    monkeypatch.setattr("cli.main.get_settings", lambda: settings)
    engine = get_engine(settings.sqlalchemy_url)
    create_tables(engine)
    sync_criteria(engine)
    _evaluate(engine, settings)
    return engine


def test_cli_purge_reports_count(cli_store: Engine, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["purge", "--older-than-hours", "1", "--yes"]) == 0
    assert "purged 0 evaluations" in capsys.readouterr().out


def test_cli_purge_without_confirmation_deletes_nothing(
    cli_store: Engine, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 12, defect 13: `purge --older-than-hours 0` used to delete everything unasked."""
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    assert main(["purge", "--older-than-hours", "0"]) == 2
    out, err = capsys.readouterr()
    assert "will delete 1 evaluations" in out and "--yes" in err
    assert _count(cli_store, Evaluation) == 1


def _waiting_on_advisory_lock(engine: Engine) -> bool:
    with engine.connect() as connection:
        waiting = connection.execute(
            text(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
                " AND objid = :key AND objsubid = 1"
            ),
            {"key": PURGE_LOCK},
        ).scalar_one()
    return bool(waiting)


def test_purges_of_several_workers_run_one_at_a_time_on_postgresql(
    postgres_tables: str, settings: Settings
) -> None:
    """Every worker and replica purges on the same schedule: on PostgreSQL a purge waits for
    the one under way (its advisory lock), then deletes what is left, never the same rows
    at the same time. (SQLite's BEGIN IMMEDIATE lets one writer in at a time already.)"""
    engine = empty_postgres(postgres_tables)
    sync_criteria(engine)
    _evaluate(engine, settings)
    results: list[int] = []
    with engine.connect() as other_purge:
        other_purge.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": PURGE_LOCK})
        waiting = threading.Thread(
            target=lambda: results.append(
                purge_older_than(engine, hours=0, now=utcnow() + timedelta(seconds=1)).evaluations
            )
        )
        waiting.start()
        deadline = time.monotonic() + 30
        while not _waiting_on_advisory_lock(engine):
            assert time.monotonic() < deadline and waiting.is_alive(), "the purge did not wait"
            time.sleep(0.02)
        assert results == [] and _count(engine, Evaluation) == 1
        other_purge.rollback()  # the other purge ends
    waiting.join(30)
    assert results == [1] and _count(engine, Evaluation) == 0
    engine.dispose()
