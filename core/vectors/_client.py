"""One qdrant-client per Qdrant: a server at QDRANT_URL, else embedded local mode.

Embedded mode keeps a file lock on QDRANT_PATH for the client's lifetime, and a second
client on the same path in the process would fail; so clients are cached per path (the
gateway builds v2 more than once: for serving and for its OpenAPI document) and closed by
`close_clients` at shutdown. `:memory:` clients are never shared: each store gets its own.

qdrant-client's local mode implements what core.vectors uses (named dense and sparse
vectors, the IDF modifier, query_points with prefetch and RRF fusion, payload filters), so
both modes run the same calls; local mode is not thread-safe, hence `lock`.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from qdrant_client import QdrantClient
from qdrant_client.http.exceptions import ResponseHandlingException, UnexpectedResponse

from core.exceptions import Unavailable
from core.settings import Settings

MEMORY = ":memory:"
_clients: dict[str, Connection] = {}
_guard = threading.Lock()


@dataclass
class Connection:
    client: QdrantClient
    embedded: bool
    port: int | None
    lock: AbstractContextManager[object] = field(default_factory=nullcontext)
    closed: bool = False


def connect(settings: Settings) -> Connection:
    """The client for these settings (shared per path in embedded mode)."""
    if settings.qdrant_url:
        # No version probe at construction: it runs in a thread of its own whose failure
        # (server down) goes unhandled; an unreachable server is a 503 of the request instead.
        client = QdrantClient(
            url=settings.qdrant_url, api_key=settings.qdrant_api_key, check_compatibility=False
        )
        return Connection(client, embedded=False, port=_port(settings.qdrant_url))
    path = str(settings.qdrant_path)
    if path == MEMORY:
        return Connection(QdrantClient(location=MEMORY), True, None, threading.RLock())
    key = str(settings.qdrant_path.resolve())
    with _guard:
        if key not in _clients:
            try:
                settings.qdrant_path.mkdir(parents=True, exist_ok=True)
                client = QdrantClient(path=key)
            except (OSError, RuntimeError) as exc:  # RuntimeError: locked by another process
                raise Unavailable(f"embedded Qdrant at {path} cannot be opened") from exc
            _clients[key] = Connection(client, True, None, threading.RLock())
        return _clients[key]


@contextmanager
def calls(connection: Connection) -> Iterator[QdrantClient]:
    """The client under the connection's lock, Qdrant errors as Unavailable (503): the one
    place they are translated, for the store and the migration tool alike."""
    try:
        with connection.lock:  # re-entrant: a call may ensure the collection inside
            yield connection.client
    except (ResponseHandlingException, UnexpectedResponse) as exc:
        raise Unavailable("the vector store is unavailable", retry_after_s=5) from exc


def close_clients() -> None:
    """Close every cached embedded client, releasing its path's lock (at shutdown)."""
    with _guard:
        for connection in _clients.values():
            connection.client.close()
            connection.closed = True
        _clients.clear()


def _port(url: str) -> int:
    parts = urlsplit(url)
    return parts.port or (443 if parts.scheme == "https" else 6333)
