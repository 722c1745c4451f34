"""Decisions on suggestions on SQLite and PostgreSQL: checksum-only rows, the variant they
count for, one row per decision under retries, all or nothing per batch, purge."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import inspect
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from core.checksums import text_checksum
from core.contract.decisions import DecisionBatchCreate, DecisionCreate
from core.contract.evaluations import EvaluationCreate
from core.decisions import save_decision, save_decisions
from core.evaluation import evaluate
from core.exceptions import InvalidRequest, NotFound
from core.logging import request_id_var
from core.settings import Settings
from core.store.criteria import sync_criteria
from core.store.db import create_tables
from core.store.models import Evaluation, SuggestionDecision, utcnow
from core.store.purge import purge_older_than

TEXT = "The system should be fast."
SUGGESTION = "The system shall answer within 2 seconds."


@pytest.fixture(autouse=True)
def _criteria(db_engine: Engine) -> None:
    sync_criteria(db_engine)


@contextmanager
def _request_id(value: str) -> Iterator[None]:
    token = request_id_var.set(value)
    try:
        yield
    finally:
        request_id_var.reset(token)


def _decision(**fields: object) -> DecisionCreate:
    return DecisionCreate.model_validate(
        {"requirementText": TEXT, "decision": "accepted", **fields}
    )


def _rows(engine: Engine) -> list[SuggestionDecision]:
    with Session(engine) as session:
        return list(session.exec(select(SuggestionDecision)).all())


def _evaluation(engine: Engine, settings: Settings, variant: str) -> str:
    with Session(engine) as session:
        request = EvaluationCreate(requirement_text=TEXT)
        return evaluate(
            session=session, settings=settings, request=request, variant=variant
        ).evaluation_id


def test_save_decision_stores_checksums_and_codes_only(db_engine: Engine) -> None:
    with Session(db_engine) as session:
        saved = save_decision(
            session=session,
            request=_decision(suggestion=SUGGESTION, findingCode="vague_term", criterion="clarity"),
            variant="v1",
        )
    [row] = _rows(db_engine)
    assert row.id == saved.decision_id
    assert row.requirement_checksum == text_checksum(TEXT)
    assert row.suggestion_checksum == text_checksum(SUGGESTION)
    assert (row.finding_code, row.criterion, row.decision) == ("vague_term", "clarity", "accepted")
    assert TEXT not in repr(row.model_dump()) and SUGGESTION not in repr(row.model_dump())


def test_save_decision_checksum_sent_is_stored_lower_case(db_engine: Engine) -> None:
    request = DecisionCreate.model_validate(
        {"requirementChecksum": "AB" * 32, "suggestionChecksum": "CD" * 32, "decision": "rejected"}
    )
    with Session(db_engine) as session:
        save_decision(session=session, request=request, variant="v2")
    [row] = _rows(db_engine)
    assert (row.requirement_checksum, row.suggestion_checksum) == ("ab" * 32, "cd" * 32)


def test_save_decision_variant_is_the_clients_then_the_evaluations_then_the_servers(
    db_engine: Engine, settings: Settings
) -> None:
    by_v2 = _evaluation(db_engine, settings, "v2")
    with Session(db_engine) as session:
        for request in (_decision(variant="v1", evaluationId=by_v2), _decision(evaluationId=by_v2)):
            save_decision(session=session, request=request, variant="v1")
        save_decision(session=session, request=_decision(), variant="v1")
    assert sorted(row.variant for row in _rows(db_engine)) == ["v1", "v1", "v2"]


def test_save_decision_same_request_id_stores_one_row(db_engine: Engine) -> None:
    ids = set()
    for _ in range(3):
        with _request_id("retry-7"), Session(db_engine) as session:
            ids.add(save_decision(session=session, request=_decision(), variant="v1").decision_id)
    with _request_id("retry-7"), Session(db_engine) as session:  # v1 serving v2's request
        ids.add(save_decision(session=session, request=_decision(), variant="v2").decision_id)
    assert len(ids) == 1 and [row.id for row in _rows(db_engine)] == list(ids)
    with _request_id("retry-7"), Session(db_engine) as session:  # another body: stored too
        save_decision(session=session, request=_decision(decision="rejected"), variant="v1")
    assert len(_rows(db_engine)) == 2


def test_save_decisions_batch_is_all_or_nothing(db_engine: Engine) -> None:
    batch = DecisionBatchCreate(items=[_decision(), _decision(evaluationId="missing")])
    with Session(db_engine) as session, pytest.raises(NotFound):
        save_decisions(session=session, request=batch, variant="v1")
    batch = DecisionBatchCreate(items=[_decision(), _decision(criterion="beauty")])
    with Session(db_engine) as session, pytest.raises(InvalidRequest, match="beauty"):
        save_decisions(session=session, request=batch, variant="v1")
    assert _rows(db_engine) == []
    with _request_id("batch-1"), Session(db_engine) as session:
        batch = DecisionBatchCreate(items=[_decision(), _decision()])
        first = save_decisions(session=session, request=batch, variant="v1")
        again = save_decisions(session=session, request=batch, variant="v1")
    assert first == again and first.count == 2 and len(_rows(db_engine)) == 2


def _age(engine: Engine, model: type[Evaluation] | type[SuggestionDecision], row_id: str) -> None:
    with Session(engine) as session:
        row = session.get(model, row_id)
        assert row is not None
        row.created_at = utcnow() - timedelta(hours=10)
        session.commit()


def test_purge_deletes_old_decisions_and_those_of_old_evaluations(
    db_engine: Engine, settings: Settings
) -> None:
    old_evaluation = _evaluation(db_engine, settings, "v1")
    _age(db_engine, Evaluation, old_evaluation)
    with Session(db_engine) as session:
        old, linked, kept = (
            save_decision(session=session, request=request, variant="v1").decision_id
            for request in (
                _decision(),
                _decision(evaluationId=old_evaluation),
                _decision(decision="rejected"),
            )
        )
    _age(db_engine, SuggestionDecision, old)
    report = purge_older_than(db_engine, hours=5)
    assert (report.evaluations, report.decisions) == (1, 2)
    assert [row.id for row in _rows(db_engine)] == [kept] and linked != kept


def test_create_tables_adds_the_decision_table_to_an_older_database(
    db_engine: Engine, settings: Settings
) -> None:
    """The table came after the first release: start-up (create_tables) adds it to a
    database that lacks it and leaves the other tables and their rows alone."""
    kept = _evaluation(db_engine, settings, "v1")
    SuggestionDecision.__table__.drop(db_engine)  # type: ignore[attr-defined]
    assert "suggestion_decision" not in inspect(db_engine).get_table_names()
    create_tables(db_engine)
    assert "suggestion_decision" in inspect(db_engine).get_table_names()
    with Session(db_engine) as session:
        assert session.get(Evaluation, kept) is not None
        save_decision(session=session, request=_decision(evaluationId=kept), variant="v1")
    assert len(_rows(db_engine)) == 1
