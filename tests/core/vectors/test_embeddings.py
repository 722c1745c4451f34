"""Providers: none and auto are sparse only; openai is batched, retried and sized."""

from __future__ import annotations

import httpx2
import pytest

from core.exceptions import ConfigError, Unavailable
from core.vectors import choose_provider
from core.vectors._embeddings import BATCH
from tests.conftest import SettingsFactory
from tests.utils.embeddings import BASE_URL, DIM, embeddings_answer, fake_embeddings
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
