"""Issue 16, acceptance 3: a `reqgate serve` process killed (SIGKILL) during a burst of
evaluations (v1 and v2, many requests in flight, their rows committed in groups) loses no
write it acknowledged and leaves none half-written, on SQLite and PostgreSQL.

Every request answered 200 has its evaluation row with all its details and suggestions;
every evaluation row stored, answered or not, has all of its own (no row without its
details). The rows are read straight from the database the killed process left, before
anything else opens it."""

from __future__ import annotations

import itertools
import json
import os
import sqlite3
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from subprocess import Popen

import httpx
import pytest
import sqlalchemy

from dev.processes import free_port, running
from tests.utils.database import postgres_schema_url
from tests.utils.server import ROOT

CLIENTS = 12  # requests in flight at the kill
KILL_AFTER_ANSWERS = 120
ADMIN_TOKEN = "test-admin-token-0123456789"
TEXT = "The search service should answer quickly and be user-friendly."
CRITERIA = 9  # every active criterion: a detail row each
Stored = dict[str, tuple[int, int]]  # evaluation id -> (details, suggestions)
pytestmark = pytest.mark.slow

COUNTS = """
SELECT e.id,
       (SELECT count(*) FROM evaluation_detail d WHERE d.evaluation_id = e.id),
       (SELECT count(*) FROM suggestion_record s WHERE s.evaluation_id = e.id)
FROM evaluation e
"""


class Burst:
    """CLIENTS threads posting evaluations back to back, half to v1 and half to v2, each
    with its own request id, until the server stops answering."""

    def __init__(self, base_url: str) -> None:
        self.url = f"{base_url}/api/v1/evaluations"
        self.answered: dict[str, tuple[int, int]] = {}  # evaluationId -> (details, suggestions)
        self.unanswered = 0
        self.other_statuses: list[int] = []
        self._lock = threading.Lock()
        self._threads = [threading.Thread(target=self._client, args=(n,)) for n in range(CLIENTS)]

    def start(self) -> None:
        for thread in self._threads:
            thread.start()

    def join(self) -> None:
        for thread in self._threads:
            thread.join(30)

    def _client(self, number: int) -> None:
        with httpx.Client(timeout=30) as client:
            for n in itertools.count():
                headers = {
                    "Authorization": f"Bearer {ADMIN_TOKEN}",
                    "X-Variant-Override": "v1" if (number + n) % 2 else "v2",
                    "X-Request-Id": f"burst-{number}-{n}",
                }
                try:
                    response = client.post(
                        self.url, json={"requirementText": TEXT}, headers=headers
                    )
                except httpx.TransportError:
                    with self._lock:
                        self.unanswered += 1
                    return
                with self._lock:
                    self._record(response)

    def _record(self, response: httpx.Response) -> None:
        if response.status_code != 200:
            self.other_statuses.append(response.status_code)
            return
        body = response.json()
        self.answered[body["evaluationId"]] = (len(body["details"]), len(body["suggestions"]))


@contextmanager
def _serving(data_dir: Path, env: dict[str, str]) -> Iterator[tuple[str, Popen[bytes]]]:
    """A `reqgate serve` process on default settings (plus `env`): its URL and process."""
    port = free_port()
    process_env = {
        **os.environ,
        "SQLITE_PATH": str(data_dir / "reqgate.db"),
        "QDRANT_PATH": str(data_dir / "qdrant"),
        "REQUIREMENTS_MD_PATH": str(ROOT / "docs" / "requirements.md"),
        "ADMIN_TOKEN": ADMIN_TOKEN,
        "V2_FALLBACK_TO_V1": "false",  # each answer is its own variant's
        "LOG_LEVEL": "WARNING",
        **env,
        "API_HOST": "127.0.0.1",
        "API_PORT": str(port),
    }
    base_url = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "cli.main", "serve"]
    log_path = data_dir / "serve.log"
    with running(
        command, f"{base_url}/livez", env=process_env, cwd=data_dir, log_path=log_path
    ) as process:
        yield base_url, process


def _kill_during_burst(data_dir: Path, env: dict[str, str]) -> Burst:
    with _serving(data_dir, env) as (base_url, process):
        burst = Burst(base_url)
        burst.start()
        deadline = time.monotonic() + 60
        while len(burst.answered) < KILL_AFTER_ANSWERS and time.monotonic() < deadline:
            time.sleep(0.01)
        process.kill()  # SIGKILL: no shutdown, no drain, no commit of what is queued
        process.wait()
        burst.join()
    return burst


def _check(burst: Burst, stored: Stored) -> None:
    print(  # noqa: T201
        json.dumps(
            {
                "answered": len(burst.answered),
                "unanswered": burst.unanswered,
                "stored": len(stored),
                "storedUnanswered": len(stored.keys() - burst.answered.keys()),
            }
        )
    )
    assert burst.other_statuses == []
    assert len(burst.answered) >= KILL_AFTER_ANSWERS, "the burst never got going"
    assert burst.unanswered > 0, "no request was in flight at the kill"
    lost = {key: rows for key, rows in burst.answered.items() if stored.get(key) != rows}
    assert lost == {}, "acknowledged writes lost or incomplete"
    suggestions = {rows[1] for rows in burst.answered.values()}
    assert len(suggestions) == 1  # one text: every evaluation has the same rows
    complete = (CRITERIA, suggestions.pop())
    assert {key: rows for key, rows in stored.items() if rows != complete} == {}


def test_sigkill_during_burst_sqlite(tmp_path: Path) -> None:
    burst = _kill_during_burst(tmp_path, {})
    connection = sqlite3.connect(tmp_path / "reqgate.db")  # recovers the WAL the kill left
    try:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        stored = {row[0]: (row[1], row[2]) for row in connection.execute(COUNTS)}
    finally:
        connection.close()
    _check(burst, stored)


@contextmanager
def _postgres() -> Iterator[tuple[str, sqlalchemy.engine.Engine]]:
    with postgres_schema_url() as url:
        engine = sqlalchemy.create_engine(url)
        try:
            yield url, engine
        finally:
            engine.dispose()


@pytest.mark.postgres
def test_sigkill_during_burst_postgres(tmp_path: Path) -> None:
    with _postgres() as (url, engine):
        burst = _kill_during_burst(tmp_path, {"DATABASE_URL": url})
        with engine.connect() as connection:
            rows = connection.execute(sqlalchemy.text(COUNTS)).all()
        _check(burst, {row[0]: (int(row[1]), int(row[2])) for row in rows})
