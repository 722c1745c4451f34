"""The LLM circuit breaker: a failing server is skipped for a while, then tried again; its
embeddings share the breaker (one per server)."""

from __future__ import annotations

import logging
import time

import httpx2
import pytest
import respx

from core import engines
from core.engines.base import Assessment
from core.exceptions import Unavailable
from core.settings import Settings
from core.vectors import Embedder, choose_provider
from tests.conftest import SettingsFactory
from tests.core.engines.conftest import BASE_URL
from tests.utils.embeddings import DIM, embeddings_answer, fake_embeddings
from tests.utils.llm import answer, completion, error, fallbacks, metric

TEXT = "The scheduler shall rebuild the nightly index within 30 minutes."
CRITERIA = ["clarity", "testability"]
FAILURES = 3
RESET_S = 0.3
GOOD = {
    "results": [
        {"criterion": "clarity", "score": 0.9, "feedback": "Clear.", "findings": []},
        {"criterion": "testability", "score": 0.9, "feedback": "Testable.", "findings": []},
    ]
}


@pytest.fixture
def breaker_settings(make_settings: SettingsFactory) -> Settings:
    return make_settings(
        mock_mode=False,
        openai_base_url=BASE_URL,
        openai_api_key="sk-test-breaker",
        openai_model="gpt-test",
        llm_max_retries=0,
        llm_breaker_failures=FAILURES,
        llm_breaker_reset_s=RESET_S,
    )


def assess(settings: Settings, text: str = TEXT) -> Assessment:
    return engines.assess(text, criteria=CRITERIA, language="en", settings=settings)


def test_breaker_opens_after_outage_failures_and_skips_the_server(
    mock_llm: respx.Router, breaker_settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    route = mock_llm.post("/chat/completions").mock(return_value=error(503))
    skipped_before = fallbacks("circuit_open")
    with caplog.at_level(logging.INFO, logger="reqgate.llm"):
        reasons = [assess(breaker_settings, f"{TEXT} ({i})").fallback_reason for i in range(5)]
    # the call that trips the breaker keeps its own reason; later ones never reach the server
    assert reasons == ["upstream_error"] * FAILURES + ["circuit_open"] * 2
    assert route.call_count == FAILURES
    assert fallbacks("circuit_open") - skipped_before == 2
    assert metric("reqgate_llm_circuit_open") == 1
    assert any("llm circuit opened" in r.getMessage() for r in caplog.records)


def test_breaker_closes_after_a_successful_trial_call(
    mock_llm: respx.Router, breaker_settings: Settings
) -> None:
    route = mock_llm.post("/chat/completions")
    route.side_effect = [error(503)] * FAILURES + [completion(answer(**GOOD))] * 3
    for i in range(FAILURES + 1):
        assess(breaker_settings, f"{TEXT} ({i})")
    assert route.call_count == FAILURES  # open: the last call was skipped
    time.sleep(RESET_S + 0.2)  # waits out the reset timeout; asserts no duration
    trial = assess(breaker_settings, f"{TEXT} (trial)")
    after = assess(breaker_settings, f"{TEXT} (after)")
    assert (trial.engine, trial.fallback_reason) == ("llm", None)
    assert (after.engine, after.fallback_reason) == ("llm", None)
    assert route.call_count == FAILURES + 2
    assert metric("reqgate_llm_circuit_open") == 0


def test_breaker_failed_trial_call_opens_it_again(
    mock_llm: respx.Router, breaker_settings: Settings
) -> None:
    route = mock_llm.post("/chat/completions").mock(return_value=error(502))
    for i in range(FAILURES):
        assess(breaker_settings, f"{TEXT} ({i})")
    time.sleep(RESET_S + 0.2)
    assert assess(breaker_settings, f"{TEXT} (trial)").fallback_reason == "upstream_error"
    assert assess(breaker_settings, f"{TEXT} (next)").fallback_reason == "circuit_open"
    assert route.call_count == FAILURES + 1


def test_breaker_ignores_bad_answers_from_a_live_server(
    mock_llm: respx.Router, breaker_settings: Settings
) -> None:
    route = mock_llm.post("/chat/completions").mock(return_value=completion("not json"))
    reasons = {assess(breaker_settings, f"{TEXT} ({i})").fallback_reason for i in range(5)}
    assert reasons == {"malformed_json"}
    assert route.call_count == 5


def test_breaker_disabled_with_zero_failures(
    mock_llm: respx.Router, breaker_settings: Settings
) -> None:
    settings = breaker_settings.model_copy(update={"llm_breaker_failures": 0})
    route = mock_llm.post("/chat/completions").mock(return_value=error(503))
    reasons = {assess(settings, f"{TEXT} ({i})").fallback_reason for i in range(FAILURES + 2)}
    assert reasons == {"upstream_error"}
    assert route.call_count == FAILURES + 2


def _embedder(settings: Settings) -> Embedder:
    embedder = choose_provider(
        settings.model_copy(update={"embeddings_provider": "openai", "embeddings_dim": DIM})
    ).embedder
    assert embedder is not None
    return embedder


def test_breaker_open_for_llm_makes_embeddings_fail_fast(
    mock_llm: respx.Router, breaker_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    mock_llm.post("/chat/completions").mock(return_value=error(503))
    embeddings = fake_embeddings(monkeypatch, embeddings_answer)
    for i in range(FAILURES):
        assess(breaker_settings, f"{TEXT} ({i})")
    with pytest.raises(Unavailable, match="circuit open"):
        _embedder(breaker_settings).embed(["backups"])
    assert embeddings == []  # the server's circuit is open: embeddings never call it


def test_breaker_open_for_embeddings_makes_llm_fall_back_at_once(
    mock_llm: respx.Router, breaker_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    route = mock_llm.post("/chat/completions").mock(return_value=completion(answer(**GOOD)))
    fake_embeddings(monkeypatch, lambda _request: httpx2.Response(503))
    embedder = _embedder(breaker_settings)
    for i in range(FAILURES):
        with pytest.raises(Unavailable):
            embedder.embed([f"text {i}"])
    assert assess(breaker_settings).fallback_reason == "circuit_open"
    assert route.call_count == 0
