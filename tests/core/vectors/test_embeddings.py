"""Providers: none and auto are sparse only; openai is batched, retried, sized and behind
the LLM server's circuit breaker."""

from __future__ import annotations

import time

import httpx2
import pytest

from core.exceptions import ConfigError, Unavailable
from core.settings import Settings
from core.vectors import Embedder, choose_provider
from core.vectors._embeddings import BATCH, check_circuit
from tests.conftest import SettingsFactory
from tests.utils.embeddings import (
    BASE_URL,
    DIM,
    embeddings_answer,
    fake_embeddings,
    openai_settings,
)
from tests.utils.local_models import hide_semantic_extra


@pytest.mark.parametrize(("provider", "reason"), [("none", "sparse only"), ("auto", "auto: no")])
def test_choose_provider_sparse_only_without_dense_provider(
    make_settings: SettingsFactory, monkeypatch: pytest.MonkeyPatch, provider: str, reason: str
) -> None:
    hide_semantic_extra(monkeypatch)
    choice = choose_provider(make_settings(embeddings_provider=provider))
    assert choice.embedder is None and choice.name == "none" and reason in choice.reason


def test_choose_provider_openai_needs_a_known_size(make_settings: SettingsFactory) -> None:
    with pytest.raises(ConfigError, match="EMBEDDINGS_DIM"):
        choose_provider(make_settings(embeddings_provider="openai", embeddings_model="mine"))
    choice = choose_provider(make_settings(embeddings_provider="openai"))
    assert choice.embedder is not None and choice.embedder.dim == 1536


def test_openai_embedder_batches_in_order(
    make_settings: SettingsFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen = fake_embeddings(monkeypatch, embeddings_answer)
    settings = make_settings(
        embeddings_provider="openai", openai_base_url=BASE_URL, embeddings_dim=DIM
    )
    embedder = choose_provider(settings).embedder
    assert embedder is not None
    vectors = embedder.embed([f"text {i}" for i in range(BATCH + 1)])
    assert len(vectors) == BATCH + 1 and all(len(v) == DIM for v in vectors)
    assert [request.url.path for request in seen] == ["/v1/embeddings"] * 2


def test_openai_embedder_retries_then_answers_503(
    make_settings: SettingsFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen = fake_embeddings(monkeypatch, lambda _request: httpx2.Response(500))
    settings = make_settings(
        embeddings_provider="openai",
        openai_base_url=BASE_URL,
        embeddings_dim=DIM,
        llm_max_retries=1,
    )
    embedder = choose_provider(settings).embedder
    assert embedder is not None
    with pytest.raises(Unavailable):
        embedder.embed(["text"])
    assert len(seen) == 2  # the first call and LLM_MAX_RETRIES=1 retry


FAILURES = 3
RESET_S = 0.3


@pytest.fixture
def breaker_settings(make_settings: SettingsFactory) -> Settings:
    return openai_settings(
        make_settings, llm_breaker_failures=FAILURES, llm_breaker_reset_s=RESET_S
    )


def _embedder(settings: Settings) -> Embedder:
    embedder = choose_provider(settings).embedder
    assert embedder is not None
    return embedder


def _failures(embedder: Embedder, count: int) -> list[Unavailable]:
    failures = []
    for i in range(count):
        with pytest.raises(Unavailable) as failed:
            embedder.embed([f"text {i}"])
        failures.append(failed.value)
    return failures


def test_openai_embedder_circuit_opens_then_fails_fast_503(
    breaker_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen = fake_embeddings(monkeypatch, lambda _request: httpx2.Response(503))
    embedder = _embedder(breaker_settings)
    failures = _failures(embedder, FAILURES + 2)
    assert len(seen) == FAILURES  # open: the last two calls never reached the server
    assert all("circuit open" not in f.message for f in failures[:FAILURES])
    for skipped in failures[FAILURES:]:
        assert "circuit open" in skipped.message
        assert skipped.headers == {"Retry-After": "1"}  # RESET_S left, rounded up
    with pytest.raises(Unavailable, match="circuit open"):
        check_circuit(breaker_settings)  # what an ingest asks before it starts


def test_openai_embedder_circuit_closes_after_a_successful_trial(
    breaker_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    answers = iter([httpx2.Response(502)] * FAILURES)
    seen = fake_embeddings(monkeypatch, lambda request: next(answers, embeddings_answer(request)))
    embedder = _embedder(breaker_settings)
    _failures(embedder, FAILURES + 1)
    assert len(seen) == FAILURES
    time.sleep(RESET_S + 0.2)  # waits out the reset timeout; asserts no duration
    check_circuit(breaker_settings)  # half-open: an ingest may start
    assert len(embedder.embed(["trial"])) == 1  # the trial call closes the circuit
    assert len(embedder.embed(["after"])) == 1
    assert len(seen) == FAILURES + 2


def test_openai_embedder_failed_trial_opens_circuit_again(
    breaker_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen = fake_embeddings(monkeypatch, lambda _request: httpx2.Response(500))
    embedder = _embedder(breaker_settings)
    _failures(embedder, FAILURES)
    time.sleep(RESET_S + 0.2)
    trial, skipped = _failures(embedder, 2)
    assert "circuit open" not in trial.message and "circuit open" in skipped.message
    assert len(seen) == FAILURES + 1


def test_openai_embedder_client_errors_leave_circuit_closed(
    breaker_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen = fake_embeddings(monkeypatch, lambda _request: httpx2.Response(400))
    failures = _failures(_embedder(breaker_settings), FAILURES + 2)
    assert len(seen) == FAILURES + 2  # a live server refusing a request is no outage
    assert not any("circuit open" in f.message for f in failures)
