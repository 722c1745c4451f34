"""Request-scoped dependencies of the v2 routers.

All async: FastAPI runs a sync dependency in a worker thread, and each such hand-off costs
more than a whole evaluation's engine work (bench/hot_path.py). The blocking part of a
request runs in one thread call instead (app_v2.sync_work), its session opened there.

A shared route with a JSON body takes no dependency at all: it awaits
`json_request(request)` itself. FastAPI solves every node of a dependency tree on each
request, cached or not (its cache key, scopes, and the path, query, header and cookie
parameters of each): four chained ones cost an evaluation more than its whole body parsing
(docs/benchmarks.md §2, "v2 per-request plumbing"), and the one left still ~720 Python
bytecodes, a ninth of what v2 ran around the core work (§2, "v2 hot path").
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated, Any, cast

from fastapi import Depends, Request
from sqlalchemy.engine import Engine
from sqlmodel import Session
from starlette.requests import ClientDisconnect

from core.contract.bodies import check_body_size, decode_json
from core.settings import Settings
from core.vectors import VectorStore


def app_settings(request: Request) -> Settings:
    return cast(Settings, request.app.state.settings)  # app.state is untyped


def app_database(request: Request) -> Engine:
    return cast(Engine, request.app.state.db)


async def _settings(request: Request) -> Settings:
    return app_settings(request)


SettingsDep = Annotated[Settings, Depends(_settings)]


async def _database(request: Request) -> Engine:
    return app_database(request)


DatabaseDep = Annotated[Engine, Depends(_database)]


def _session(request: Request) -> Iterator[Session]:
    with Session(app_database(request), expire_on_commit=False) as session:
        yield session


# For the v2-only routes; the shared ones open their session in their one thread call.
SessionDep = Annotated[Session, Depends(_session)]


async def read_body(request: Request, *, max_bytes: int) -> bytes:
    """Read the body up to `max_bytes` (never more), as v1 limits it.

    From the ASGI messages themselves: a body nearly always comes in one, and that one is
    kept as it is, without Request.stream()'s generator and copies. A client gone first is
    a ClientDisconnect, as Starlette raises it.
    """
    declared = request.headers.get("content-length", "")
    if declared.isdigit():
        check_body_size(int(declared), max_bytes)
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await request.receive()
        if message["type"] == "http.disconnect":
            raise ClientDisconnect()
        chunk: bytes = message.get("body", b"")
        size += len(chunk)
        check_body_size(size, max_bytes)
        chunks.append(chunk)
        if not message.get("more_body", False):
            return chunks[0] if len(chunks) == 1 else b"".join(chunks)


async def _raw_body(request: Request) -> bytes:
    """The body up to MAX_BODY_BYTES."""
    return await read_body(request, max_bytes=app_settings(request).max_body_bytes)


RawBody = Annotated[bytes, Depends(_raw_body)]


@dataclass(frozen=True, slots=True)
class JsonRequest:
    """What a shared route with a JSON body works from."""

    body: Any  # decoded as core does for v1; the route's core parser checks it
    settings: Settings
    db: Engine


async def json_request(request: Request) -> JsonRequest:
    """The body up to MAX_BODY_BYTES, decoded as core does for v1, with the app's settings
    and database."""
    settings = app_settings(request)
    body = await read_body(request, max_bytes=settings.max_body_bytes)
    content_type = request.headers.get("content-type")
    value = decode_json(body, content_type, max_bytes=settings.max_body_bytes)
    return JsonRequest(value, settings, app_database(request))


async def _json_body(request: Request) -> Any:
    return (await json_request(request)).body


JsonBody = Annotated[Any, Depends(_json_body)]


async def _vectors(request: Request) -> VectorStore:
    return cast(VectorStore, request.app.state.vectors)


VectorsDep = Annotated[VectorStore, Depends(_vectors)]
