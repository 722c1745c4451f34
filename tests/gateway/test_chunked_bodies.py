"""A body without Content-Length (Transfer-Encoding: chunked) reaches v1 whole, as it reaches v2.

Issue 12, defect 1: the bridge handed Flask no CONTENT_LENGTH and no wsgi.input_terminated,
so werkzeug read nothing, the batch route evaluated the server's own example file and the
JSON routes answered 400 "not valid JSON". httpx sends a body given as an iterator chunked.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator

import pytest
from flask import Flask
from starlette.testclient import TestClient

import app_v1
import gateway.app
from tests.conftest import SettingsFactory

ROWS = 200
MAX_BODY_BYTES = 32 * 1024  # over the 200 rows (about 10 KiB)


def _table(rows: int) -> bytes:
    lines = ["| id | requirementText | context |", "|----|-----------------|---------|"]
    lines += [f"| R{i} | The system shall log event {i} within 2 s. | {{}} |" for i in range(rows)]
    return ("\n".join(lines) + "\n").encode()


def _chunked(body: bytes, size: int = 4096) -> Iterator[bytes]:
    for start in range(0, len(body), size):
        yield body[start : start + size]


@pytest.fixture(params=["v1", "v2"])
def gateway_client(request: pytest.FixtureRequest, make_settings: SettingsFactory) -> TestClient:
    settings = make_settings(
        feature_flag_use_v2=request.param == "v2", max_body_bytes=MAX_BODY_BYTES
    )
    return TestClient(gateway.app.create_app(settings))


def test_batch_evaluate_chunked_markdown_reads_every_row(gateway_client: TestClient) -> None:
    response = gateway_client.post(
        "/api/v1/batch/evaluate",
        content=_chunked(_table(ROWS)),
        headers={"Content-Type": "text/markdown"},
    )
    assert response.status_code == 200, response.text
    assert len(response.json()["items"]) == ROWS


def test_evaluations_chunked_json_is_read(gateway_client: TestClient) -> None:
    body = json.dumps({"requirementText": "The system shall answer within 2 s."}).encode()
    response = gateway_client.post(
        "/api/v1/evaluations",
        content=_chunked(body, size=7),
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 200, response.text
    assert response.json()["verdict"] in ("pass", "fail")


def test_chunked_body_over_max_body_bytes_is_refused(gateway_client: TestClient) -> None:
    body = json.dumps({"requirementText": "x" * MAX_BODY_BYTES}).encode()
    response = gateway_client.post(
        "/api/v1/evaluations",
        content=_chunked(body),
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 413
    assert response.json()["error"] == "payload_too_large"


def _chunked_environ(body: bytes) -> dict[str, object]:
    """What gunicorn hands the app for a chunked body: no CONTENT_LENGTH, input terminated."""
    return {"wsgi.input": io.BytesIO(body), "wsgi.input_terminated": True}


def test_v1_alone_reads_chunked_json_like_gunicorn_hands_it(v1_app: Flask) -> None:
    body = json.dumps({"requirementText": "The system shall answer within 2 s."}).encode()
    response = v1_app.test_client().post(
        "/api/v1/evaluations",
        headers={"Content-Type": "application/json", "Transfer-Encoding": "chunked"},
        environ_overrides=_chunked_environ(body),
    )
    assert response.status_code == 200, response.text


def test_v1_alone_refuses_chunked_body_over_max_body_bytes(make_settings: SettingsFactory) -> None:
    app = app_v1.create_app({"SETTINGS": make_settings(max_body_bytes=2048), "TESTING": True})
    body = json.dumps({"requirementText": "x" * 3000}).encode()
    response = app.test_client().post(
        "/api/v1/evaluations",
        headers={"Content-Type": "application/json", "Transfer-Encoding": "chunked"},
        environ_overrides=_chunked_environ(body),
    )
    assert response.status_code == 413
    assert response.json is not None and response.json["error"] == "payload_too_large"
