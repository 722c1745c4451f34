"""Issue 15, acceptance 1: a canary that changes V2_OPENAI_MODEL, against dev/fake_llm.py,
shows in the shadow report as a mismatch at `model` (the fake answers alike for every
model, so nothing else differs), and the same model on both sides matches."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

import gateway.app
from core.settings import Settings
from tests.gateway.conftest import ADMIN_TOKEN
from tests.gateway.test_shadow_compare import TEXTS, shadow_report

pytestmark = pytest.mark.usefixtures("fake_llm")


def _report(settings: Settings, **v2: object) -> dict[str, object]:
    shadowed = settings.model_copy(
        update={"admin_token": ADMIN_TOKEN, "shadow_percent": 100, "openai_model": "m-a", **v2}
    )
    with TestClient(gateway.app.create_app(shadowed)) as client:
        for text in TEXTS:
            response = client.post("/api/v1/evaluations", json={"requirementText": text})
            assert response.json()["engine"] == "llm"
        report = shadow_report(client, len(TEXTS))
    return report["routes"]["/api/v1/evaluations"]  # type: ignore[no-any-return]


def test_same_model_matches(llm_settings: Settings) -> None:
    entry = _report(llm_settings)
    assert entry["compared"] == entry["matched"] == len(TEXTS)


def test_changed_v2_model_mismatches_at_model(llm_settings: Settings) -> None:
    entry = _report(llm_settings, v2_openai_model="m-b")
    assert entry["mismatched"] == len(TEXTS) and entry["verdictAgreement"] == 1.0
    assert entry["topMismatchPaths"] == [
        {"path": "$.model", "v1Type": "string", "v2Type": "string", "count": len(TEXTS)}
    ]
