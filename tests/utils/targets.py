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

from gateway.shadow import normalized

__all__ = ["AsgiTarget", "FlaskTarget", "Reply", "Target", "normalized"]


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
