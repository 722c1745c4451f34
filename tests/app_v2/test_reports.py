"""GET /api/v1/reports/summary and /export through v2's app and the gateway (v2 only)."""

from __future__ import annotations

import csv
import io

import pytest
from starlette.testclient import TestClient

import app_v2.main
import gateway.app
from core.settings import Settings

SUMMARY, EXPORT = "/api/v1/reports/summary", "/api/v1/reports/export"
TEXTS = ["The system should be fast.", "The system shall start within 2 seconds."]


@pytest.fixture
def client(settings: Settings) -> TestClient:
    client = TestClient(app_v2.main.create_app(settings))
    for text in TEXTS:
        assert client.post("/api/v1/evaluations", json={"requirementText": text}).status_code == 200
    decision = {"requirementText": TEXTS[0], "findingCode": "vague_term", "decision": "accepted"}
    assert client.post("/api/v1/corrections/decision", json=decision).status_code == 200
    return client


def test_read_report_summary_counts_the_stored_records(client: TestClient) -> None:
    response = client.get(SUMMARY)
    assert response.status_code == 200
    body = response.json()
    assert body["evaluations"] == 2 and sum(body["verdicts"].values()) == 2
    assert body["bucket"] == "day" and len(body["trend"]) == 8  # 7 days, cut at both ends
    assert [v["evaluations"] for v in body["variants"]] == [0, 2]
    assert body["decisions"] == [{"findingCode": "vague_term", "accepted": 1, "rejected": 0}]
    assert "vague_term" in {code["code"] for code in body["findingCodes"]}
    assert not any(text in response.text for text in TEXTS)


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "last week"}, "from"),
        ({"to": "2025-02-30"}, "to"),
        ({"from": "2025-03-03", "to": "2025-03-01"}, "from"),
        ({"from": "2023-01-01", "to": "2025-01-01"}, "to"),
        ({"variant": "v3"}, "query.variant"),
        ({"engine": "gpt"}, "query.engine"),
        ({"from": "x" * 65}, "query.from"),
    ],
)
@pytest.mark.parametrize("path", [SUMMARY, EXPORT])
def test_read_report_bad_query_400(
    client: TestClient, path: str, params: dict[str, str], field: str
) -> None:
    response = client.get(path, params=params)
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["error"] == "invalid_request" and body["requestId"]
    details = body["details"]
    fields = [d["field"] for d in details] if isinstance(details, list) else [details["field"]]
    assert fields == [field]


@pytest.mark.parametrize("top", ["0", "51", "many"])
def test_read_report_summary_top_out_of_bounds_400(client: TestClient, top: str) -> None:
    response = client.get(SUMMARY, params={"top": top})
    assert response.status_code == 400
    assert response.json()["details"][0]["field"] == "query.top"


def test_read_report_summary_top_limits_the_codes(client: TestClient) -> None:
    assert len(client.get(SUMMARY, params={"top": "1"}).json()["findingCodes"]) == 1


def test_export_report_csv_attachment_one_row_per_evaluation(client: TestClient) -> None:
    response = client.get(EXPORT, params={"variant": "v2", "engine": "heuristic"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    disposition = response.headers["content-disposition"]
    assert disposition.startswith('attachment; filename="reqgate-report-')
    assert disposition.endswith('.csv"')
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert len(rows) == 2 and {row["variant"] for row in rows} == {"v2"}
    assert not any(text in response.text for text in TEXTS)
    assert client.get(EXPORT, params={"variant": "v1"}).text.count("\r\n") == 1  # header only


@pytest.mark.parametrize("use_v2", [False, True])
@pytest.mark.parametrize("path", [SUMMARY, EXPORT])
def test_reports_are_v2_only_on_the_gateway(
    make_settings: type[Settings], path: str, use_v2: bool
) -> None:
    client = TestClient(gateway.app.create_app(make_settings(feature_flag_use_v2=use_v2)))
    response = client.get(path)
    assert response.status_code == 200
    assert (response.headers["X-Variant"], response.headers["X-Variant-Reason"]) == (
        "v2",
        "v2-only",
    )
    assert path in client.get("/openapi.json").json()["paths"]
