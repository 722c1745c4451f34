"""Group commit: the rows of concurrent requests committed together, in one transaction.

Why: every commit pays a transaction's fixed work and, on SQLite with SQLITE_SYNCHRONOUS=FULL
(or on PostgreSQL), a flush of the log to disk, however few rows it holds; an evaluation is
about ten small rows. So one writer thread per database engine per process takes the rows
requests queue, waits up to DB_GROUP_COMMIT_WAIT_MS (counted from the oldest) for more, and
commits them as one transaction. Each requester waits until its group is committed: an answer
is sent only once its rows are durable, so a SIGKILL loses no write that was acknowledged.
On SQLite one writer also means requests never queue on the file's write lock.

Cost: the thread keeps its connection while groups are queued back to back (given back to
the pool as soon as the queue is empty, and after any failed transaction), and a requester
wakes it only when it has work: a first request, or a group complete (not once per request).

When a group closes: once it holds as many requests as the largest of the recent groups,
and no request that announced itself (`announced()`, around a request's engine work) is
still on its way; at the latest DB_GROUP_COMMIT_WAIT_MS after its oldest request. Waiting
for announced requests is what makes groups form at high rates: a group that closed when
the recent ones had held one request stayed at one, and every request paid a transaction
of its own (docs/benchmarks.md §14). A client that sends one request at a time announces
nothing while its write waits, so it never waits for a second request that cannot come.

Bounds: at most DB_WRITE_QUEUE requests wait to join a group; one more waits for room up
to DB_LOCK_TIMEOUT_S and then gets 503 (backpressure, never unbounded memory). A group
holds at most MAX_GROUP_ROWS rows, unless a single request's rows are more.

Failures: a storage fault (lock timeout, full, read-only, unreachable) fails every request
of the group with the 503 one request's write would get (core.store.faults). Any other
error (an integrity error, a bug) has each request of the group retried alone, so one bad
request fails no other. A request's rows are written all or none either way.

Dry runs (core.dry_run) never join a group: they write on a connection of their own and
roll back, as before, so their faults still show and nothing of theirs is committed.

Shutdown: whatever is queued is written before the interpreter exits (atexit); the thread
is a daemon and ends by itself after IDLE_S without work.
"""

from __future__ import annotations

import atexit
import contextvars
import itertools
import sys
import threading
import time
import weakref
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

from core.dry_run import is_dry_run
from core.store.db import WRITE_OPTION
from core.store.faults import fault_kind, record_write, storage_fault, unavailable

UnitT = TypeVar("UnitT")
GroupWrite = Callable[[Connection, Sequence[UnitT]], None]  # writes every unit's rows
MAX_GROUP_ROWS = 5000
RECENT_GROUPS = 16  # a group closes early once as large as the largest of these
IDLE_S = 1.0  # the thread ends after this long without work (a new write starts another)
DRAIN_S = 10.0  # at exit, how long queued writes may take to finish
NEVER = sys.maxsize  # a wake-up threshold no queue reaches
_numbers = itertools.count(1)


@dataclass(frozen=True, slots=True)
class WriterOptions:
    """How long a group waits for more requests, how many may queue, and for how long."""

    max_wait_s: float = 0.002
    max_queue: int = 256
    queue_timeout_s: float = 5.0


def run_write(
    engine: Engine, write: GroupWrite[UnitT], units: Sequence[UnitT], *, commit: bool = True
) -> None:
    """One write transaction on a connection of its own (BEGIN IMMEDIATE on SQLite),
    committed, or rolled back when `commit` is false; its outcome is remembered for
    /readyz (core.store.faults.record_write)."""
    try:
        with write_connection(engine) as connection:
            _transaction(connection, write, units, commit=commit)
    except Exception as exc:
        record_write(engine, exc)
        raise
    record_write(engine, None)


def write_connection(engine: Engine) -> Connection:
    """A connection from the engine's pool whose transactions write (WRITE_OPTION)."""
    connection = engine.connect()
    connection.execution_options(**{WRITE_OPTION: True})
    return connection


def _transaction(
    connection: Connection, write: GroupWrite[UnitT], units: Sequence[UnitT], *, commit: bool
) -> None:
    with connection.begin() as transaction:
        write(connection, units)
        if not commit:
            transaction.rollback()


class _Pending(Generic[UnitT]):
    """One request's rows in the queue; its thread blocks on `wait` until they are written."""

    __slots__ = ("_done", "enqueued", "error", "rows", "unit")

    def __init__(self, unit: UnitT, rows: int) -> None:
        self.unit, self.rows, self.enqueued = unit, rows, time.monotonic()
        self.error: BaseException | None = None
        self._done = threading.Lock()  # held until finished: the cheapest one-shot signal
        self._done.acquire()

    def finish(self, error: BaseException | None) -> None:
        self.error = error
        self._done.release()

    def wait(self) -> None:
        self._done.acquire()


