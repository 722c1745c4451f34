"""Issue 15: a mirrored request persists nothing, on every shared route, SQLite and PostgreSQL.

Each shared route's request is sent once with shadow mode off and once with every request
mirrored (and every primary run twice for noise): the rows each leaves in every table must be
the same. Without dry runs a mirrored evaluation left two rows, and a mirrored
corrections/text recorded a correction nobody made.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel
from starlette.testclient import TestClient

import app_v2.main
import gateway.app
from gateway.routes import SHARED_ROUTES
from tests.conftest import SettingsFactory
from tests.contract.batch_cases import ATOM, SMALL_TABLE
from tests.contract.cases import ACCEPTED, REJECTED
from tests.gateway.conftest import ADMIN, ADMIN_TOKEN
from tests.gateway.fakes import serving

TEXT = "The system should be fast and user-friendly."
REQUESTS: list[tuple[str, str, Any]] = [
    ("GET", "/api/v1/criteria", None),
    ("POST", "/api/v1/evaluations", {"requirementText": TEXT}),
    ("POST", "/api/v1/batch/evaluate", {}),
    ("POST", "/api/v1/batch/suggest", {}),
    ("POST", "/api/v1/batch/rewrite", {}),
    ("POST", "/api/v1/validate/batch", [TEXT, "Das System sollte schnell sein."]),
    ("POST", "/api/v1/validate/batch/stream", [TEXT, "The system shall log in."]),
    ("POST", "/api/v1/validate/suggest", [TEXT]),
    ("POST", "/api/v1/corrections/apply", {"originalText": TEXT, "selectedSuggestions": [ATOM]}),
    (
        "POST",
        "/api/v1/corrections/text",
        {"originalText": TEXT, "text": "The system shall answer within 2 s."},
    ),
    ("POST", "/api/v1/corrections/decision", ACCEPTED),
    ("POST", "/api/v1/corrections/decision/batch", {"items": [ACCEPTED, REJECTED]}),
    ("GET", "/api/v1/demo/requirements", None),
]


def test_every_shared_route_is_covered() -> None:
    assert {(method, path) for method, path, _ in REQUESTS} == SHARED_ROUTES


def _rows(engine: Engine) -> dict[str, int]:
    with Session(engine) as session:
        return {
            table.name: int(session.scalar(select(func.count()).select_from(table)) or 0)
            for table in SQLModel.metadata.sorted_tables
        }


def _mirrors_done(client: TestClient, expected: int) -> None:
    pattern = r'reqgate_shadow_comparisons_total{result="([a-z]+)",route="[^"]+"} ([\d.]+)'
    results: Counter[str] = Counter()
    for _ in range(500):
        results = Counter()
        for result, count in re.findall(pattern, client.get("/metrics").text):
            results[result] += int(float(count))
        if results.total() >= expected:
            break
        time.sleep(0.02)
    assert results.total() == expected, results
    assert not results.get("dropped") and not results.get("skipped"), results


@pytest.fixture
def make_client(make_settings: SettingsFactory, db_engine: Engine, tmp_path: Path) -> Any:
    spec = tmp_path / "requirements.md"
    spec.write_text(SMALL_TABLE, encoding="utf-8")

    def factory(shadow_percent: int, v2_url: str | None = None) -> TestClient:
        settings = make_settings(
            database_url=db_engine.url.render_as_string(hide_password=False),
            admin_token=ADMIN_TOKEN,
            requirements_md_path=spec,
            shadow_percent=shadow_percent,
            shadow_noise_percent=100,
            v2_upstream_url=v2_url,
        )
        v2 = None if v2_url else app_v2.main.create_app(settings)
        return TestClient(gateway.app.create_app(settings, v2=v2))

    return factory


@pytest.fixture
def remote_v2(make_settings: SettingsFactory, db_engine: Engine) -> Iterator[str]:
    """v2 in another server (a thread here), on the same database: it learns of a dry run
    from the gateway's signed header alone."""
    settings = make_settings(
        database_url=db_engine.url.render_as_string(hide_password=False), admin_token=ADMIN_TOKEN
    )
    with serving(app_v2.main.create_app(settings)) as url:
        yield url


@pytest.mark.parametrize("primary", ["v1", "v2", "remote v2"])
def test_mirrors_change_no_row_count(
    make_client: Any, db_engine: Engine, primary: str, request: pytest.FixtureRequest
) -> None:
    v2_url = request.getfixturevalue("remote_v2") if primary == "remote v2" else None
    headers = {**ADMIN, "X-Variant-Override": primary.removeprefix("remote ")}
    deltas: dict[int, list[dict[str, int]]] = {}
    for shadow_percent in (0, 100):
        with make_client(shadow_percent, v2_url) as client:
            deltas[shadow_percent] = []
            for number, (method, path, body) in enumerate(REQUESTS):
                before = _rows(db_engine)
                response = client.request(method, path, json=body, headers=headers)
                assert response.status_code == 200, (path, response.text)
                assert response.headers["X-Variant"] == headers["X-Variant-Override"]
                if shadow_percent:
                    _mirrors_done(client, number + 1)
                after = _rows(db_engine)
                deltas[shadow_percent].append({t: after[t] - before[t] for t in after})
    for (_, path, _), alone, mirrored in zip(REQUESTS, deltas[0], deltas[100], strict=True):
        assert mirrored == alone, path
    assert any(any(delta.values()) for delta in deltas[0])  # the routes do write
