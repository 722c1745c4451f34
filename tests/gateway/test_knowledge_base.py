"""The knowledge-base routes on the gateway: v2 serves them whatever the flags say, and bad
uploads are refused in the one error shape, a too-large one before it is read whole."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient
from starlette.types import ASGIApp, Message

import gateway.app
from core.settings import Settings
from core.vectors import close_clients
from tests.conftest import SettingsFactory
from tests.utils.documents import make_pdf

MIB = 1024 * 1024
ROUTES = [
    ("POST", "/api/v1/files/ingest"),
    ("POST", "/api/v1/files/ingest/stream"),
    ("GET", "/api/v1/rag/search?query=x"),
    ("GET", "/api/v1/vector/collections"),
    ("GET", "/api/v1/vector/health"),
    ("GET", "/api/v1/vector/source/full?source=a.md"),
    ("POST", "/api/v1/vector/reset"),
]


@pytest.fixture
def kb_gateway(make_settings: SettingsFactory) -> Iterator[ASGIApp]:
    """The real gateway (v1 and v2 in-process), flags off: every shared route goes to v1."""
    yield gateway.app.create_app(make_settings(feature_flag_use_v2=False))
    close_clients()


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_gateway_routes_knowledge_base_to_v2(kb_gateway: ASGIApp, method: str, path: str) -> None:
    response = TestClient(kb_gateway).request(method, path)
    assert response.headers["x-variant"] == "v2"
    assert response.headers["x-variant-reason"] == "v2-only"
    assert response.status_code != 404 or path.startswith("/api/v1/vector/source")


def test_gateway_streams_ingest_progress_from_v2(kb_gateway: ASGIApp) -> None:
    files = [("files", ("a.md", b"The system shall encrypt backups."))]
    with TestClient(kb_gateway).stream("POST", "/api/v1/files/ingest/stream", files=files) as r:
        lines = [json.loads(line) for line in r.iter_lines()]
    assert r.headers["x-variant"] == "v2" and r.headers["content-type"] == "application/x-ndjson"
    assert [line["event"] for line in lines] == ["extracted", "upserted", "end"]
    assert lines[-1]["countFiles"] == 1


@pytest.mark.parametrize(
    ("files", "status", "code"),
    [
        ([("files", ("a.md", b""))], 400, "invalid_request"),
        ([("files", ("blank.md", b" \n\t "))], 400, "invalid_request"),
        ([("files", ("a.md", b"ok")), ("files", ("b.md", b""))], 400, "invalid_request"),
        ([("other", ("a.md", b"text"))], 400, "invalid_request"),
        ([("files", ("a.exe", b"MZ"))], 415, "unsupported_media_type"),
        ([("files", ("a.pdf", b"not a pdf"))], 415, "unsupported_media_type"),
    ],
)
def test_gateway_refuses_bad_uploads_in_error_shape(
    kb_gateway: ASGIApp, files: list[tuple[str, tuple[str, bytes]]], status: int, code: str
) -> None:
    response = TestClient(kb_gateway).post("/api/v1/files/ingest", files=files)
    assert response.status_code == status
    body = response.json()
    assert body["error"] == code and set(body) >= {"message", "requestId"}


def test_gateway_refuses_control_characters_in_file_names_400(kb_gateway: ASGIApp) -> None:
    body = (  # written by hand: httpx would percent-encode the control character
        b'--b\r\nContent-Disposition: form-data; name="files"; filename="a\x01.md"\r\n\r\n'
        b"text\r\n--b--\r\n"
    )
    response = TestClient(kb_gateway).post(
        "/api/v1/files/ingest",
        content=body,
        headers={"content-type": "multipart/form-data; boundary=b"},
    )
    assert response.status_code == 400 and "control characters" in response.json()["message"]


def test_gateway_refuses_non_multipart_upload_415(kb_gateway: ASGIApp) -> None:
    response = TestClient(kb_gateway).post("/api/v1/files/ingest", json={"files": []})
    assert response.status_code == 415 and response.json()["error"] == "unsupported_media_type"


def _big_pdf_body(size: int) -> tuple[bytes, Iterator[bytes]]:
    """A multipart body holding a `size`-byte PDF, made as it is read (never all in memory)."""
    boundary = b"kb-boundary"
    head = (
        b"--" + boundary + b'\r\nContent-Disposition: form-data; name="files"; filename="big.pdf"'
        b"\r\nContent-Type: application/pdf\r\n\r\n" + make_pdf(["big"])
    )

    def parts() -> Iterator[bytes]:
        yield head
        for _ in range(size // (64 * 1024)):
            yield b"%" * (64 * 1024)  # PDF comment bytes
        yield b"\r\n--" + boundary + b"--\r\n"

    return b"multipart/form-data; boundary=" + boundary, parts()


def _send(
    app: ASGIApp, *, declared: int | None, size: int, path: str = "/api/v1/files/ingest"
) -> tuple[int, int, bytes]:
    """POST a `size`-byte PDF upload to the app; (status, body bytes consumed, answer)."""
    content_type, parts = _big_pdf_body(size)
    headers = [(b"content-type", content_type)]
    if declared is not None:
        headers.append((b"content-length", str(declared).encode()))
    consumed = 0
    answer: list[Message] = []

    async def receive() -> Message:
        nonlocal consumed
        chunk = next(parts, None)
        if chunk is None:
            return {"type": "http.request", "body": b"", "more_body": False}
        consumed += len(chunk)
        return {"type": "http.request", "body": chunk, "more_body": True}

    async def send(message: Message) -> None:
        answer.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "headers": headers,
        "client": ("127.0.0.1", 1),
        "server": ("testserver", 80),
        "root_path": "",
    }
    asyncio.run(app(scope, receive, send))
    status = next(m["status"] for m in answer if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in answer if m["type"] == "http.response.body")
    return status, consumed, body


@pytest.mark.parametrize("path", ["/api/v1/files/ingest", "/api/v1/files/ingest/stream"])
@pytest.mark.parametrize("declared", [True, False])
def test_gateway_refuses_20_mb_pdf_before_reading_it_413(
    kb_gateway: ASGIApp, settings: Settings, declared: bool, path: str
) -> None:
    size = 20 * MIB
    status, consumed, body = _send(
        kb_gateway, declared=size if declared else None, size=size, path=path
    )
    assert status == 413 and b'"payload_too_large"' in body
    limit = settings.max_upload_bytes
    # declared too large: refused unread; streamed: reading stops at the limit
    assert consumed <= (64 * 1024 if declared else limit + 128 * 1024) < size
