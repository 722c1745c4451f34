"""Issue 15, acceptance 1 on the real variants: identical configurations match and the
noise probes mark the volatile fields; a v2 configured to differ mismatches at the right
paths. (The changed V2_OPENAI_MODEL against dev/fake_llm.py: tests/integration.)"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

import app_v2.main
import gateway.app
from gateway.json_diff import VOLATILE_KEYS
from tests.conftest import SettingsFactory
from tests.contract.batch_cases import SMALL_TABLE
from tests.gateway.conftest import ADMIN, ADMIN_TOKEN

TEXTS = [
    "The system should be fast and user-friendly.",
    "Das System muss innerhalb von 2 Sekunden antworten.",
    "The operator may export reports as appropriate.",
    "Die Anwendung sollte einfach zu bedienen sein.",
]


def shadow_report(client: TestClient, compared: int) -> dict[str, Any]:
    """The admin report once `compared` mirrors are in it (they run after the answers)."""
    report: dict[str, Any] = {}
    for _ in range(500):
        report = client.get("/api/runtime-config/shadow", headers=ADMIN).json()
        if report["compared"] >= compared:
            return report
        time.sleep(0.02)
    raise AssertionError(f"{report.get('compared')} of {compared} mirrors compared")


def _send_traffic(client: TestClient) -> int:
    for text in TEXTS:
        assert client.post("/api/v1/evaluations", json={"requirementText": text}).is_success
    assert client.post("/api/v1/validate/batch/stream", json=TEXTS).is_success
    assert client.post("/api/v1/batch/rewrite", json={}).is_success
    body = {"originalText": TEXTS[0], "text": "The system shall answer within 2 s."}
    assert client.post("/api/v1/corrections/text", json=body).is_success
    return len(TEXTS) + 3


@pytest.fixture
def settings_for_shadow(make_settings: SettingsFactory, tmp_path: Path) -> Any:
    spec = tmp_path / "requirements.md"
    spec.write_text(SMALL_TABLE, encoding="utf-8")
    return make_settings(
        admin_token=ADMIN_TOKEN,
        requirements_md_path=spec,
        shadow_percent=100,
        shadow_noise_percent=100,
    )


def test_identical_variants_match_and_the_noise_is_the_volatile_fields(
    settings_for_shadow: Any,
) -> None:
    with TestClient(gateway.app.create_app(settings_for_shadow)) as client:
        report = shadow_report(client, _send_traffic(client))
    assert report["mismatchRate"] == 0.0
    routes = report["routes"]
    assert all(entry["mismatched"] == entry["errors"] == 0 for entry in routes.values())
    assert routes["/api/v1/evaluations"]["verdictAgreement"] == 1.0
    noise = {p["path"] for entry in routes.values() for p in entry["noisePaths"]}
    # ids the routes make anew on every call, and timings: nothing else differs between runs
    assert {"$.evaluationId", "$[].durationMs"} <= noise
    assert all(path.rsplit(".", 1)[-1] in VOLATILE_KEYS for path in noise), noise


def test_a_changed_v2_mismatches_at_the_paths_it_changes(settings_for_shadow: Any) -> None:
    """An injected change: v2 with a stricter CRITERION_PASS_THRESHOLD passes fewer
    criteria at the same scores, so `passed` flags (and nothing else) differ."""
    strict = settings_for_shadow.model_copy(update={"criterion_pass_threshold": 0.95})
    app = gateway.app.create_app(settings_for_shadow, v2=app_v2.main.create_app(strict))
    with TestClient(app) as client:
        for text in TEXTS:
            client.post("/api/v1/evaluations", json={"requirementText": text})
        report = shadow_report(client, len(TEXTS))
    entry = report["routes"]["/api/v1/evaluations"]
    assert entry["mismatched"] >= 1 and report["mismatchRate"] > 0
    assert entry["verdictAgreement"] == 1.0 and entry["scoreDelta"]["p95"] == 0.0
    paths = {(p["path"], p["v1Type"], p["v2Type"]) for p in entry["topMismatchPaths"]}
    assert paths == {("$.details[].passed", "boolean", "boolean")}


def test_a_mismatch_logs_its_paths_and_no_text(
    settings_for_shadow: Any, caplog: pytest.LogCaptureFixture
) -> None:
    strict = settings_for_shadow.model_copy(update={"criterion_pass_threshold": 0.95})
    app = gateway.app.create_app(settings_for_shadow, v2=app_v2.main.create_app(strict))
    with TestClient(app) as client:
        client.post("/api/v1/evaluations", json={"requirementText": TEXTS[3]})
        shadow_report(client, 1)
    lines = [r for r in caplog.records if r.name == "reqgate.shadow"]
    assert [(r.message, r.paths) for r in lines] == [  # type: ignore[attr-defined]
        ("shadow mismatch", ["$.details[].passed"])
    ]
    assert not any("bedienen" in str(r.__dict__) for r in lines)
