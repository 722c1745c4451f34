"""core.vectors' public surface is deliberate: app_v2, the gateway and the purge use these."""

import core.vectors


def test_core_vectors_exports() -> None:
    assert sorted(core.vectors.__all__) == [
        "Degraded",
        "Embedder",
        "Found",
        "Hit",
        "IngestReport",
        "Prepared",
        "Progress",
        "ProviderChoice",
        "ReadFile",
        "Upload",
        "VectorStore",
        "choose_provider",
        "close_clients",
        "ingest",
        "ingest_events",
        "ingest_summary",
        "prepare_files",
        "provider_status",
        "read_files",
        "reassemble",
        "write_files",
    ]
