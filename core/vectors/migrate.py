"""Moving the knowledge base: status, recreate, export, import, re-embed and switch.

The operator's tool (`reqgate qdrant`, dev/qdrant_migrate.py) runs these; they make the same
qdrant-client calls on a server (QDRANT_URL) and embedded (QDRANT_PATH), so an export made
on one imports into the other once the environment is changed in between. A destructive
step is split into a plan, which changes nothing and says what would go, and a run that
the caller has confirmed. Every write is read back and verified by count and checksum.
The export format: core.vectors._dump.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from qdrant_client import models

from core.exceptions import Conflict, InvalidRequest, NotFound
from core.settings import Settings
from core.vectors._client import MEMORY, Connection, calls
from core.vectors._dump import (
    MANIFEST,
    POINTS,
    Checksum,
    Manifest,
    create_collection,
    key,
    layout_of,
    point_line,
    read_manifest,
    read_points,
)
from core.vectors.store import SUPERSEDED_BY, VectorStore, built_for

OnBatch = Callable[[int], object]  # called with the number of points of each batch done
IDENTITY = ("provider", "model", "dim")


@dataclass(frozen=True, slots=True)
class Verification:
    """What a written collection holds, read back, against what it should hold."""

    collection: str
    count: int
    checksum: str
    expected_count: int
    expected_checksum: str

    @property
    def ok(self) -> bool:
        return (self.count, self.checksum) == (self.expected_count, self.expected_checksum)


@dataclass(frozen=True, slots=True)
class ImportPlan:
    source: Path
    manifest: Manifest
    collection: str
    points: int | None  # the target's points; None while it does not exist
    holds_export: bool  # the target holds exactly the export already

    @property
    def replaces(self) -> bool:
        """Importing deletes the target's points first (other data: needs a confirmation)."""
        return bool(self.points) and not self.holds_export


@dataclass(frozen=True, slots=True)
class ReembedPlan:
    source: str
    target: str
    points: int
    target_points: int | None  # None while the target does not exist
    wanted: dict[str, Any]  # the configured provider the target is built for

    @property
    def replaces(self) -> bool:
        return bool(self.target_points)


def store_for(settings: Settings, collection: str) -> VectorStore:
    """The store of another collection on the same Qdrant, with the configured provider."""
    return VectorStore(settings.model_copy(update={"qdrant_collection": collection}))


def status(settings: Settings) -> dict[str, Any]:
    """Every collection with its points, vectors and metadata, and what is configured."""
    store = VectorStore(settings)
    wanted = store.wanted()
    with calls(store.connection) as client:
        infos = {
            c.name: client.get_collection(c.name) for c in client.get_collections().collections
        }
        counts = {name: client.count(name, exact=True).count for name in infos}
    return {
        "mode": "embedded" if store.embedded else "server",
        "location": _location(settings, store.connection),
        "configured": {"collection": store.collection, **wanted, "reason": store.provider.reason},
        "collections": [
            {
                "name": name,
                "points": counts[name],
                "configured": name == store.collection,
                "opensWithConfiguredProvider": built_for(info, wanted) == wanted,
                "vectors": info.config.params.model_dump(
                    mode="json", include={"vectors", "sparse_vectors"}, exclude_none=True
                ),
                "metadata": info.config.metadata or {},
            }
            for name, info in sorted(infos.items())
        ],
    }


def recreate(store: VectorStore) -> int:
    """Drop the collection and create it empty for the configured provider; points dropped."""
    dropped = store.reset()
    store.ensure_collection()
    return dropped


def export(
    connection: Connection, collection: str, out: Path, *, batch: int, on_batch: OnBatch
) -> Manifest:
    """Write every point of the collection to `out`, which must be new or empty."""
    with calls(connection) as client:
        if not client.collection_exists(collection):
            raise NotFound(f"collection {collection} does not exist")
        info = client.get_collection(collection)
    layout = layout_of(info, collection)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise InvalidRequest(f"{out} exists and is not an empty directory: export into a new one")
    out.mkdir(parents=True, exist_ok=True)
    checksum, count = Checksum(), 0
    with (out / POINTS).open("w", encoding="utf-8") as file:
        for records in _pages(connection, collection, batch=batch, vectors=True):
            for record in records:
                line = point_line(record)
                file.write(line.model_dump_json() + "\n")
                checksum.add(line.id, line.payload)
            count += len(records)
            on_batch(len(records))
    manifest = Manifest(
        collection=collection,
        exported_at=datetime.now(UTC),
        mode="embedded" if connection.embedded else "server",
        count=count,
        checksum=checksum.hexdigest(),
        layout=layout,
        metadata=info.config.metadata or {},
    )
    (out / MANIFEST).write_text(manifest.model_dump_json(indent=2, by_alias=True) + "\n", "utf-8")
    return manifest


def plan_import(connection: Connection, source: Path, collection: str, *, batch: int) -> ImportPlan:
    """Read and check the whole export, then the target; nothing is written."""
    manifest = read_manifest(source)
    checksum, count = Checksum(), 0
    for lines in read_points(source, manifest.layout, batch=batch):
        for line in lines:
            checksum.add(line.id, line.payload)
        count += len(lines)
    if (count, checksum.hexdigest()) != (manifest.count, manifest.checksum):
        raise InvalidRequest(
            f"{source / POINTS} holds {count} points (checksum {checksum.hexdigest()[:12]}),"
            f" its manifest says {manifest.count} ({manifest.checksum[:12]}):"
            " the export is incomplete or was changed"
        )
    with calls(connection) as client:
        if not client.collection_exists(collection):
            return ImportPlan(source, manifest, collection, None, False)
        info = client.get_collection(collection)
    layout, metadata = layout_of(info, collection), info.config.metadata or {}
    if layout != manifest.layout or identity(metadata) != identity(manifest.metadata):
        raise Conflict(
            f"collection {collection} holds {_describe(layout.describe(), metadata)}, but the"
            f" export in {source} holds {_describe(manifest.layout.describe(), manifest.metadata)};"
            " import into another --collection"
        )
    found = verify(connection, collection, manifest.count, manifest.checksum, batch=batch)
    return ImportPlan(source, manifest, collection, found.count, found.ok)


