"""Gateway fixtures: a gateway over fake variants, and the admin token."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from starlette.testclient import TestClient
from starlette.types import ASGIApp

import gateway.app
from tests.conftest import SettingsFactory
from tests.gateway.fakes import answering

ADMIN_TOKEN = "test-admin-token-0123456789"
ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
GatewayFactory = Callable[..., TestClient]


@pytest.fixture
def make_gateway(make_settings: SettingsFactory) -> GatewayFactory:
    """A TestClient on a gateway whose v1 and v2 are fakes unless given."""

    def factory(
        v1: ASGIApp | None = None, v2: ASGIApp | None = None, **overrides: Any
    ) -> TestClient:
        settings = make_settings(**{"admin_token": ADMIN_TOKEN, **overrides})
        app = gateway.app.create_app(settings, v1=v1 or answering("v1"), v2=v2 or answering("v2"))
        return TestClient(app)

    return factory


@pytest.fixture
def client(make_gateway: GatewayFactory) -> TestClient:
    return make_gateway()
