"""Per-variant engine settings (issue 15): v2 runs with V2_ENGINE, V2_OPENAI_MODEL and
V2_LLM_PROMPTS_DIR where set, v1 with the shared settings, both behind the one gateway, and
/api/runtime-config shows each side."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import respx
from starlette.testclient import TestClient

import gateway.app
from core.engines import heuristic
from tests.conftest import SettingsFactory
from tests.gateway.conftest import ADMIN, ADMIN_TOKEN
from tests.utils.llm import answer, completion, reset_llm, respx_llm

BASE_URL = "http://llm.test/v1"
EVALUATE = "/api/v1/evaluations"
BODY = {
    "requirementText": "Das Zebra-Kontrollmodul sollte schnell sein.",
    "criteriaKeys": ["clarity", "testability"],
}


@pytest.fixture
def mock_llm(monkeypatch: pytest.MonkeyPatch) -> Iterator[respx.Router]:
    """The LLM endpoint faked for both variants, with a cold cache around the test."""
    reset_llm()
    with respx_llm(monkeypatch, BASE_URL) as router:
        yield router
    reset_llm()


def _llm_gateway(make_settings: SettingsFactory, **overrides: object) -> TestClient:
    settings = make_settings(
        mock_mode=False,
        openai_base_url=BASE_URL,
        openai_model="model-a",
        llm_max_retries=0,
        admin_token=ADMIN_TOKEN,
        **overrides,
    )
    return TestClient(gateway.app.create_app(settings))


def _evaluate(client: TestClient, variant: str) -> dict[str, object]:
    response = client.post(EVALUATE, json=BODY, headers={"X-Variant-Override": variant, **ADMIN})
    assert response.status_code == 200 and response.headers["X-Variant"] == variant
    return response.json()  # type: ignore[no-any-return]


def _answer(_request: httpx.Request) -> httpx.Response:
    return completion(answer())


def test_evaluate_v2_asks_v2_openai_model_v1_openai_model(
    make_settings: SettingsFactory, mock_llm: respx.Router
) -> None:
    route = mock_llm.post("/chat/completions").mock(side_effect=_answer)
    client = _llm_gateway(make_settings, v2_openai_model="model-b")
    bodies = [_evaluate(client, variant) for variant in ("v1", "v2", "v1", "v2")]
    assert [(b["engine"], b["model"]) for b in bodies] == [
        ("llm", "model-a"),
        ("llm", "model-b"),
    ] * 2
    # one call per model: the second round is answered from each model's own cache entry
    sent = [json.loads(call.request.content)["model"] for call in route.calls]
    assert sent == ["model-a", "model-b"]


def test_evaluate_v2_engine_heuristic_leaves_v1_on_llm(
    make_settings: SettingsFactory, mock_llm: respx.Router
) -> None:
    route = mock_llm.post("/chat/completions").mock(side_effect=_answer)
    client = _llm_gateway(make_settings, v2_engine="heuristic")
    v2, v1 = _evaluate(client, "v2"), _evaluate(client, "v1")
    assert (v2["engine"], v2["model"], "fallbackReason" in v2) == (
        "heuristic",
        heuristic.MODEL_NAME,
        False,
    )
    assert (v1["engine"], v1["model"]) == ("llm", "model-a")
    assert route.call_count == 1


def test_runtime_config_shows_engine_of_each_variant(
    make_settings: SettingsFactory, tmp_path: Path
) -> None:
    settings = make_settings(
        mock_mode=True,
        openai_base_url=BASE_URL,
        v2_engine="llm",
        v2_openai_model="model-b",
        v2_llm_prompts_dir=tmp_path,
    )
    shown = TestClient(gateway.app.create_app(settings)).get("/api/runtime-config").json()
    v1, v2 = shown["variants"]["v1"], shown["variants"]["v2"]
    assert (v1["engine"], v1["reason"], v1["model"]) == (
        "heuristic",
        "heuristic: MOCK_MODE=true",
        heuristic.MODEL_NAME,
    )
    assert (v2["engine"], v2["reason"], v2["model"]) == (
        "llm",
        "llm: V2_ENGINE=llm and OPENAI_BASE_URL set",
        "model-b",
    )
    assert v2["promptVersion"].startswith("v1-")  # no VERSION file there: the built-in label
    assert {key: shown["engine"][key] for key in v1} == v1  # `engine` stays v1's, as before
    assert (shown["settings"]["v2Engine"], shown["settings"]["v2OpenaiModel"]) == (
        "llm",
        "model-b",
    )
    assert shown["settings"]["v2LlmPromptsDir"] == str(tmp_path)
