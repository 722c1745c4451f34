"""v1 and v2 send the same bytes for a shared route's answer (core.contract.wire.wire_json),
not only the same JSON: one encoder, so key order, floats and escapes cannot drift apart."""

from __future__ import annotations

import json
import re

import pytest
from flask import Flask
from starlette.testclient import TestClient

from core.settings import Settings
from gateway.json_diff import VOLATILE_KEYS
from tests.contract.cases import CASES, Case
from tests.utils.targets import build_app

# A volatile value's bytes: an id (a string) or a number of milliseconds.
VOLATILE = re.compile(rb'"(%s)":("[^"]*"|\d+)' % "|".join(VOLATILE_KEYS).encode())
ANSWERED = [case for case in CASES if case.status == 200]


def _masked(raw: bytes) -> bytes:
    return VOLATILE.sub(rb'"\1":0', raw)


@pytest.mark.parametrize("case", ANSWERED, ids=lambda case: case.name)
def test_shared_route_same_bytes_on_v1_and_v2(contract_settings: Settings, case: Case) -> None:
    v1, v2 = (build_app(name, contract_settings) for name in ("flask-v1", "fastapi-v2"))
    assert isinstance(v1, Flask) and not isinstance(v2, Flask)
    body = None if case.json is None else json.dumps(case.json).encode()
    headers = {"Content-Type": "application/json", **case.headers} if body else case.headers
    flask_reply = v1.test_client().open(case.path, method=case.method, data=body, headers=headers)
    fastapi_reply = TestClient(v2).request(case.method, case.path, content=body, headers=headers)
    assert flask_reply.status_code == fastapi_reply.status_code == 200
    assert _masked(flask_reply.data) == _masked(fastapi_reply.content)
    assert flask_reply.headers["Content-Type"] == fastapi_reply.headers["content-type"]
