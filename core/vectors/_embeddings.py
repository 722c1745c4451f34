"""Dense embedding providers behind one small interface, and which one is in use and why.

Providers (EMBEDDINGS_PROVIDER): `none` gives no dense vector (search is sparse only);
`openai` calls the embeddings API of any OpenAI-compatible server at OPENAI_BASE_URL;
`auto` resolves to the best provider installed. A `local` provider (a sentence-embedding
model installed as the `[semantic]` extra) plugs in by implementing `Embedder` and being
returned from `_local_embedder` when its package imports; until then auto resolves to none
and `local` is refused at start-up (core.settings).

Example of a provider::

    class Fixed:
        name, model, dim = "fixed", "fixed-1", 2
        def embed(self, texts: Sequence[str]) -> list[list[float]]:
            return [[1.0, 0.0] for _ in texts]
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import openai
import pybreaker
from openai.types import CreateEmbeddingResponse

from core.engines.llm_client import LlmFailure, ServerBreaker, sdk_failure, server_breaker
from core.exceptions import ConfigError, Unavailable
from core.settings import Settings

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
    if wanted == "openai":
        dim = settings.embeddings_dim or KNOWN_DIMS.get(settings.embeddings_model)
        if dim is None:
            raise ConfigError(f"EMBEDDINGS_DIM: set the size of {settings.embeddings_model}")
        return ProviderChoice(OpenAIEmbedder(settings, dim), "openai", "EMBEDDINGS_PROVIDER=openai")
    if wanted == "auto":
        local = _local_embedder(settings)
        if local is not None:
            return ProviderChoice(local, local.name, "auto: a local provider is installed")
        return ProviderChoice(None, "none", "auto: no local provider installed, sparse only")
    return ProviderChoice(None, "none", "EMBEDDINGS_PROVIDER=none: sparse only")


def _local_embedder(settings: Settings) -> Embedder | None:
    """The seam for the `[semantic]` extra's provider: None while no such extra exists."""
    del settings
    return None


def provider_status(settings: Settings) -> dict[str, str]:
    """The provider in use and why, for /api/runtime-config (as /api/v1/vector/health)."""
    choice = choose_provider(settings)
    search = "sparse" if choice.embedder is None else "hybrid"
    return {"provider": choice.name, "reason": choice.reason, "search": search}
