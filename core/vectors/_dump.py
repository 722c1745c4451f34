"""The export format of the migration tool: a directory of points.jsonl and manifest.json.

points.jsonl holds one point per line: its id, payload and every named vector (dense as a
list of floats, sparse as indices and values). manifest.json holds the collection's vector
layout and metadata, the number of points and a checksum of their ids and payloads; it is
written last, so a directory without one is an unfinished export. The checksum is the sum
of one SHA-256 per point (mod 2^256), so it does not depend on the order points come in.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any, Final, Literal, cast

from pydantic import BaseModel, ConfigDict, ValidationError
from pydantic.alias_generators import to_camel
from qdrant_client import QdrantClient, models

from core.exceptions import InvalidRequest

FORMAT: Final = "reqgate-qdrant-export/1"
MANIFEST, POINTS = "manifest.json", "points.jsonl"
PointId = int | str


class Dense(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    size: int
    distance: str


class Sparse(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    modifier: str | None = None


class Layout(BaseModel):
    """A collection's named vectors: what it must be created with to hold the points."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    dense: dict[str, Dense]
    sparse: dict[str, Sparse]

    def describe(self) -> str:
        dense = [f"dense {name} {p.size} {p.distance}" for name, p in self.dense.items()]
        sparse = [
            f"sparse {name} ({p.modifier or 'no modifier'})" for name, p in self.sparse.items()
        ]
        return ", ".join(dense + sparse) or "no vectors"


class Manifest(BaseModel):
    model_config = ConfigDict(extra="forbid", alias_generator=to_camel, populate_by_name=True)
    format: Literal["reqgate-qdrant-export/1"] = FORMAT
    collection: str
    exported_at: datetime
    mode: Literal["embedded", "server"]
    count: int
    checksum: str
    layout: Layout
    metadata: dict[str, Any]


class SparseValues(BaseModel):
    model_config = ConfigDict(extra="forbid")
    indices: list[int]
    values: list[float]


class PointLine(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: PointId
    payload: dict[str, Any]
    vectors: dict[str, list[float] | SparseValues]

    def point(self) -> models.PointStruct:
        vectors: dict[str, Any] = {
            name: models.SparseVector(indices=v.indices, values=v.values)
            if isinstance(v, SparseValues)
            else v
            for name, v in self.vectors.items()
        }
        return models.PointStruct(id=self.id, vector=vectors, payload=self.payload)


class Checksum:
    """Order-independent checksum of points' ids and payloads."""

    def __init__(self) -> None:
        self._sum = 0

    def add(self, point_id: models.ExtendedPointId, payload: dict[str, Any]) -> None:
        canonical = json.dumps(
            [key(point_id), payload], sort_keys=True, ensure_ascii=False, separators=(",", ":")
        )
        digest = hashlib.sha256(canonical.encode("utf-8")).digest()
        self._sum = (self._sum + int.from_bytes(digest, "big")) % (1 << 256)

    def hexdigest(self) -> str:
        return f"{self._sum:064x}"


def key(point_id: models.ExtendedPointId) -> PointId:
    """An id as it is written: ints stay ints, UUIDs as Qdrant spells them."""
    return point_id if isinstance(point_id, int) else str(point_id)


def layout_of(info: models.CollectionInfo, name: str) -> Layout:
    vectors = info.config.params.vectors
    if vectors is not None and not isinstance(vectors, dict):
        raise InvalidRequest(f"collection {name} has an unnamed vector: not a reqgate collection")
    return Layout(
        dense={
            n: Dense(size=p.size, distance=p.distance.value) for n, p in (vectors or {}).items()
        },
        sparse={
            n: Sparse(modifier=p.modifier.value if p.modifier else None)
            for n, p in (info.config.params.sparse_vectors or {}).items()
        },
    )


def create_collection(
    client: QdrantClient, name: str, layout: Layout, metadata: dict[str, Any]
) -> None:
    """Create `name` with the layout (Qdrant's defaults for everything else)."""
    client.create_collection(
        name,
        vectors_config={
            n: models.VectorParams(size=p.size, distance=models.Distance(p.distance))
            for n, p in layout.dense.items()
        },
        sparse_vectors_config={
            n: models.SparseVectorParams(
                modifier=None if p.modifier is None else models.Modifier(p.modifier)
            )
            for n, p in layout.sparse.items()
        },
        metadata=metadata,
    )


def point_line(record: models.Record) -> PointLine:
    """The point as a line; multi-vectors and unnamed vectors are no reqgate layout."""
    if record.vector is not None and not isinstance(record.vector, dict):
        raise InvalidRequest(f"point {record.id} has an unnamed vector: not a reqgate collection")
    vectors: dict[str, list[float] | SparseValues] = {}
    for name, vector in (record.vector or {}).items():
        if isinstance(vector, models.SparseVector):
            vectors[name] = SparseValues(indices=vector.indices, values=vector.values)
        elif all(isinstance(value, float) for value in vector):
            vectors[name] = cast(list[float], vector)
        else:
            raise InvalidRequest(f"point {record.id}: vector {name} is a multi-vector")
    return PointLine(id=key(record.id), payload=dict(record.payload or {}), vectors=vectors)


def read_manifest(directory: Path) -> Manifest:
    if not directory.is_dir():
        raise InvalidRequest(f"{directory}: no such directory")
    path = directory / MANIFEST
    if not path.is_file():
        raise InvalidRequest(f"{directory}: no {MANIFEST}: not an export, or an unfinished one")
    try:
        return Manifest.model_validate_json(path.read_bytes())
    except ValidationError as exc:
        raise InvalidRequest(f"{path}: not a {FORMAT} manifest ({_first(exc)})") from exc


def read_points(directory: Path, layout: Layout, *, batch: int) -> Iterator[list[PointLine]]:
    """The export's points in batches, each line checked against the layout."""
    path = directory / POINTS
    try:
        with path.open("rb") as file:
            lines: list[PointLine] = []
            for number, raw in enumerate(file, 1):
                lines.append(_parsed(raw, layout, f"{path} line {number}"))
                if len(lines) == batch:
                    yield lines
                    lines = []
            if lines:
                yield lines
    except OSError as exc:
        raise InvalidRequest(f"{path}: cannot be read ({type(exc).__name__})") from exc


def _parsed(raw: bytes, layout: Layout, where: str) -> PointLine:
    try:
        line = PointLine.model_validate_json(raw)
    except ValidationError as exc:
        raise InvalidRequest(f"{where}: not a point ({_first(exc)})") from exc
    for name, vector in line.vectors.items():
        if isinstance(vector, SparseValues):
            if name not in layout.sparse or len(vector.indices) != len(vector.values):
                raise InvalidRequest(f"{where}: sparse vector {name} does not fit the layout")
        elif name not in layout.dense or len(vector) != layout.dense[name].size:
            raise InvalidRequest(f"{where}: dense vector {name} does not fit the layout")
    return line


def _first(exc: ValidationError) -> str:
    """The first problem, by place and kind only: never the input (it may be chunk text)."""
    error = exc.errors(include_input=False)[0]
    return f"{'.'.join(str(part) for part in error['loc']) or 'document'}: {error['msg']}"
