"""core.vectors' public surface is deliberate: app_v2, the gateway and the purge use these."""

import core.vectors


def test_core_vectors_exports() -> None:
    assert sorted(core.vectors.__all__) == [
        "Embedder",
        "Hit",
        "IngestReport",
        "ProviderChoice",
        "ReadFile",
        "Upload",
        "VectorStore",
        "choose_provider",
        "close_clients",
        "ingest",
        "provider_status",
        "read_files",
        "reassemble",
    ]
