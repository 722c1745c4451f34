"""Storage faults on demand: a held SQLite lock, a full or read-only SQLite database, a held
PostgreSQL table lock, and a PostgreSQL server that goes away (a TCP proxy the test cuts
and restores).

Nothing here touches the real servers or the file system beyond the test's own database:
disk full is SQLite's `max_page_count` (it answers SQLITE_FULL, "database or disk is full",
like a full disk), read-only is a chmod of the data directory and file, or `query_only`
when the tests run as root (root writes through a chmod; query_only answers SQLITE_READONLY,
"attempt to write a readonly database", as a read-only file does).
"""

from __future__ import annotations

import os
import socket
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy
from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url

UNLIMITED_PAGES = 1_073_741_823  # SQLite's default max_page_count


@contextmanager
def _held_by_another_thread(
    lock: Callable[[], AbstractContextManager[object]], seconds: float
) -> Iterator[None]:
    """`lock()` entered in a thread of its own for `seconds`, or until the block ends if
    that comes first (an external session that lets go by itself)."""
    locked, release = threading.Event(), threading.Event()

    def hold() -> None:
        with lock():
            locked.set()
            release.wait(seconds)

    holder = threading.Thread(target=hold, daemon=True)
    holder.start()
    try:
        assert locked.wait(10), "could not take the lock"
        yield
    finally:
        release.set()
        holder.join(10)


def sqlite_lock_held(path: Path, seconds: float) -> AbstractContextManager[None]:
    """Another connection holds BEGIN EXCLUSIVE on the file for `seconds`."""

    @contextmanager
    def exclusive() -> Iterator[None]:
        connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        try:
            connection.execute("BEGIN EXCLUSIVE")
            yield
            connection.execute("ROLLBACK")
        finally:
            connection.close()

    return _held_by_another_thread(exclusive, seconds)


@contextmanager
def postgres_tables_locked(url: str, tables: list[str], seconds: float) -> Iterator[None]:
    """Another session holds an EXCLUSIVE lock on `tables` (writes wait, reads do not) for
    `seconds`."""
    engine = sqlalchemy.create_engine(url)

    @contextmanager
    def exclusive() -> Iterator[None]:
        with engine.connect() as connection, connection.begin():
            connection.exec_driver_sql(f"LOCK TABLE {', '.join(tables)} IN EXCLUSIVE MODE")
            yield

    try:
        with _held_by_another_thread(exclusive, seconds):
            yield
    finally:
        engine.dispose()


class SqliteFault:
    """Applies a fault to every connection the engine checks out, until `clear()`."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.pragmas: dict[str, int] = {}
        event.listen(engine, "checkout", self._on_checkout)

    def _on_checkout(self, dbapi_conn: Any, _record: Any, _proxy: Any) -> None:
        cursor = dbapi_conn.cursor()
        for name, value in {"max_page_count": UNLIMITED_PAGES, "query_only": 0}.items():
            cursor.execute(f"PRAGMA {name} = {self.pragmas.get(name, value)}")
        cursor.close()

    def disk_full(self) -> None:
        """No page may be added: the file is exactly as large as it may grow."""
        path = make_url(str(self.engine.url)).database
        connection = sqlite3.connect(str(path))
        try:
            self.pragmas["max_page_count"] = connection.execute("PRAGMA page_count").fetchone()[0]
        finally:
            connection.close()

    @contextmanager
    def read_only(self) -> Iterator[None]:
        """The data directory and file are read-only (query_only when running as root)."""
        path = Path(str(make_url(str(self.engine.url)).database))
        if os.geteuid() == 0:
            self.pragmas["query_only"] = 1
            yield
            return
        modes = {p: p.stat().st_mode for p in (path.parent, *path.parent.glob(path.name + "*"))}
        for p in modes:
            p.chmod(0o555 if p.is_dir() else 0o444)
        self.engine.dispose()  # open descriptors keep writing; a new connection would not
        try:
            yield
        finally:
            for p, mode in modes.items():
                p.chmod(mode)

    def clear(self) -> None:
        self.pragmas.clear()

    def close(self) -> None:
        event.remove(self.engine, "checkout", self._on_checkout)


class TcpProxy:
    """A TCP proxy to `target` on a free loopback port; `cut()` drops every connection and
    refuses new ones (the server is "down") until `restore()`."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = int(self.listener.getsockname()[1])
        self.down = False
        self._open: set[socket.socket] = set()
        self._lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if self.down:
                client.close()
                continue
            try:
                upstream = socket.create_connection(self.target)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._open |= {client, upstream}
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                self._close(s)

    def _close(self, sock: socket.socket) -> None:
        with self._lock:
            self._open.discard(sock)
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        sock.close()

    def cut(self) -> None:
        self.down = True
        with self._lock:
            sockets = list(self._open)
        for sock in sockets:
            self._close(sock)

    def restore(self) -> None:
        self.down = False

    def close(self) -> None:
        self.cut()
        self.listener.close()
