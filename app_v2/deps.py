"""Request-scoped dependencies of the v2 routers.

All async: FastAPI runs a sync dependency in a worker thread, and each such hand-off costs
more than a whole evaluation's engine work (bench/hot_path.py). The blocking part of a
request runs in one thread call instead (app_v2.sync_work), its session opened there.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any, cast

from fastapi import Depends, Request
from sqlalchemy.engine import Engine
from sqlmodel import Session

from core.contract.bodies import check_body_size, decode_json
from core.settings import Settings
from core.vectors import VectorStore


async def _settings(request: Request) -> Settings:
    return cast(Settings, request.app.state.settings)  # app.state is untyped


SettingsDep = Annotated[Settings, Depends(_settings)]


async def _database(request: Request) -> Engine:
    return cast(Engine, request.app.state.db)


DatabaseDep = Annotated[Engine, Depends(_database)]


def _session(request: Request) -> Iterator[Session]:
    with Session(request.app.state.db, expire_on_commit=False) as session:
        yield session


# For the v2-only routes; the shared ones open their session in their one thread call.
SessionDep = Annotated[Session, Depends(_session)]


async def read_body(request: Request, *, max_bytes: int) -> bytes:
    """Read the body up to `max_bytes` (never more), as v1 limits it."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit():
        check_body_size(int(declared), max_bytes)
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        check_body_size(len(body), max_bytes)
    return bytes(body)


async def _raw_body(request: Request, settings: SettingsDep) -> bytes:
    """The body up to MAX_BODY_BYTES."""
    return await read_body(request, max_bytes=settings.max_body_bytes)


RawBody = Annotated[bytes, Depends(_raw_body)]


async def _json_body(request: Request, settings: SettingsDep, body: RawBody) -> Any:
    """Decode the body as core does for v1."""
    return decode_json(body, request.headers.get("content-type"), max_bytes=settings.max_body_bytes)


JsonBody = Annotated[Any, Depends(_json_body)]


async def _vectors(request: Request) -> VectorStore:
    return cast(VectorStore, request.app.state.vectors)


VectorsDep = Annotated[VectorStore, Depends(_vectors)]
