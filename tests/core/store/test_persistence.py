"""Persistence on SQLite and PostgreSQL: records, criteria sync, ids, concurrency."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select

from core.contract.evaluations import EvaluationCreate
from core.evaluation import evaluate
from core.settings import Settings
from core.store.criteria import list_criteria, load_catalogue, sync_criteria
from core.store.db import create_db_engine, create_tables
from core.store.models import Criterion, Evaluation, EvaluationDetail, SuggestionRecord


def _request(text: str, *keys: str) -> EvaluationCreate:
    return EvaluationCreate(requirement_text=text, criteria_keys=list(keys) or None)


def _count(engine: Engine, model: type) -> int:
    with Session(engine) as session:
        return int(session.exec(select(func.count()).select_from(model)).one())


def test_sync_criteria_seeds_catalogue(db_engine: Engine) -> None:
    sync_criteria(db_engine)
    keys = [c.key for c in list_criteria(db_engine)]
    assert keys == [c.key for c in load_catalogue()]
    assert {
        "clarity",
        "testability",
        "measurability",
        "unambiguity",
        "atomicity",
        "completeness",
        "consistent_terminology",
        "conciseness",
        "design_independence",
    } <= set(keys)


def test_sync_criteria_updates_and_deactivates(db_engine: Engine) -> None:
    sync_criteria(db_engine)
    changed = load_catalogue()[1:]
    changed[0].weight = 2.5
    changed[0].name_de = "Geändert"
    sync_criteria(db_engine, changed)
    active = {c.key: c for c in list_criteria(db_engine, language="de")}
    with Session(db_engine) as session:
        removed = session.get(Criterion, "clarity")
    assert "clarity" not in active and removed is not None and removed.active is False
    assert active[changed[0].key].weight == 2.5
    assert active[changed[0].key].name == "Geändert"


def test_evaluate_stores_checksum_only_record(db_engine: Engine, settings: Settings) -> None:
    sync_criteria(db_engine)
    with Session(db_engine) as session:
        result = evaluate(
            session=session,
            settings=settings,
            variant="v2",
            request=_request("The system should be fast.", "clarity", "testability"),
        )
    with Session(db_engine) as session:
        row = session.get(Evaluation, result.evaluation_id)
        details = session.exec(select(EvaluationDetail)).all()
    assert row is not None and row.variant == "v2" and row.engine == "heuristic"
    assert len(row.checksum) == 64 and row.score == result.score
    assert {d.criterion for d in details} == {"clarity", "testability"}
    assert _count(db_engine, SuggestionRecord) == len(result.suggestions)


def test_evaluate_ids_are_unique_for_same_text(db_engine: Engine, settings: Settings) -> None:
    sync_criteria(db_engine)
    ids = set()
    for _ in range(20):
        with Session(db_engine) as session:
            ids.add(
                evaluate(
                    session=session,
                    settings=settings,
                    variant="v1",
                    request=_request("Same text every time."),
                ).evaluation_id
            )
    assert len(ids) == 20


def test_delete_evaluation_cascades_to_details(db_engine: Engine, settings: Settings) -> None:
    sync_criteria(db_engine)
    with Session(db_engine) as session:
        result = evaluate(
            session=session,
            settings=settings,
            variant="v1",
            request=_request("The system shall start."),
        )
    with Session(db_engine) as session:
        session.delete(session.get(Evaluation, result.evaluation_id))
        session.commit()
    assert _count(db_engine, EvaluationDetail) == 0


def _hammer(
    engine: Engine, settings: Settings, threads: int, per_thread: int
) -> list[BaseException]:
    errors: list[BaseException] = []
    start = threading.Barrier(threads)

    def work(worker: int) -> None:
        start.wait()
        try:
            for n in range(per_thread):
                with Session(engine) as session:
                    evaluate(
                        session=session,
                        settings=settings,
                        variant="v1",
                        request=_request(f"Worker {worker} requirement {n} shall run."),
                    )
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    pool = [threading.Thread(target=work, args=(i,)) for i in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return errors


def test_evaluate_concurrent_threads_no_lock_errors(db_engine: Engine, settings: Settings) -> None:
    sync_criteria(db_engine)
    assert _hammer(db_engine, settings, threads=8, per_thread=50) == []
    assert _count(db_engine, Evaluation) == 400


def test_evaluate_concurrent_engines_one_sqlite_file(tmp_path: Path, settings: Settings) -> None:
    """Separate engines stand in for separate worker processes sharing one file."""
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    first = create_db_engine(url)
    create_tables(first)
    sync_criteria(first)
    engines = [first] + [create_db_engine(url) for _ in range(3)]
    errors: list[BaseException] = []
    threads = [
        threading.Thread(target=lambda e=engine: errors.extend(_hammer(e, settings, 2, 25)))
        for engine in engines
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert _count(first, Evaluation) == 4 * 2 * 25


@pytest.mark.parametrize(
    "pragma, expected", [("journal_mode", "wal"), ("foreign_keys", 1), ("synchronous", 2)]
)
def test_sqlite_engine_pragmas(tmp_path: Path, pragma: str, expected: object) -> None:
    engine = create_db_engine(f"sqlite:///{tmp_path / 'p.db'}")
    with engine.connect() as connection:
        assert connection.exec_driver_sql(f"PRAGMA {pragma}").scalar() == expected


def test_sqlite_synchronous_normal_only_when_chosen(tmp_path: Path) -> None:
    engine = create_db_engine(f"sqlite:///{tmp_path / 'p.db'}", sqlite_synchronous="NORMAL")
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 1
