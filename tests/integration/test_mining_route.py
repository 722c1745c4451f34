"""POST /api/v1/mining/extract: v2 only, JSON, a markdown body or uploaded files, limits in the
one error shape."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.testclient import TestClient

import gateway.app
from core.engines.heuristic import MODEL_NAME as HEURISTIC_MODEL
from core.settings import Settings
from tests.conftest import build_target
from tests.utils.documents import make_pdf
from tests.utils.targets import AsgiTarget, Reply

MINING = "/api/v1/mining/extract"
DOC = """# Export

Dieses Kapitel beschreibt den Export. Der Export kann später erweitert werden.

- Das System muss Aufträge als CSV exportieren.
- Die Antwortzeit muss unter 2 s liegen.

Hinweis: Das System muss nicht zertifiziert sein.
"""


Files = list[tuple[str, tuple[str, bytes]]]


def gateway_request(settings: Settings, **kwargs: Any) -> Reply:
    return AsgiTarget("gateway", gateway.app.create_app(settings)).request("POST", MINING, **kwargs)


def gateway_upload(settings: Settings, files: Files, data: dict[str, str] | None = None) -> Reply:
    """A multipart request (AsgiTarget sends JSON and raw bodies only)."""
    client = TestClient(gateway.app.create_app(settings))
    response = client.post(MINING, files=files, data=data or {})
    return Reply(response.status_code, response.json(), response.headers)


@pytest.mark.parametrize("use_v2", [False, True], ids=["flag-off", "flag-on"])
def test_extract_mining_through_gateway_is_v2_only(
    contract_settings: Settings, use_v2: bool
) -> None:
    settings = contract_settings.model_copy(update={"feature_flag_use_v2": use_v2})
    reply = gateway_request(settings, json={"text": DOC, "source": "spec.md"})
    assert reply.status == 200, reply.body
    assert (reply.headers["X-Variant"], reply.headers["X-Variant-Reason"]) == ("v2", "v2-only")
    items = reply.body["items"]
    assert [(i["line"], i["modal"], i["kind"]) for i in items] == [
        (5, "muss", "functional"),
        (6, "muss", "quality"),
    ]
    assert set(items[0]) == {"id", "text", "source", "line", "kind", "language", "modal", "origin"}
    assert {i["origin"] for i in items} == {"rules"}
    assert (reply.body["engine"], reply.body["model"]) == ("heuristic", HEURISTIC_MODEL)
    assert "fallbackReason" not in reply.body
    assert items[0]["source"] == "spec.md" and items[0]["language"] == "de"


def test_extract_mining_markdown_feeds_batch_evaluate(contract_settings: Settings) -> None:
    target = AsgiTarget("gateway", gateway.app.create_app(contract_settings))
    mined = target.request(
        "POST", MINING, content=DOC.encode(), headers={"Content-Type": "text/markdown"}
    )
    assert mined.status == 200, mined.body
    ids = [i["id"] for i in mined.body["items"]]
    batch = target.request(
        "POST", "/api/v1/batch/evaluate", json={"markdown": mined.body["markdown"]}
    )
    assert batch.status == 200, batch.body
    assert list(batch.body["items"]) == ids


def test_extract_mining_evaluates_each_candidate(contract_settings: Settings) -> None:
    reply = gateway_request(contract_settings, json={"text": DOC, "evaluate": True})
    assert reply.status == 200, reply.body
    for item in reply.body["items"]:
        evaluation = item["evaluation"]
        assert evaluation["verdict"] in {"pass", "fail"} and 0 <= evaluation["score"] <= 1
        assert evaluation["status"] in {"accepted", "rejected"} and evaluation["evaluation"]


def test_extract_mining_evaluate_is_bounded_by_max_batch_items(contract_settings: Settings) -> None:
    text = "\n".join(f"- The system shall log event {n}." for n in range(6))
    reply = gateway_request(contract_settings, json={"text": text, "evaluate": True})
    assert (reply.status, reply.body["error"]) == (400, "invalid_request")
    assert reply.body["details"] == {"maxItems": 5, "count": 6}
    assert gateway_request(contract_settings, json={"text": text}).status == 200


def test_extract_mining_text_over_max_mining_chars_400(contract_settings: Settings) -> None:
    settings = contract_settings.model_copy(update={"max_mining_chars": 50})
    reply = gateway_request(settings, json={"text": "The system shall log. " * 5})
    assert (reply.status, reply.body["error"]) == (400, "invalid_request")
    assert reply.body["details"]["maxChars"] == 50
    assert reply.body["requestId"] == reply.headers["X-Request-Id"]


@pytest.mark.parametrize(
    "payload",
    [{"text": "  "}, {}, {"text": "x", "language": "fr"}, {"text": 5}, {"text": "x", "source": ""}],
)
def test_extract_mining_bad_json_400(contract_settings: Settings, payload: Any) -> None:
    reply = gateway_request(contract_settings, json=payload)
    assert (reply.status, reply.body["error"]) == (400, "invalid_request")


def test_extract_mining_blank_markdown_400(contract_settings: Settings) -> None:
    reply = gateway_request(
        contract_settings, content=b"\n \n", headers={"Content-Type": "text/plain"}
    )
    assert (reply.status, reply.body["error"]) == (400, "invalid_request")


def test_extract_mining_other_media_type_415(contract_settings: Settings) -> None:
    reply = gateway_request(
        contract_settings, content=b"<x/>", headers={"Content-Type": "application/xml"}
    )
    assert (reply.status, reply.body["error"]) == (415, "unsupported_media_type")


def test_extract_mining_body_over_max_body_bytes_413(contract_settings: Settings) -> None:
    reply = gateway_request(
        contract_settings, content=b"a" * 9000, headers={"Content-Type": "text/markdown"}
    )
    assert (reply.status, reply.body["error"]) == (413, "payload_too_large")


def test_extract_mining_not_on_v1(contract_settings: Settings) -> None:
    reply = build_target("flask-v1", contract_settings).request("POST", MINING, json={"text": "x"})
    assert reply.status == 404


def test_extract_mining_files_names_each_source_and_line(contract_settings: Settings) -> None:
    pdf = make_pdf(["The system shall log every login.", "The system shall lock the account."])
    files = [
        ("files", ("spec.md", DOC.encode())),
        ("files[]", ("../../etc/scan.pdf", pdf)),  # a name, never a path: the base name
    ]
    reply = gateway_upload(contract_settings, files)
    assert reply.status == 200, reply.body
    assert (reply.headers["X-Variant"], reply.headers["X-Variant-Reason"]) == ("v2", "v2-only")
    found = [(i["source"], i["line"], i["modal"]) for i in reply.body["items"]]
    # the PDF's pages follow each other in its extracted text, a blank line between them
    assert found == [
        ("spec.md", 5, "muss"),
        ("spec.md", 6, "muss"),
        ("scan.pdf", 1, "shall"),
        ("scan.pdf", 3, "shall"),
    ]
    ids = [i["id"] for i in reply.body["items"]]
    assert len(set(ids)) == 4 and ids[0].split("-")[1] != ids[2].split("-")[1]


def test_extract_mining_files_take_options_as_form_fields(contract_settings: Settings) -> None:
    files = [("files", ("spec.md", DOC.encode()))]
    reply = gateway_upload(contract_settings, files, {"evaluate": "true"})
    assert reply.status == 200, reply.body
    assert all(item["evaluation"]["verdict"] in {"pass", "fail"} for item in reply.body["items"])
    # German modals only: an English sentence mined as German states no requirement
    english = [("files", ("spec.txt", b"The system shall log every login."))]
    assert len(gateway_upload(contract_settings, english).body["items"]) == 1
    assert gateway_upload(contract_settings, english, {"language": "de"}).body["items"] == []


@pytest.mark.parametrize(
    ("files", "data", "status"),
    [
        ([("files", ("spec.md", b"The system shall log."))], {"language": "fr"}, 400),
        ([("files", ("spec.md", b"The system shall log."))], {"evaluate": "maybe"}, 400),
        ([("files", ("spec.md", b""))], {}, 400),
        ([("other", ("spec.md", b"The system shall log."))], {}, 400),
        ([("files", ("a.md", b"The system shall log.")), ("files", ("a.md", b"x"))], {}, 400),
        ([("files", ("tool.exe", b"MZ"))], {}, 415),
        ([("files", ("spec.pdf", b"The system shall log."))], {}, 415),
    ],
    ids=["language", "evaluate", "empty", "no-files", "same-name", "type", "content"],
)
def test_extract_mining_bad_files_or_options_in_error_shape(
    contract_settings: Settings,
    files: Files,
    data: dict[str, str],
    status: int,
) -> None:
    reply = gateway_upload(contract_settings, files, data)
    assert reply.status == status, reply.body
    assert set(reply.body) >= {"error", "message", "requestId"}


def test_extract_mining_files_over_max_upload_bytes_413(contract_settings: Settings) -> None:
    settings = contract_settings.model_copy(update={"max_upload_bytes": 2048})
    text = b"The system shall log. " * 200
    reply = gateway_upload(settings, [("files", ("big.md", text))])
    assert (reply.status, reply.body["error"]) == (413, "payload_too_large")
    # MAX_BODY_BYTES (8192 here) bounds JSON and markdown bodies, not uploads
    small = gateway_upload(contract_settings, [("files", ("big.md", text * 2))])
    assert small.status == 200, small.body


def test_extract_mining_files_text_over_max_mining_chars_400(contract_settings: Settings) -> None:
    settings = contract_settings.model_copy(update={"max_mining_chars": 50})
    files = [("files", (f"{n}.md", b"The system shall log it.")) for n in range(3)]
    reply = gateway_upload(settings, files)
    assert (reply.status, reply.body["error"]) == (400, "invalid_request")
    assert reply.body["details"] == {"field": "files", "maxChars": 50, "length": 72}
