"""The knowledge base (issue 13): ingest documents into Qdrant and search them.

No web framework here: app_v2's routers are the HTTP adapters.
"""

from core.vectors._client import close_clients
from core.vectors._embeddings import Embedder, ProviderChoice, choose_provider, provider_status
from core.vectors.ingest import IngestReport, ReadFile, Upload, ingest, read_files
from core.vectors.store import Hit, VectorStore, reassemble

__all__ = [
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
