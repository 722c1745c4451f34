"""The real local models, where the [semantic] extra is installed (`make bench-retrieval`
installs it; `make test` does not, so these skip there): German and English sentences
that say the same thing are closer than unrelated ones, with nothing downloaded."""

from __future__ import annotations

import pytest

from core.settings import LOCAL_MODELS
from core.vectors import choose_provider
from core.vectors._embeddings import LocalEmbedder
from tests.conftest import SettingsFactory

# (query, a passage that answers it, an unrelated passage of the same kind of document)
TRIPLES = [
    (
        "Wer darf Einstellungen des Systems ändern?",
        "Nur Administratoren dürfen die Konfiguration bearbeiten.",
        "Tickets werden nach ihrer Priorität sortiert angezeigt.",
    ),
    (
        "How often are measurements recorded?",
        "The logger shall store a reading of the infusion rate every second.",
        "Passwords shall be at least 14 characters long.",
    ),
    (
        "Wie lange werden geschlossene Vorgänge aufbewahrt?",
        "Abgeschlossene Tickets werden nach 24 Monaten gelöscht.",
        "Die Weboberfläche muss per Tastatur bedienbar sein.",
    ),
]


@pytest.mark.slow
@pytest.mark.parametrize("model", sorted(LOCAL_MODELS))
def test_installed_local_model_puts_paraphrases_closer(
    make_settings: SettingsFactory, model: str
) -> None:
    for module in LOCAL_MODELS[model]:
        pytest.importorskip(module, reason=f"{model} needs the [semantic] extra")
    settings = make_settings(embeddings_provider="local", embeddings_local_model=model)
    embedder = choose_provider(settings).embedder
    assert isinstance(embedder, LocalEmbedder) and embedder.dim == 384
    for query, answer, other in TRIPLES:
        [q] = embedder.embed_query([query])
        near, far = embedder.embed([answer, other])
        assert _dot(q, near) > _dot(q, far), (model, query)


def _dot(a: list[float], b: list[float]) -> float:
    return sum(x * y for x, y in zip(a, b, strict=True))