def _raise(error: BaseException) -> None:
    """Raise a failed write in its requester's thread: a storage fault as that request's
    own 503 (logged with its request id), anything else as it is (only this request has it)."""
    if isinstance(error, SQLAlchemyError) and (fault := storage_fault(error)) is not None:
        raise fault from error
    raise error


class _Announcement:
    """A request that said it will write (GroupWriter.announced), until it does or leaves."""

    __slots__ = ("pending", "writer")

    def __init__(self, writer: GroupWriter[Any]) -> None:
        self.writer, self.pending = writer, True


_announcement: contextvars.ContextVar[_Announcement | None] = contextvars.ContextVar(
    "write_announced", default=None
)


class GroupWriter(Generic[UnitT]):
    """The one writer of a database engine: queue, group, commit, answer each requester."""

    def __init__(self, engine: Engine, write: GroupWrite[UnitT], options: WriterOptions) -> None:
        self._engine = weakref.ref(engine)  # the registry must not keep a dropped engine alive
        self.write_units = write
        self.options = options
        lock = threading.Lock()
        self._work, self._room, self._idle = (threading.Condition(lock) for _ in range(3))
        self._queue: deque[_Pending[UnitT]] = deque()
        self._queued_rows = 0
        # The writer's thread is woken only when it has something to do: as it waits, the
        # queue length and the rows at which its group is complete (a requester notifies
        # once the queue reaches either, never for each request that just joins the wait).
        self._wake_at, self._rows_room = NEVER, NEVER
        self._writing = False
        self._connection: Connection | None = None  # the thread's, while groups follow
        self._thread: threading.Thread | None = None
        self._recent: deque[int] = deque([1], maxlen=RECENT_GROUPS)
        self._coming = 0  # requests announced and not queued yet

    def write(self, unit: UnitT, rows: int) -> None:
        """Write `unit` (`rows` rows) durably, or raise what failed it; in a dry run, write
        it and roll it back, outside any group."""
        engine = self._live_engine()
        if is_dry_run():
            run_write(engine, self.write_units, [unit], commit=False)
            return
        pending = _Pending(unit, rows)
        announcement = _announcement.get()
        with self._work:
            if announcement is not None and announcement.writer is self and announcement.pending:
                announcement.pending = False
                self._coming -= 1
            queued = self._room_within(self.options.queue_timeout_s)
            if queued:
                self._queue.append(pending)
                self._queued_rows += rows
                if self._thread is None:
                    self._start()
                elif len(self._queue) >= self._wake_at or self._queued_rows > self._rows_room:
                    self._work.notify()
        if not queued:
            raise unavailable("locked", "WriteQueueFull")
        pending.wait()
        if pending.error is not None:
            _raise(pending.error)

    @contextmanager
    def announced(self) -> Iterator[None]:
        """Run the block as a request that will write through this writer soon: a group that
        forms meanwhile waits for it (up to DB_GROUP_COMMIT_WAIT_MS). If the block ends
        without writing (an error, nothing to store), it withdraws, and a group waiting for
        it closes. Dry runs never join a group, so they announce nothing."""
        if is_dry_run():
            yield
            return
        announcement = _Announcement(self)
        with self._work:
            self._coming += 1
        token = _announcement.set(announcement)
        try:
            yield
        finally:
            _announcement.reset(token)
            if announcement.pending:
                with self._work:
                    self._coming -= 1
                    self._work.notify()

    def drain(self, timeout_s: float) -> bool:
        """Wait until everything queued is written; False if that took over `timeout_s`."""
        with self._idle:
            return self._idle.wait_for(lambda: not (self._queue or self._writing), timeout_s)

    def _live_engine(self) -> Engine:
        engine = self._engine()
        if engine is None:  # the writer outlived its engine: nothing can be written through it
            raise RuntimeError("the database engine of this writer is gone")
        return engine

    def _room_within(self, timeout_s: float) -> bool:
        """Whether the queue has room, waiting up to `timeout_s` for it (lock held)."""
        if len(self._queue) < self.options.max_queue:
            return True
        return self._room.wait_for(lambda: len(self._queue) < self.options.max_queue, timeout_s)

    def _start(self) -> None:
        name = f"reqgate-writer-{next(_numbers)}"
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            while True:
                # Keep the connection only for a group that is already queued: one that
                # waits idle could be stale by the next write (a restarted server, a fault
                # fixed since), which a new checkout handles (pre-ping, the connect hooks).
                # Only this thread takes from the queue, so a group seen here stays there.
                if not self._queue:
                    self._release()
                if (group := self._next_group()) is None:
                    break
                self._commit(group)
        finally:
            self._release()
            with self._work:
                if self._thread is threading.current_thread():  # ended by an error
                    self._thread, self._writing = None, False
                    if self._queue:
                        self._start()
                    self._idle.notify_all()

    def _next_group(self) -> list[_Pending[UnitT]] | None:
        """The next group, once its wait is over; None when idle for IDLE_S (thread ends)."""
        with self._work:
            self._writing = False
            self._idle.notify_all()
            while not self._queue:
                self._wake_at, self._rows_room = 1, NEVER
                if not self._work.wait(IDLE_S) and not self._queue:
                    self._thread = None
                    return None
            group = self._gather()
            self._writing = True
            self._wake_at, self._rows_room = NEVER, NEVER
            self._room.notify_all()
            return group

    def _gather(self) -> list[_Pending[UnitT]]:
        """Take queued requests, oldest first, until the group is full (MAX_GROUP_ROWS, or
        as many requests as the largest of the last RECENT_GROUPS groups with no announced
        one still coming: no more are likely) or the oldest has waited
        DB_GROUP_COMMIT_WAIT_MS (lock held)."""
        deadline = self._queue[0].enqueued + self.options.max_wait_s
        expected = max(self._recent)
        group: list[_Pending[UnitT]] = []
        rows = 0
        while True:
            while self._queue and (not group or rows + self._queue[0].rows <= MAX_GROUP_ROWS):
                pending = self._queue.popleft()
                self._queued_rows -= pending.rows
                group.append(pending)
                rows += pending.rows
            remaining = deadline - time.monotonic()
            complete = len(group) >= expected and not self._coming
            if self._queue or remaining <= 0 or complete:
                self._recent.append(len(group))
                return group
            self._wake_at = max(1, expected - len(group))
            self._rows_room = MAX_GROUP_ROWS - rows
            self._work.wait(remaining)

    def _commit(self, group: list[_Pending[UnitT]]) -> None:
        outcomes: list[BaseException | None] = []
        try:
            outcomes = self._outcomes([pending.unit for pending in group])
        finally:
            if len(outcomes) != len(group):  # this thread is being torn down mid-write
                outcomes = [RuntimeError("the write did not complete") for _ in group]
            for pending, outcome in zip(group, outcomes, strict=True):
                pending.finish(outcome)

    def _outcomes(self, units: list[UnitT]) -> list[BaseException | None]:
        """Each unit's error (None: committed): one transaction, or one each after an error
        that another transaction may not repeat."""
        engine = self._live_engine()
        try:
            self._write(engine, units)
        except Exception as exc:
            if len(units) == 1 or fault_kind(exc) is not None:
                return [exc] * len(units)
            return [self._alone(engine, unit) for unit in units]
        return [None] * len(units)

    def _alone(self, engine: Engine, unit: UnitT) -> BaseException | None:
        try:
            self._write(engine, [unit])
        except Exception as exc:
            return exc
        return None

    def _write(self, engine: Engine, units: Sequence[UnitT]) -> None:
        """run_write on the thread's connection (checked out if it has none); a connection
        whose transaction failed goes back to the pool (SQLAlchemy has invalidated it if
        the error said it is lost): the next transaction checks out a sound one."""
        try:
            if self._connection is None:
                self._connection = write_connection(engine)
            _transaction(self._connection, self.write_units, units, commit=True)
        except Exception as exc:
            self._release()
            record_write(engine, exc)
            raise
        record_write(engine, None)

    def _release(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            connection.close()


_writers: weakref.WeakKeyDictionary[Engine, GroupWriter[Any]] = weakref.WeakKeyDictionary()
_options: weakref.WeakKeyDictionary[Engine, WriterOptions] = weakref.WeakKeyDictionary()
_registry = threading.Lock()


def writer_for(engine: Engine, write: GroupWrite[UnitT]) -> GroupWriter[UnitT]:
    """The engine's one writer, started on first use with the options `configure_writer`
    gave it (defaults otherwise: engines of tests and tools)."""
    writer = _writers.get(engine)
    if writer is None:
        with _registry:
            writer = _writers.get(engine)
            if writer is None:
                writer = GroupWriter(engine, write, _options.get(engine, WriterOptions()))
                _writers[engine] = writer
    if writer.write_units is not write:
        raise RuntimeError("one writer per engine writes one kind of unit")
    return writer


def configure_writer(engine: Engine, options: WriterOptions) -> None:
    """Set the options of the engine's writer (the settings of the app that opened it)."""
    with _registry:
        _options[engine] = options
        writer = _writers.get(engine)
        if writer is not None:
            writer.options = options


@atexit.register
def _drain_all() -> None:
    for writer in list(_writers.values()):
        writer.drain(DRAIN_S)
