"""One request interface over the four ways to reach the shared routes.

The contract suite talks to the Flask test client, the FastAPI test client and the
gateway (forced to v1 or v2) through this, so every case runs the same way on each.
"""

from __future__ import annotations

import json as jsonlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask import Flask
from starlette.testclient import TestClient
from starlette.types import ASGIApp

import app_v1
import app_v2.main
import gateway.app
from core.settings import Settings
from gateway.json_diff import normalized

__all__ = [
    "TARGET_NAMES",
    "AsgiTarget",
    "FlaskTarget",
    "Reply",
    "Target",
    "build_app",
    "build_target",
    "normalized",
]

TARGET_NAMES = ("flask-v1", "fastapi-v2", "gateway-v1", "gateway-v2")


@dataclass
class Reply:
    status: int
    body: Any
    headers: Mapping[str, str]


def _encode(
    json: Any, content: bytes | None, headers: Mapping[str, str] | None
) -> tuple[bytes | None, dict[str, str]]:
    all_headers = dict(headers or {})
    if json is not None:
        all_headers.setdefault("Content-Type", "application/json")
        return jsonlib.dumps(json).encode(), all_headers
    return content, all_headers


def _decode(raw: bytes) -> Any:
    try:
        return jsonlib.loads(raw)
    except ValueError:
        return raw.decode("utf-8", "replace")


class Target:
    """One way to reach the shared routes: the request is encoded once here, and each
    subclass only says how its test client sends it."""

    name: str

    def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        content: bytes | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Reply:
        body, all_headers = _encode(json, content, headers)
        return self._send(method, path, body, all_headers)

    def _send(self, method: str, path: str, body: bytes | None, headers: dict[str, str]) -> Reply:
        raise NotImplementedError


class FlaskTarget(Target):
    def __init__(self, name: str, app: Flask) -> None:
        self.name = name
        self.client = app.test_client()

    def _send(self, method: str, path: str, body: bytes | None, headers: dict[str, str]) -> Reply:
        response = self.client.open(path, method=method, data=body, headers=headers)
        return Reply(response.status_code, _decode(response.data), response.headers)


class AsgiTarget(Target):
    def __init__(self, name: str, app: ASGIApp) -> None:
        self.name = name
        self.client = TestClient(app)

    def _send(self, method: str, path: str, body: bytes | None, headers: dict[str, str]) -> Reply:
        response = self.client.request(method, path, content=body, headers=headers)
        return Reply(response.status_code, _decode(response.content), response.headers)


def build_app(name: str, settings: Settings) -> Flask | ASGIApp:
    """The app behind one contract target: v1 (WSGI), v2, or the gateway forced to a variant."""
    if name == "flask-v1":
        return app_v1.create_app({"SETTINGS": settings, "TESTING": True})
    if name == "fastapi-v2":
        return app_v2.main.create_app(settings)
    # Each gateway target gets its own database: the flags live there, and two gateways on
    # one database would share (and overwrite) each other's forced variant.
    forced = settings.model_copy(
        update={
            "feature_flag_use_v2": name == "gateway-v2",
            "sqlite_path": settings.sqlite_path.with_name(f"{name}.db"),
        }
    )
    return gateway.app.create_app(forced)


def build_target(name: str, settings: Settings) -> Target:
    app = build_app(name, settings)
    return FlaskTarget(name, app) if isinstance(app, Flask) else AsgiTarget(name, app)
