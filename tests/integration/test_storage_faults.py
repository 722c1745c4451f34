"""Issue 12, defects 6 and 7 and acceptance 2: storage faults on a real gateway (v1 and v2
in-process), with row counts before and after.

While a fault lasts every write answers 503 `unavailable` with Retry-After (never 500, no
exception text), /readyz answers 503, and no row is left for a request that failed; when
it ends the same process serves again (no restart). The faults are shortened for the
suite: the lock is held 3 s (issue: 10 s), PostgreSQL is down 3 s (issue: 15 s); what is
measured (a write's wait is bounded by DB_LOCK_TIMEOUT_S, the gateway's own routes do not
wait at all) does not depend on the length.
"""

from __future__ import annotations

import gc
import json
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, func, select
from starlette.testclient import TestClient

import gateway.app
from core.runtime import open_store
from core.settings import Settings
from core.store.db import create_db_engine
from core.store.models import Evaluation, EvaluationDetail, SuggestionDecision
from tests.conftest import SettingsFactory
from tests.utils.database import postgres_schema_url
from tests.utils.faults import SqliteFault, TcpProxy, postgres_tables_locked, sqlite_lock_held

ADMIN_TOKEN = "test-admin-token-0123456789"
TEXT = "The system shall answer every search request within 2 seconds (p95)."
LOCK_HOLD_S, PG_DOWN_S, LOCK_TIMEOUT_S = 3.0, 3.0, 0.25
FAST_S = 0.2
MESSAGE_START = {
    "disk-full": "storage is full",
    "read-only": "storage is read-only",
    "locked": "storage is busy",
}
MARKDOWN = "| id | requirementText | context |\n|---|---|---|\n| R1 | " + TEXT + " | {} |\n"
DECISION = {"requirementText": TEXT, "decision": "accepted", "findingCode": "vague_term"}


def _settings(make_settings: SettingsFactory, **overrides: Any) -> Settings:
    return make_settings(
        admin_token=ADMIN_TOKEN,
        v2_fallback_to_v1=False,  # v2's own answer, not v1's in its place
        db_lock_timeout_s=LOCK_TIMEOUT_S,
        **overrides,
    )


