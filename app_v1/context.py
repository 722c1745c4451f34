"""Request-scoped helpers: the settings, one database session on `g`, the JSON body, the
JSON answer."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from flask import Flask, Response, current_app, g, request
from pydantic import BaseModel
from sqlalchemy.engine import Engine
from sqlmodel import Session

from core.contract.bodies import check_body_size, decode_json
from core.contract.wire import wire_json
from core.settings import Settings


def get_db() -> Session:
    """The request's session, opened on first use."""
    if "db" not in g:
        g.db = Session(current_app.extensions["reqgate_db"], expire_on_commit=False)
    return cast(Session, g.db)  # g is untyped


def current_settings() -> Settings:
    """The settings the app was built with."""
    return cast(Settings, current_app.config["SETTINGS"])  # config is untyped


def close_db(_error: BaseException | None = None) -> None:
    session = g.pop("db", None)
    if session is not None:
        session.close()


def raw_body() -> bytes:
    """The request's body, refused over MAX_BODY_BYTES before it is read."""
    check_body_size(request.content_length or 0, current_settings().max_body_bytes)
    return request.get_data(cache=False)


def json_body() -> Any:
    """The request's JSON body, checked by core exactly as v2 checks it."""
    max_bytes = current_settings().max_body_bytes
    return decode_json(raw_body(), request.content_type, max_bytes=max_bytes)


def db_engine() -> Engine:
    """The app's database engine, for work that outlives the request (streamed responses)
    and for reads that need no session (the criteria snapshot)."""
    return cast(Engine, current_app.extensions["reqgate_db"])  # extensions is untyped


def wire_response(result: BaseModel | Sequence[BaseModel]) -> Response:
    """The result as JSON, encoded once: the bytes v2 sends for it (no dict, no json.dumps)."""
    return current_app.response_class(wire_json(result), mimetype="application/json")


def init_app(app: Flask) -> None:
    app.teardown_appcontext(close_db)