def run_import(
    connection: Connection, plan: ImportPlan, *, batch: int, on_batch: OnBatch
) -> Verification:
    """Restore the export into the plan's collection (replacing its points if it has any)."""
    if not plan.holds_export:
        with calls(connection) as client:
            if plan.replaces:
                client.delete_collection(plan.collection)
            if plan.replaces or plan.points is None:
                create_collection(
                    client, plan.collection, plan.manifest.layout, plan.manifest.metadata
                )
        for lines in read_points(plan.source, plan.manifest.layout, batch=batch):
            with calls(connection) as client:
                client.upsert(plan.collection, points=[line.point() for line in lines], wait=True)
            on_batch(len(lines))
    expected = plan.manifest
    return verify(connection, plan.collection, expected.count, expected.checksum, batch=batch)


def plan_reembed(settings: Settings, *, source: str, target: str) -> ReembedPlan:
    if source == target:
        raise InvalidRequest(f"re-embed into a new collection: --to must not be {source}")
    store = store_for(settings, target)
    with calls(store.connection) as client:
        if not client.collection_exists(source):
            raise NotFound(f"collection {source} does not exist")
        points = client.count(source, exact=True).count
    return ReembedPlan(source, target, points, store.count(), store.wanted())


def reembed(
    settings: Settings, plan: ReembedPlan, *, batch: int, on_batch: OnBatch
) -> Verification:
    """Copy every payload of the source into the target with vectors of the configured
    provider (sparse recomputed with CHUNK_TOKENS too); the source is only read."""
    store = store_for(settings, plan.target)
    if plan.replaces:
        store.reset()
    store.ensure_collection()  # 409 when an empty target was built for another provider
    checksum, count = Checksum(), 0
    for records in _pages(store.connection, plan.source, batch=batch, vectors=False):
        payloads = [dict(record.payload or {}) for record in records]
        for record, payload in zip(records, payloads, strict=True):
            if not isinstance(payload.get("text"), str):
                raise InvalidRequest(f"point {record.id} of {plan.source} has no text to embed")
            checksum.add(record.id, payload)
        store.put([key(record.id) for record in records], payloads)
        count += len(records)
        on_batch(len(records))
    return verify(store.connection, plan.target, count, checksum.hexdigest(), batch=batch)


def switch(settings: Settings, *, source: str, target: str) -> None:
    """Mark `source` superseded by `target` in its metadata (its points stay), once `target`
    holds as many points and opens with the configured provider: a service still set to
    `source` with the new provider then gets a 409 that names `target`."""
    store = store_for(settings, target)
    with calls(store.connection) as client:
        counts = {}
        for name in (source, target):
            if not client.collection_exists(name):
                raise NotFound(f"collection {name} does not exist")
            counts[name] = client.count(name, exact=True).count
    if counts[source] != counts[target]:
        raise InvalidRequest(
            f"collection {target} holds {counts[target]} points, {source} {counts[source]}:"
            " re-embed again (with --confirm) before switching"
        )
    store.ensure_collection()  # 409 when the configured provider cannot search it
    with calls(store.connection) as client:
        # Qdrant merges this into the metadata there; sending it all back would drop the
        # keys whose value is null (model and dim of a sparse-only collection).
        client.update_collection(source, metadata={SUPERSEDED_BY: target})


def verify(
    connection: Connection, collection: str, count: int, checksum: str, *, batch: int
) -> Verification:
    """Read the collection's ids and payloads back and compare them with what they should be."""
    found, total = Checksum(), 0
    for records in _pages(connection, collection, batch=batch, vectors=False):
        for record in records:
            found.add(record.id, dict(record.payload or {}))
        total += len(records)
    return Verification(collection, total, found.hexdigest(), count, checksum)


def _pages(
    connection: Connection, collection: str, *, batch: int, vectors: bool
) -> Iterator[list[models.Record]]:
    offset: Any = None
    while True:
        with calls(connection) as client:
            records, offset = client.scroll(
                collection, limit=batch, offset=offset, with_payload=True, with_vectors=vectors
            )
        yield records
        if offset is None:
            return


def identity(metadata: dict[str, Any]) -> dict[str, Any]:
    """The provider, model and dimension in a collection's metadata (as VectorStore.wanted)."""
    return {key: metadata.get(key) for key in IDENTITY}


def _describe(layout: str, metadata: dict[str, Any]) -> str:
    if metadata.get("provider") is None:
        return layout
    return f"{layout} (provider {metadata['provider']}, model {metadata.get('model')})"


def _location(settings: Settings, connection: Connection) -> str:
    """The embedded path, or the server without credentials in its URL."""
    if settings.qdrant_url is None:
        path = settings.qdrant_path
        return str(path) if str(path) == MEMORY else str(path.resolve())
    parts = urlsplit(settings.qdrant_url)
    return f"{parts.scheme}://{parts.hostname}:{connection.port}"