def _headers(variant: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {ADMIN_TOKEN}", "X-Variant-Override": variant}


def _evaluate(client: TestClient, variant: str) -> httpx.Response:
    return client.post(
        "/api/v1/evaluations", json={"requirementText": TEXT}, headers=_headers(variant)
    )


def _writes(client: TestClient, variant: str) -> list[httpx.Response]:
    """One single evaluation, one table batch and one decision on the variant."""
    return [
        _evaluate(client, variant),
        client.post(
            "/api/v1/batch/evaluate", json={"markdown": MARKDOWN}, headers=_headers(variant)
        ),
        client.post(
            "/api/v1/corrections/decision/batch", json=[DECISION], headers=_headers(variant)
        ),
    ]


def _counts(engine: Engine) -> tuple[int, int, int, int]:
    """Evaluations, details, evaluations without details (half-written records), decisions."""
    with Session(engine) as session:
        evaluations = session.exec(select(func.count()).select_from(Evaluation)).one()
        details = session.exec(select(func.count()).select_from(EvaluationDetail)).one()
        with_details = select(EvaluationDetail.evaluation_id)
        orphans = session.exec(
            select(func.count())
            .select_from(Evaluation)
            .where(col(Evaluation.id).not_in(with_details))
        ).one()
        decisions = session.exec(select(func.count()).select_from(SuggestionDecision)).one()
    return int(evaluations), int(details), int(orphans), int(decisions)


def _assert_unavailable(response: httpx.Response) -> None:
    assert response.status_code == 503, response.text
    body = response.json()
    assert body["error"] == "unavailable" and set(body) == {"error", "message", "requestId"}
    assert int(response.headers["Retry-After"]) >= 1
    shown = response.text.lower()
    for leak in ("sqlite", "psycopg", "insert", "select", "/tmp", "reqgate.db", TEXT.lower()):
        assert leak not in shown


def _served(client: TestClient, count_engine: Engine, before: tuple[int, int, int, int]) -> None:
    """After the fault: both variants write again, and /readyz is green, without restart."""
    for variant in ("v1", "v2"):
        statuses = [r.status_code for r in _writes(client, variant)]
        assert statuses == [200, 200, 200], (variant, [r.text for r in _writes(client, variant)])
    assert client.get("/readyz").status_code == 200
    evaluations, details, orphans, decisions = _counts(count_engine)
    assert evaluations == before[0] + 4 and details > before[1] and orphans == 0
    assert decisions == before[3] + 2


def _fill(client: TestClient) -> None:
    """Write until the file cannot grow: SQLite places new rows at the end of each table, so
    once that last page is full every further write fails, as on a full disk."""
    failed_in_a_row = 0
    for _ in range(200):
        served = [r.status_code == 200 for r in _writes(client, "v1")]
        failed_in_a_row = 0 if any(served) else failed_in_a_row + 1  # every table is full
        if failed_in_a_row == 3:
            return
    raise AssertionError("the database never filled up")


def _sqlite_fault(
    kind: str, fault: SqliteFault, client: TestClient, path: Path
) -> AbstractContextManager[None]:
    if kind == "locked":
        return sqlite_lock_held(path, LOCK_HOLD_S)
    if kind == "read-only":
        return fault.read_only()
    fault.disk_full()
    _fill(client)
    return nullcontext()


@pytest.mark.parametrize("kind", ["disk-full", "read-only", "locked"])
def test_sqlite_fault_answers_503_keeps_no_rows_and_recovers(
    kind: str, make_settings: SettingsFactory
) -> None:
    settings = _settings(make_settings)
    client = TestClient(gateway.app.create_app(settings))
    engine = open_store(settings)
    assert [r.status_code for r in _writes(client, "v1")] == [200, 200, 200]
    fault = SqliteFault(engine)
    with _sqlite_fault(kind, fault, client, settings.sqlite_path):
        before = _counts(engine)
        for variant in ("v1", "v2"):
            for write in _writes(client, variant):
                _assert_unavailable(write)
                assert write.json()["message"].startswith(MESSAGE_START[kind])
        assert client.get("/readyz").status_code == 503
        assert client.get("/api/v1/criteria", headers=_headers("v2")).status_code == 200
    assert _counts(engine) == before
    fault.clear()
    _served(client, engine, before)
    fault.close()


def test_gateway_routes_and_reads_answer_fast_while_the_file_is_locked(
    make_settings: SettingsFactory,
) -> None:
    settings = _settings(make_settings)
    client = TestClient(gateway.app.create_app(settings))
    assert client.get("/health").status_code == 200
    latencies: dict[str, float] = {}
    with sqlite_lock_held(settings.sqlite_path, LOCK_HOLD_S):
        time.sleep(0.6)  # the flags are due for a refresh (gateway.flags.MAX_AGE_S)
        # The earlier tests' garbage is collected now, not in a timed call: a full collection
        # took 0.9-1.3 s on a loaded machine, and failed the bound at random.
        gc.collect()
        for path in (
            "/health",
            "/metrics",
            "/api/runtime-config/explain?key=u1",
            "/api/runtime-config",
        ):
            started = time.monotonic()
            assert client.get(path).status_code == 200
            latencies[path] = time.monotonic() - started
        for variant in ("v1", "v2"):  # the first criteria read of the process: a real read
            started = time.monotonic()
            response = client.get("/api/v1/criteria", headers=_headers(variant))
            assert response.status_code == 200 and response.json()["items"]
            latencies[f"criteria {variant}"] = time.monotonic() - started
        started = time.monotonic()
        write = _evaluate(client, "v1")
        latencies["write v1"] = time.monotonic() - started
    print(json.dumps({k: round(v * 1000) for k, v in latencies.items()}))  # noqa: T201
    assert all(v < FAST_S for k, v in latencies.items() if k != "write v1"), latencies
    _assert_unavailable(write)  # after DB_LOCK_TIMEOUT_S, not 30 s
    assert latencies["write v1"] < LOCK_TIMEOUT_S + 0.5


@contextmanager
def _postgres_behind_proxy() -> Iterator[tuple[str, Engine, TcpProxy]]:
    """The app's URL through the proxy, an engine straight to the server for counting."""
    with postgres_schema_url() as url:
        proxy = TcpProxy(("127.0.0.1", 5432))
        counting = create_db_engine(url)
        try:
            yield url.replace("127.0.0.1:5432", f"127.0.0.1:{proxy.port}"), counting, proxy
        finally:
            counting.dispose()
            proxy.close()


@pytest.mark.postgres
def test_postgres_write_waits_for_a_lock_at_most_the_lock_timeout(
    make_settings: SettingsFactory,
) -> None:
    """DB_LOCK_TIMEOUT_S bounds a PostgreSQL write's wait for a lock, as it bounds SQLite's:
    tables locked by another session (a migration, an operator's transaction) answer 503
    to retry later, not a request that waits for as long as the lock is held."""
    with postgres_schema_url() as url:
        settings = _settings(make_settings, database_url=url)
        client = TestClient(gateway.app.create_app(settings))
        counting = create_db_engine(url)
        assert [r.status_code for r in _writes(client, "v1")] == [200, 200, 200]
        before = _counts(counting)
        waits: list[float] = []
        with postgres_tables_locked(url, ["evaluation", "suggestion_decision"], LOCK_HOLD_S):
            for variant in ("v1", "v2"):
                started = time.monotonic()
                for write in _writes(client, variant):
                    _assert_unavailable(write)
                    assert write.json()["message"].startswith(MESSAGE_START["locked"])
                waits.append((time.monotonic() - started) / 3)
            assert client.get("/api/v1/criteria", headers=_headers("v2")).status_code == 200
        assert max(waits) < LOCK_TIMEOUT_S + 0.5, waits
        assert _counts(counting) == before
        _served(client, counting, before)
        counting.dispose()


def _during(seconds: float, probe: Callable[[], None]) -> int:
    deadline, rounds = time.monotonic() + seconds, 0
    while time.monotonic() < deadline:
        probe()
        rounds += 1
    return rounds


@pytest.mark.postgres
def test_postgres_down_answers_503_keeps_no_rows_and_recovers(
    make_settings: SettingsFactory,
) -> None:
    with _postgres_behind_proxy() as (url, counting, proxy):
        settings = _settings(make_settings, database_url=url, flag_max_staleness_s=1.0)
        client = TestClient(gateway.app.create_app(settings))
        assert [r.status_code for r in _writes(client, "v2")] == [200, 200, 200]
        before = _counts(counting)
        proxy.cut()
        statuses: list[int] = []

        def probe() -> None:
            for variant in ("v1", "v2"):
                for response in _writes(client, variant):
                    _assert_unavailable(response)
                    statuses.append(response.status_code)
            started = time.monotonic()
            assert client.get("/health").status_code == 200
            assert time.monotonic() - started < FAST_S
            assert client.get("/readyz").status_code == 503

        rounds = _during(PG_DOWN_S, probe)
        print(json.dumps({"rounds": rounds, "503": statuses.count(503)}))  # noqa: T201
        assert _counts(counting) == before
        proxy.restore()
        _served(client, counting, before)


@pytest.mark.postgres
@pytest.mark.parametrize("path", ["/api/v1/reports/summary", "/api/v1/reports/export"])
def test_reports_while_postgres_is_down_answer_503_not_a_cut_body(
    make_settings: SettingsFactory, path: str
) -> None:
    with _postgres_behind_proxy() as (url, _counting, proxy):
        client = TestClient(gateway.app.create_app(_settings(make_settings, database_url=url)))
        assert client.get(path).status_code == 200
        proxy.cut()
        _assert_unavailable(client.get(path))  # the export's queries run before its body
        proxy.restore()
        assert client.get(path).status_code == 200


@pytest.mark.postgres
def test_ops_summary_while_postgres_is_down_answers_without_the_audit(
    make_settings: SettingsFactory,
) -> None:
    with _postgres_behind_proxy() as (url, _counting, proxy):
        client = TestClient(gateway.app.create_app(_settings(make_settings, database_url=url)))
        ops = "/api/runtime-config/ops"
        assert client.get(ops, headers=_headers("v1")).json()["audit"]
        proxy.cut()
        response = client.get(ops, headers=_headers("v1"))
        body = response.json()
        assert response.status_code == 200 and body["audit"] == []
        assert body["auditError"] == "storage is unreachable; retry later"
        assert body["flags"]["epoch"] >= 1  # from the flag cache
        proxy.restore()
        assert "auditError" not in client.get(ops, headers=_headers("v1")).json()
