"""v1's request id and response tags (app_v1/errors.py), on v1 alone as gunicorn serves it."""

from __future__ import annotations

from flask import Flask, Response

from core.logging import request_id_var


def test_tag_v1_response_request_id_variant_and_fixed_headers(v1_app: Flask) -> None:
    response = v1_app.test_client().get("/api/v1/criteria", headers={"X-Request-Id": "rid-1"})
    assert response.status_code == 200
    assert response.headers.get_all("X-Request-Id") == ["rid-1"]
    assert response.headers.get_all("X-Variant") == ["v1"]
    assert response.headers.get_all("X-Content-Type-Options") == ["nosniff"]


def test_tag_v1_response_replaces_tags_a_view_set(v1_app: Flask) -> None:
    @v1_app.get("/tagged-by-view")
    def tagged() -> Response:
        return Response("{}", headers={"X-Variant": "other", "x-request-id": "forged"})

    response = v1_app.test_client().get("/tagged-by-view", headers={"X-Request-Id": "rid-2"})
    assert response.headers.get_all("X-Request-Id") == ["rid-2"]
    assert response.headers.get_all("X-Variant") == ["v1"]


def test_request_id_bound_for_the_request_only(v1_app: Flask) -> None:
    seen: list[str] = []

    @v1_app.get("/seen")
    def seen_id() -> Response:
        seen.append(request_id_var.get())
        return Response("{}")

    before = request_id_var.get()
    response = v1_app.test_client().get("/seen", headers={"X-Request-Id": "a b"})  # insane
    assert seen == [response.headers["X-Request-Id"]] and len(seen[0]) == 32
    assert request_id_var.get() == before  # the thread that served it does not keep it


def test_error_answer_carries_the_bound_request_id(v1_app: Flask) -> None:
    response = v1_app.test_client().post(
        "/api/v1/evaluations", json={"requirementText": ""}, headers={"X-Request-Id": "rid-3"}
    )
    assert response.status_code == 400
    assert response.get_json()["requestId"] == "rid-3"
    assert response.headers["X-Request-Id"] == "rid-3"
