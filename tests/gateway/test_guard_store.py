"""The guard's lease, samples and last decision (core/store/guard.py) on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from core.store.guard import Decision, collect, publish, read_lease, record_decision, withdraw
from core.store.models import GuardSample

T0 = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
LEASE_S = 6.0


def test_lease_goes_to_one_worker_until_it_expires(db_engine: Engine) -> None:
    assert publish(db_engine, worker="a", epoch=1, figures="{}", now=T0, lease_s=LEASE_S)
    later = T0 + timedelta(seconds=2)
    assert not publish(db_engine, worker="b", epoch=1, figures="{}", now=later, lease_s=LEASE_S)
    assert publish(db_engine, worker="a", epoch=1, figures="{}", now=later, lease_s=LEASE_S)
    renewed = read_lease(db_engine)
    assert renewed.holder == "a" and renewed.expires_at == later + timedelta(seconds=LEASE_S)
    expired = later + timedelta(seconds=LEASE_S)  # a stopped renewing
    assert publish(db_engine, worker="b", epoch=1, figures="{}", now=expired, lease_s=LEASE_S)
    assert read_lease(db_engine).holder == "b"


def test_collect_returns_fresh_samples_of_the_epoch(db_engine: Engine) -> None:
    publish(db_engine, worker="a", epoch=4, figures='{"a": 1}', now=T0, lease_s=LEASE_S)
    publish(db_engine, worker="b", epoch=4, figures='{"b": 1}', now=T0, lease_s=LEASE_S)
    publish(db_engine, worker="c", epoch=3, figures='{"c": 1}', now=T0, lease_s=LEASE_S)
    stale = T0 - timedelta(seconds=10)
    publish(db_engine, worker="d", epoch=4, figures='{"d": 1}', now=stale, lease_s=LEASE_S)
    publish(db_engine, worker="b", epoch=4, figures='{"b": 2}', now=T0, lease_s=LEASE_S)
    since = T0 - timedelta(seconds=LEASE_S)
    assert sorted(collect(db_engine, epoch=4, since=since)) == ['{"a": 1}', '{"b": 2}']


def test_holder_deletes_samples_of_workers_long_gone(db_engine: Engine) -> None:
    publish(db_engine, worker="gone", epoch=1, figures="{}", now=T0, lease_s=LEASE_S)
    much_later = T0 + timedelta(seconds=LEASE_S * 11)
    publish(db_engine, worker="new", epoch=1, figures="{}", now=much_later, lease_s=LEASE_S)
    with Session(db_engine) as session:
        assert session.exec(select(GuardSample.worker)).all() == ["new"]


def test_decision_is_kept_for_every_worker_to_read(db_engine: Engine) -> None:
    assert read_lease(db_engine).decision is None
    publish(db_engine, worker="a", epoch=1, figures="{}", now=T0, lease_s=LEASE_S)
    figures = {"route": "/api/v1/evaluations", "v2": {"requests": 60, "errorRate": 0.2}}
    decision = Decision(T0, "rollback", "/api/v1/evaluations", figures, "a", epoch=2)
    record_decision(db_engine, decision)
    publish(db_engine, worker="a", epoch=2, figures="{}", now=T0, lease_s=LEASE_S)  # renewal
    assert read_lease(db_engine).decision == decision


def test_withdraw_frees_the_lease_and_drops_the_sample(db_engine: Engine) -> None:
    publish(db_engine, worker="a", epoch=1, figures="{}", now=T0, lease_s=LEASE_S)
    withdraw(db_engine, worker="a", now=T0 + timedelta(seconds=1))
    assert collect(db_engine, epoch=1, since=T0) == []
    assert publish(
        db_engine, worker="b", epoch=1, figures="{}", now=T0 + timedelta(seconds=1), lease_s=LEASE_S
    )
    withdraw(db_engine, worker="a", now=T0 + timedelta(seconds=2))  # not a's any more
    assert read_lease(db_engine).holder == "b"


def test_workers_racing_for_a_new_lease_get_one_holder(db_engine: Engine) -> None:
    """Eight workers publish at once on a database without a lease row (on PostgreSQL the
    row's lock cannot serialise them yet: one insert wins, the others lose)."""
    start = threading.Barrier(8)
    holders: list[str] = []

    def worker(name: str) -> None:
        start.wait()
        if publish(db_engine, worker=name, epoch=1, figures="{}", now=T0, lease_s=LEASE_S):
            holders.append(name)

    threads = [threading.Thread(target=worker, args=(f"w{n}",)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(holders) == 1 and read_lease(db_engine).holder == holders[0]
