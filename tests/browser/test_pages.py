"""mining_demo.html, reports.html and ops.html in a real browser (issue 14, acceptance 1, 2)."""

from __future__ import annotations

import json
from typing import Any

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
BOTH_VARIANTS_SERVED = f"() => (({RATE_POINTS})()).v1 > 0 && (({RATE_POINTS})()).v2 > 0"
OPS = "**/api/runtime-config/ops"


def _shadow_outcomes(page: Page) -> dict[str, str]:
    cells = [row.locator("td") for row in page.locator("#shadow-report tbody tr").all()]
    return {row.nth(0).inner_text(): row.nth(1).inner_text() for row in cells}


def test_ops_ramp_and_rollback_change_variant(page: Page) -> None:
    """Ramp, shadow and rollback on the real gateway; the traffic of the gateway's own ops
    summary (GET /api/runtime-config/ops) shows the probes of both variants."""
    page.goto("/ops.html")
    expect(page.locator("#probe")).to_have_attribute("data-variant", "v1")
    expect(page.locator(".ramp").first).to_be_disabled()
    expect(page.locator("#audit")).to_contain_text("Enter the admin token")
    expect(page.locator("#metrics-source")).to_have_text(
        "Enter the admin token to see the traffic."
    )
    expect(page.locator("#chart-rate")).to_have_attribute("data-points", "0")
    with page.expect_response(OPS) as first:
        page.fill("#token", ADMIN_TOKEN)
        page.click("#token-form button[type=submit]")
    assert first.value.request.headers["authorization"] == f"Bearer {ADMIN_TOKEN}"
    assert ADMIN_TOKEN not in page.url
    assert page.evaluate("() => sessionStorage.getItem('reqgate.adminToken')") == ADMIN_TOKEN
    assert page.evaluate("() => localStorage.length") == 0
    expect(page.locator("#metrics-source")).to_contain_text("The last 15 minutes")
    expect(page.locator("#chart-rate")).to_have_attribute("data-points", "30")  # 2 x 15 minutes
    epoch = int(page.locator("#flags").get_attribute("data-epoch") or "0")

    page.click(".ramp[data-percent='100']")
    expect(page.locator("#probe")).to_have_attribute("data-variant", "v2")
    expect(page.locator("#probe")).to_contain_text("canary")
    expect(page.locator(".ramp[data-percent='100']")).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#flags")).to_have_attribute("data-epoch", str(epoch + 1))
    expect(page.locator("#variant")).to_contain_text("v2")
    page.select_option("#shadow", "100")
    page.click("#set-shadow")  # the probe after it is mirrored to v1
    expect(page.locator("#flags")).to_have_attribute("data-epoch", str(epoch + 2))

    page.click("#rollback")
    expect(page.locator("#confirm")).to_be_visible()
    page.click("#confirm-no")  # cancelling changes nothing
    expect(page.locator("#probe")).to_have_attribute("data-variant", "v2")
    page.click("#rollback")
    page.click("#confirm-yes")
    expect(page.locator("#probe")).to_have_attribute("data-variant", "v1")
    expect(page.locator("#flags")).to_have_attribute("data-epoch", str(epoch + 3))
    expect(page.locator("#audit-table tbody tr").first).to_contain_text("rollback (ops page)")

    # The probes above went to v2 and v1; the mirror runs after its answer, so sample until
    # the summary has counted it.
    for _ in range(20):
        with page.expect_response(OPS) as sampled:
            page.click("#sample-now")
        assert sampled.value.ok
        page.wait_for_function(BOTH_VARIANTS_SERVED)
        if "match" in _shadow_outcomes(page):
            break
        page.wait_for_timeout(100)
    assert int(_shadow_outcomes(page)["match"]) >= 1
    expect(page.locator("#metrics-source")).to_contain_text("fallbacks to v1 since start-up")
    check_page(page, "ops")
