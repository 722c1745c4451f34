"""mining_demo.html, reports.html and ops.html in a real browser (issue 14, acceptance 1, 2)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from playwright.sync_api import Page, Route, expect

from tests.browser.checks import check_page
from tests.browser.conftest import ADMIN_TOKEN

DOCUMENT = """# Export

The system shall export orders as CSV. Users can print them.

- Das System muss jede Anmeldung protokollieren.
- The system should respond fast.
"""


def test_mine_requirements_from_pasted_text(page: Page) -> None:
    page.goto("/mining_demo.html")
    page.fill("#doc", DOCUMENT)
    page.fill("#source", "spec.md")
    page.click("#mine")
    rows = page.locator("#candidates tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.nth(0)).to_contain_text("The system shall export orders as CSV.")
    expect(rows.nth(0).locator("td").nth(1)).to_have_text("3")
    expect(rows.nth(0)).to_have_attribute("data-kind", "functional")
    expect(rows.nth(1).locator("td").nth(1)).to_have_text("5")
    rows.nth(2).locator("input.select-candidate").uncheck()
    page.click("#evaluate-selected")
    expect(page.locator("#candidates [data-verdict]")).to_have_count(2)
    expect(rows.nth(0).locator("[data-verdict]")).to_have_attribute("data-verdict", "pass")
    with page.expect_download() as download:
        page.click("#export-csv")
    assert download.value.suggested_filename == "candidates.csv"
    page.click("#kb-upload-doc")
    expect(page.locator("#kb-result")).to_contain_text("Uploaded 1 files")
    page.fill("#kb-query", "Anmeldung protokollieren")
    page.click("#kb-search button[type=submit]")
    expect(page.locator("#kb-hits li").first).to_contain_text("spec.md")
    check_page(page, "mining_demo")


def test_hand_mined_selection_to_evaluate_page(page: Page) -> None:
    page.goto("/mining_demo.html")
    page.fill("#doc", DOCUMENT)
    page.click("#mine")
    page.click("#handoff")
    page.wait_for_url("**/")
    expect(page.locator("#input")).to_have_value(
        "The system shall export orders as CSV.\n"
        "Das System muss jede Anmeldung protokollieren.\n"
        "The system should respond fast."
    )


# An answer of GET /api/v1/reports/summary (ReportSummaryPublic of the reports routes).
SUMMARY = {
    "from": "2026-11-24T00:00:00Z",
    "to": "2026-12-01T15:00:00Z",
    "bucket": "day",
    "evaluations": 12,
    "verdicts": {"pass": 7, "fail": 5},
    "meanScore": 0.81,
    "criteria": [
        {
            "criterion": "clarity",
            "count": 12,
            "passed": 10,
            "passRate": 0.83,
            "meanScore": 0.9,
            "byVariant": {"v1": 0.9},
        },
        {
            "criterion": "testability",
            "count": 12,
            "passed": 7,
            "passRate": 0.58,
            "meanScore": 0.7,
            "byVariant": {"v1": 0.7},
        },
    ],
    "findingCodes": [{"code": "vague_term", "count": 4}, {"code": "weak_modal", "count": 3}],
    "trend": [
        {"start": "2026-11-30T00:00:00Z", "evaluations": 5, "pass": 2, "fail": 3},
        {"start": "2026-12-01T00:00:00Z", "evaluations": 7, "pass": 5, "fail": 2},
    ],
    "variants": [
        {
            "variant": "v1",
            "evaluations": 8,
            "pass": 4,
            "fail": 4,
            "meanScore": 0.78,
            "accepted": 3,
            "rejected": 1,
        },
        {
            "variant": "v2",
            "evaluations": 4,
            "pass": 3,
            "fail": 1,
            "meanScore": 0.86,
            "accepted": 0,
            "rejected": 0,
        },
    ],
    "decisions": [
        {"findingCode": "weak_modal", "accepted": 2, "rejected": 1},
        {"accepted": 1, "rejected": 0},
    ],
    "corrections": {"engine": 0, "apply": 2, "manual": 1},
}
CHART_POINTS = """() => [...document.querySelectorAll("figure.chart canvas")].map((canvas) => {
  const chart = Chart.getChart(canvas);
  return chart ? chart.data.datasets.reduce((n, set) => n + set.data.length, 0) : 0;
})"""


def _answer_json(body: Any) -> Any:
    def handle(route: Route) -> None:
        route.fulfill(status=200, content_type="application/json", body=json.dumps(body))

    return handle


def test_reports_charts_drawn_with_data(page: Page, gateway_url: str) -> None:
    """Until the reports routes are on this branch, the browser is given their answer."""
    document = page.request.get(f"{gateway_url}/openapi.json").json()
    document["paths"]["/api/v1/reports/summary"] = {}
    page.route("**/openapi.json", _answer_json(document))
    page.route("**/api/v1/reports/summary*", _answer_json(SUMMARY))
    page.goto("/reports.html")
    expect(page.locator("#status")).to_have_text("Report updated.")
    assert page.evaluate(CHART_POINTS) == [2, 2, 2, 4, 4, 4]
    expect(page.locator("#totals")).to_contain_text("58%")
    expect(page.locator("#totals")).to_contain_text("0 rewritten, 2 applied, 1 by hand")
    page.fill("#from", "2026-11-01")
    page.select_option("#variant-filter", "v2")
    with page.expect_request("**/api/v1/reports/summary?*") as filtered:
        page.click("#filters button[type=submit]")
    query = filtered.value.url.split("?", 1)[1]
    assert "variant=v2" in query and "from=2026-1" in query
    expect(page.locator("#export")).to_have_attribute("href", f"/api/v1/reports/export?{query}")
    check_page(page, "reports")


RATE_POINTS = """() => {
  const chart = Chart.getChart(document.querySelector("#chart-rate canvas"));
  if (!chart) return {v1: 0, v2: 0};
  const sum = (set) => set.data.reduce((total, value) => total + (value || 0), 0);
  return Object.fromEntries(chart.data.datasets.map((set) => [set.label, sum(set)]));
}"""


def test_ops_ramp_and_rollback_change_variant(page: Page) -> None:
    page.goto("/ops.html")
    expect(page.locator("#probe")).to_have_attribute("data-variant", "v1")
    expect(page.locator(".ramp").first).to_be_disabled()
    expect(page.locator("#audit")).to_contain_text("Enter the admin token")
    page.fill("#token", ADMIN_TOKEN)
    page.click("#token-form button[type=submit]")
    assert ADMIN_TOKEN not in page.url
    assert page.evaluate("() => sessionStorage.getItem('reqgate.adminToken')") == ADMIN_TOKEN
    assert page.evaluate("() => localStorage.length") == 0
    epoch = int(page.locator("#flags").get_attribute("data-epoch") or "0")

    page.click(".ramp[data-percent='100']")
    expect(page.locator("#probe")).to_have_attribute("data-variant", "v2")
    expect(page.locator("#probe")).to_contain_text("canary")
    expect(page.locator(".ramp[data-percent='100']")).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#flags")).to_have_attribute("data-epoch", str(epoch + 1))
    expect(page.locator("#variant")).to_contain_text("v2")

    page.click("#rollback")
    expect(page.locator("#confirm")).to_be_visible()
    page.click("#confirm-no")  # cancelling changes nothing
    expect(page.locator("#probe")).to_have_attribute("data-variant", "v2")
    page.click("#rollback")
    page.click("#confirm-yes")
    expect(page.locator("#probe")).to_have_attribute("data-variant", "v1")
    expect(page.locator("#flags")).to_have_attribute("data-epoch", str(epoch + 2))
    expect(page.locator("#audit-table tbody tr").first).to_contain_text("rollback (ops page)")

    # Traffic per variant from /metrics: the probes above went to v2 and v1 between samples.
    with page.expect_response("**/metrics"):
        page.click("#sample-now")
    for _ in range(40):  # the answer is parsed and drawn a moment after it arrived
        rates = page.evaluate(RATE_POINTS)
        if rates["v1"] > 0 and rates["v2"] > 0:
            break
        page.wait_for_timeout(50)
    assert rates["v1"] > 0 and rates["v2"] > 0, rates
    check_page(page, "ops")


def _minutes(*requests: int) -> list[dict[str, object]]:
    return [
        {
            "start": f"2026-12-01T10:0{n}:00Z",
            "requests": r,
            "errors": n % 2,
            "clientErrors": 0,
            "p95Ms": 12.5 if r else None,
        }
        for n, r in enumerate(requests)
    ]


# An answer of GET /api/runtime-config/ops (OpsSummaryPublic of the ops summary route).
OPS_SUMMARY = {
    "generatedAt": "2026-12-01T10:03:30Z",
    "windowMinutes": 4,
    "flags": {"featureFlagUseV2": False, "canaryPercent": 10, "shadowPercent": 5, "epoch": 7},
    "flagsAgeS": 0.4,
    "variants": {
        variant: {
            "requests": sum(r),
            "errors": 2,
            "clientErrors": 0,
            "ratePerMin": 1.0,
            "errorRate": 0.1,
            "p95Ms": 12.5,
            "minutes": _minutes(*r),
        }
        for variant, r in (("v1", (30, 12, 0, 6)), ("v2", (3, 1, 0, 2)))
    },
    "fallbacks": 1,
    "shadow": {"match": 40, "mismatch": 2, "error": 0},
    "audit": [],
}


def test_ops_reads_ops_summary_where_documented(page: Page, gateway_url: str) -> None:
    document = page.request.get(f"{gateway_url}/openapi.json").json()
    document["paths"]["/api/runtime-config/ops"] = {}
    page.route("**/openapi.json", _answer_json(document))
    page.route("**/api/runtime-config/ops", _answer_json(OPS_SUMMARY))
    page.goto("/ops.html")
    page.fill("#token", ADMIN_TOKEN)
    page.click("#token-form button[type=submit]")
    expect(page.locator("#metrics-source")).to_contain_text("last 4 minutes")
    expect(page.locator("#metrics-source")).to_contain_text("1 fallbacks")
    expect(page.locator("#chart-rate")).to_have_attribute("data-points", "8")
    expect(page.locator("#chart-p95")).to_have_attribute("data-points", "6")  # idle: no p95
    assert page.evaluate(RATE_POINTS) == pytest.approx({"v1": 48 / 60, "v2": 6 / 60})
    expect(page.locator("#shadow-report tbody tr")).to_have_count(2)
    expect(page.locator("#shadow-report")).to_contain_text("mismatch")
