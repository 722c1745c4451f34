"""The group writer (core.store.writer) over the real rows (core.store.records), on SQLite
and PostgreSQL: concurrent requests share one transaction, a bad request fails alone, a
fault fails its group with 503, a full queue pushes back, a dry run never joins a group.

The writer's first write is held at a gate until the test has queued what it needs, so
which requests form a group never depends on timing."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import psycopg
import pytest
from sqlalchemy import event, func, select
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel import Session

from core.contract.evaluations import CriterionDetail, EvaluationPublic, SuggestionPublic
from core.dry_run import dry_run
from core.exceptions import Unavailable
from core.store.criteria import sync_criteria
from core.store.models import Evaluation, EvaluationDetail, SuggestionRecord, new_id
from core.store.records import RecordRows, store, write_rows
from core.store.writer import GroupWriter, WriterOptions

QUEUE_OF_8 = WriterOptions(max_queue=8, queue_timeout_s=0.2)
WAIT_S = 2.0
LOCK_FAULT = OperationalError("INSERT", {}, psycopg.errors.LockNotAvailable("lock"))


def _result(evaluation_id: str | None = None, suggestions: int = 1) -> EvaluationPublic:
    return EvaluationPublic(
        evaluation_id=evaluation_id or new_id(),
        verdict="fail",
        score=0.5,
        latency_ms=1,
        model="heuristic-v1",
        engine="heuristic",
        language="en",
        details=[
            CriterionDetail(criterion=key, score=0.5, passed=False, feedback="-", findings=[])
            for key in ("clarity", "testability")
        ],
        suggestions=[SuggestionPublic(text=f"s{n}", priority="high") for n in range(suggestions)],
    )


def _rows(result: EvaluationPublic | None = None) -> RecordRows:
    rows = RecordRows()
    rows.add(result or _result(), text_sha256="0" * 64, variant="v1")
    return rows


def _orphan() -> RecordRows:
    """Rows that violate a foreign key: a detail of an evaluation that does not exist."""
    rows = RecordRows()
    detail = {"id": new_id(), "evaluation_id": new_id(), "criterion": "clarity", "score": 0.1}
    rows.extend(EvaluationDetail, [{**detail, "passed": False, "finding_codes": ""}])
    return rows


def _count(engine: Engine, model: type) -> int:
    with Session(engine) as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


@dataclass
class Gated:
    """The write function, with its first call held until `open()`; records each call."""

    fault: BaseException | None = None
    calls: list[int] = field(default_factory=list)
    threads: list[threading.Thread] = field(default_factory=list)
    entered: threading.Event = field(default_factory=threading.Event)
    gate: threading.Event = field(default_factory=threading.Event)

    def __call__(self, connection: Connection, units: Sequence[RecordRows]) -> None:
        self.calls.append(len(units))
        self.threads.append(threading.current_thread())
        self.entered.set()
        assert self.gate.wait(10)
        if self.fault is not None:
            raise self.fault
        write_rows(connection, units)


@pytest.fixture
def engine(db_engine: Engine) -> Engine:
    sync_criteria(db_engine)
    return db_engine


class Scenario:
    """A writer over the gated write function, and requests sent from threads of their own
    as concurrent requests make them: request 0 is written first and held at the gate, the
    ones queued behind it form the next group."""

    def __init__(self, engine: Engine, options: WriterOptions = QUEUE_OF_8) -> None:
        self.write = Gated()
        self.writer = GroupWriter(engine, self.write, options)
        self.errors: dict[int, BaseException] = {}
        self.threads: list[threading.Thread] = []

    def send(self, rows: RecordRows) -> None:
        number = len(self.threads)

        def work() -> None:
            try:
                self.writer.write(rows, rows.size)
            except Exception as exc:  # collected for the test to assert
                self.errors[number] = exc

        self.threads.append(threading.Thread(target=work))
        self.threads[-1].start()

    def queue_behind_first(self, *units: RecordRows) -> None:
        """Request 0 held in its write, then `units` queued behind it (requests 1, 2...)."""
        self.send(_rows())
        assert self.write.entered.wait(10)
        for rows in units:
            self.send(rows)
        deadline = time.monotonic() + 10
        while len(self.writer._queue) < len(units):  # noqa: SLF001  (the test's own setup)
            assert time.monotonic() < deadline, "requests did not queue"
            time.sleep(0.005)

    def release(self) -> None:
        self.write.gate.set()
        for thread in self.threads:
            thread.join(20)


@pytest.fixture
def scenario(engine: Engine) -> Iterator[Scenario]:
    scenario = Scenario(engine)
    yield scenario
    scenario.release()
    assert scenario.writer.drain(10)


def test_concurrent_requests_share_one_transaction(engine: Engine, scenario: Scenario) -> None:
    commits: list[int] = []
    event.listen(engine, "commit", lambda _conn: commits.append(1))
    scenario.queue_behind_first(*(_rows() for _ in range(7)))
    scenario.release()
    assert scenario.errors == {}
    assert scenario.write.calls == [1, 7] and len(commits) == 2
    assert _count(engine, Evaluation) == 8 and _count(engine, EvaluationDetail) == 16


def test_integrity_error_fails_only_its_request(engine: Engine, scenario: Scenario) -> None:
    scenario.queue_behind_first(_rows(), _orphan(), _rows())
    scenario.release()
    assert list(scenario.errors) == [2] and isinstance(scenario.errors[2], IntegrityError)
    assert scenario.write.calls == [1, 3, 1, 1, 1]  # the group, then each request alone
    assert _count(engine, Evaluation) == 3 and _count(engine, EvaluationDetail) == 6


def test_storage_fault_fails_its_group_with_503(engine: Engine, scenario: Scenario) -> None:
    scenario.write.fault = LOCK_FAULT
    scenario.queue_behind_first(_rows(), _rows(), _rows())
    scenario.release()
    assert sorted(scenario.errors) == [0, 1, 2, 3]
    for error in scenario.errors.values():
        assert isinstance(error, Unavailable) and error.headers == {"Retry-After": "5"}
        assert error.message.startswith("storage is busy")
    assert scenario.write.calls == [1, 3]  # a fault is not retried request by request
    assert _count(engine, Evaluation) == 0


def test_full_queue_pushes_back_with_503(engine: Engine, scenario: Scenario) -> None:
    scenario.queue_behind_first(*(_rows() for _ in range(8)))  # max_queue
    started = time.monotonic()
    with pytest.raises(Unavailable, match="storage is busy"):
        scenario.writer.write(_rows(), 3)
    assert time.monotonic() - started >= 0.2  # it waited queue_timeout_s for room
    scenario.release()
    assert scenario.errors == {} and _count(engine, Evaluation) == 9


def test_dry_run_never_joins_a_group_and_keeps_nothing(engine: Engine, scenario: Scenario) -> None:
    scenario.queue_behind_first(_rows())
    scenario.write.gate.set()
    with dry_run():
        scenario.writer.write(_rows(), 3)
    scenario.release()
    assert scenario.errors == {} and scenario.write.calls == [1, 1, 1]
    # written in the caller's thread, alone: never in a group, which the writer's thread writes
    assert scenario.write.threads.count(threading.current_thread()) == 1
    assert _count(engine, Evaluation) == 2  # the two requests', none of the dry run's


def test_one_request_twice_in_a_group_stores_the_first(engine: Engine, scenario: Scenario) -> None:
    evaluation_id = new_id()
    scenario.queue_behind_first(
        _rows(_result(evaluation_id, suggestions=1)), _rows(_result(evaluation_id, suggestions=3))
    )
    scenario.release()
    assert scenario.errors == {} and scenario.write.calls == [1, 2]
    assert _count(engine, Evaluation) == 2 and _count(engine, SuggestionRecord) == 2


def test_drain_waits_for_queued_writes(engine: Engine, scenario: Scenario) -> None:
    scenario.queue_behind_first(_rows())
    assert not scenario.writer.drain(0.05)
    threading.Timer(0.1, scenario.write.gate.set).start()
    assert scenario.writer.drain(10)
    assert _count(engine, Evaluation) == 2


def test_store_is_durable_on_return_and_dry_run_keeps_nothing(engine: Engine) -> None:
    with Session(engine) as session:
        store(session, _rows())
        with dry_run():
            store(session, _rows())
    assert _count(engine, Evaluation) == 1 and _count(engine, EvaluationDetail) == 2


def test_group_waits_for_as_many_as_came_lately_within_the_bound(engine: Engine) -> None:
    """A group waits up to DB_GROUP_COMMIT_WAIT_MS for as many requests as the largest recent
    group had, and closes as soon as they are in (the bound is long here, so that thread
    starts surely fit in it)."""
    scenario = Scenario(engine, WriterOptions(max_wait_s=WAIT_S))
    scenario.queue_behind_first(_rows(), _rows(), _rows())  # groups of 1, then 3
    scenario.release()
    for expected_wait, count in ((True, 2), (False, 3)):
        started = time.monotonic()
        for _ in range(count):
            scenario.send(_rows())
        scenario.release()
        assert (time.monotonic() - started >= WAIT_S) is expected_wait
    assert scenario.errors == {} and scenario.write.calls == [1, 3, 2, 3]


def test_store_ends_a_read_transaction_and_commits_no_empty_one(engine: Engine) -> None:
    commits: list[int] = []
    with Session(engine) as session:
        event.listen(session, "after_commit", lambda _session: commits.append(1))
        store(session, _rows())  # no transaction open: nothing to end
        assert commits == []
        session.scalar(select(func.count()).select_from(Evaluation))  # a read transaction
        store(session, _rows())
        assert commits == [1] and not session.in_transaction()
    assert _count(engine, Evaluation) == 2


def _checkouts(engine: Engine) -> list[int]:
    checkouts: list[int] = []
    event.listen(engine, "checkout", lambda *_args: checkouts.append(1))
    return checkouts


def test_groups_queued_back_to_back_share_one_connection(
    engine: Engine, scenario: Scenario
) -> None:
    checkouts = _checkouts(engine)
    scenario.queue_behind_first(_rows(), _rows())
    scenario.release()
    assert scenario.errors == {} and scenario.write.calls == [1, 2]
    assert len(checkouts) == 1
    assert scenario.writer.drain(10) and engine.pool.checkedout() == 0  # idle: given back


def test_connection_of_a_failed_transaction_is_not_kept(engine: Engine, scenario: Scenario) -> None:
    checkouts = _checkouts(engine)
    scenario.queue_behind_first(_orphan(), _rows())
    scenario.release()
    assert list(scenario.errors) == [1] and scenario.write.calls == [1, 2, 1, 1]
    # the first group's connection served the second; after each failure a new checkout
    assert len(checkouts) == 3
    assert scenario.writer.drain(10) and engine.pool.checkedout() == 0


def test_requests_joining_a_waiting_group_wake_the_writer_once(engine: Engine) -> None:
    scenario = Scenario(engine, WriterOptions(max_wait_s=WAIT_S))
    scenario.queue_behind_first(_rows(), _rows(), _rows())  # groups of 1, then 3
    scenario.release()
    condition = scenario.writer._work  # noqa: SLF001  (its notify counted, not replaced)
    notified: list[int] = []
    notify = condition.notify
    condition.notify = lambda n=1: (notified.append(n), notify(n))[-1]  # type: ignore[method-assign]
    for queued in (0, 1, 0):  # taken into the waiting group, queued, then both taken
        scenario.send(_rows())
        deadline = time.monotonic() + 10
        while len(scenario.writer._queue) != queued:  # noqa: SLF001
            assert time.monotonic() < deadline, "the request was not queued or taken"
            time.sleep(0.005)
    scenario.release()
    # the first wakes the idle writer, the third completes its group; the second waits
    assert scenario.errors == {} and scenario.write.calls == [1, 3, 3] and len(notified) == 2


def _open_scenario(engine: Engine) -> Scenario:
    """A writer whose groups may wait WAIT_S, its write gate open from the start."""
    scenario = Scenario(engine, WriterOptions(max_wait_s=WAIT_S))
    scenario.write.gate.set()
    return scenario


def _written_within(scenario: Scenario, seconds: float) -> None:
    for thread in scenario.threads:
        thread.join(seconds)
        assert not thread.is_alive(), "the write did not return in time"


def test_group_waits_for_an_announced_request_and_closes_when_it_arrives(
    engine: Engine,
) -> None:
    """A request announced (its engine work still running) keeps the group that forms open:
    both are written in one transaction, as soon as the announced one arrives."""
    scenario = _open_scenario(engine)
    started = time.monotonic()
    with scenario.writer.announced():  # this thread: a request still in its engine work
        scenario.send(_rows())  # another request's write (its thread announced nothing)
        time.sleep(0.2)
        assert scenario.write.calls == []  # held for the announced request
        scenario.writer.write(_rows(), 3)
    _written_within(scenario, 5)
    assert scenario.write.calls == [2] and time.monotonic() - started < WAIT_S
    assert scenario.writer.drain(10)


def test_withdrawn_announcement_lets_the_group_close(engine: Engine) -> None:
    scenario = _open_scenario(engine)
    started = time.monotonic()
    with scenario.writer.announced():
        scenario.send(_rows())
        time.sleep(0.2)
        assert scenario.write.calls == []
    # the announced request ended without writing (an error): nobody else is coming
    _written_within(scenario, 5)
    assert scenario.write.calls == [1] and time.monotonic() - started < WAIT_S
    assert scenario.errors == {} and scenario.writer.drain(10)


def test_one_request_at_a_time_never_waits_for_another(engine: Engine) -> None:
    """A sequential client announces each request, and its own write ends the announcement:
    no group waits for a second request that cannot come."""
    scenario = _open_scenario(engine)
    for _ in range(3):
        started = time.monotonic()
        with scenario.writer.announced():
            scenario.writer.write(_rows(), 3)
        assert time.monotonic() - started < WAIT_S / 4
    assert scenario.write.calls == [1, 1, 1] and scenario.writer.drain(10)


def test_a_dry_run_announces_nothing(engine: Engine) -> None:
    scenario = _open_scenario(engine)
    started = time.monotonic()
    with dry_run(), scenario.writer.announced():
        scenario.send(_rows())  # its thread is no dry run: a real write
        _written_within(scenario, WAIT_S / 2)
    assert scenario.write.calls == [1] and time.monotonic() - started < WAIT_S / 2
