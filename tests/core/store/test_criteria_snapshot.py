"""The criteria snapshot: no database round trip while fresh, a change seen within its TTL."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

from core.evaluation import active_criteria
from core.store.criteria import SNAPSHOT_TTL_S, _snapshots, list_criteria, sync_criteria
from core.store.models import Criterion


@contextmanager
def _statements(engine: Engine) -> Iterator[list[str]]:
    """The SQL statements run on the engine inside the block."""
    seen: list[str] = []

    def note(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", note)


def test_list_criteria_fresh_snapshot_reads_no_database(db_engine: Engine) -> None:
    sync_criteria(db_engine)
    first = list_criteria(db_engine)
    with _statements(db_engine) as seen:
        again = list_criteria(db_engine, language="de")
    assert seen == []
    assert [c.key for c in again] == [c.key for c in first]


def test_active_criteria_never_touches_the_session(db_engine: Engine) -> None:
    sync_criteria(db_engine)
    with Session(db_engine) as session:
        for _ in range(2):  # a stale snapshot (read), then a fresh one
            assert not session.in_transaction()
            criteria = active_criteria(session, ["clarity", "testability"])
            assert [c.key for c in criteria] == ["clarity", "testability"]
            assert not session.in_transaction()  # no transaction begun, none to end
        transaction = session.begin()  # the caller's own: not committed behind its back
        active_criteria(session, None)
        assert session.get_transaction() is transaction and transaction.is_active


def test_list_criteria_sees_another_process_change_within_ttl(db_engine: Engine) -> None:
    sync_criteria(db_engine)
    assert list_criteria(db_engine)[0].weight == 1.0
    # another process's sync: it drops only its own snapshot, not this process's
    with db_engine.begin() as connection:
        connection.execute(
            update(Criterion).where(col(Criterion.key) == "clarity").values(weight=3.0)
        )
    assert list_criteria(db_engine)[0].weight == 1.0  # fresh: no read
    _snapshots.expire(time.monotonic() + SNAPSHOT_TTL_S)  # SNAPSHOT_TTL_S later
    assert list_criteria(db_engine)[0].weight == 3.0
