"""The knowledge base (issue 13): ingest documents into Qdrant and search them.

No web framework here: app_v2's routers are the HTTP adapters.
"""

from core.vectors._client import close_clients
from core.vectors._embeddings import Embedder, ProviderChoice, choose_provider, provider_status
from core.vectors.ingest import (
    IngestReport,
    Prepared,
    Progress,
    ReadFile,
    Upload,
    ingest,
    prepare_files,
    read_files,
    write_files,
)
from core.vectors.store import Degraded, Found, Hit, VectorStore, reassemble
from core.vectors.stream import ingest_events, ingest_summary

__all__ = [
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
