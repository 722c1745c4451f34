"""mining_demo.html, reports.html and ops.html in a real browser (issue 14, acceptance 1, 2)."""

from __future__ import annotations

import csv
import io
from collections import Counter
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from playwright.sync_api import Page, expect

from tests.browser.checks import check_page
from tests.browser.conftest import ADMIN_TOKEN
from tests.browser.records import (
    CHART_DATA,
    DATASETS_ARE,
    decision_counts,
    drawn_decisions,
    evaluate_on,
    report_summary,
)

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


FIGURES = [
    "chart-verdicts",
    "chart-criteria",
    "chart-findings",
    "chart-trend",
    "chart-variants",
    "chart-decisions",
]
# docs/api.md, reports/export: these columns, then one per criterion of the range.
EXPORT_COLUMNS = (
    "evaluationId,createdAt,variant,engine,model,language,score,verdict,latencyMs,"
    "fallbackReason,findingCodes"
).split(",")
REPORTED = ["The system should be fast.", "The system shall log every login within 1 second."]


DECISIONS = ("accepted", "rejected")


def _decide(page: Page, variant: str, atoms: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """Accept the first atom and reject the second, in one batch, for the variant that
    wrote them: the finding code and decision of each."""
    items = [
        {
            "requirementText": REPORTED[0],
            "suggestion": atom["correction"],
            "findingCode": atom["findingCode"],
            "decision": decision,
            "variant": variant,
        }
        for atom, decision in zip(atoms, DECISIONS, strict=True)
    ]
    response = page.request.post("/api/v1/corrections/decision/batch", data={"items": items})
    assert response.ok, response.text()
    return [(item["findingCode"], item["decision"]) for item in items]


def test_reports_charts_drawn_from_real_records(page: Page) -> None:
    """Evaluations on both variants and decisions on their atoms, made through the gateway,
    are what the page draws from the real GET /api/v1/reports/summary; the CSV export of
    the same records has the documented header."""
    before = report_summary(page)
    made: Counter[tuple[str, str]] = Counter()
    for variant in ("v1", "v2"):
        fast, _logged = evaluate_on(page, variant, REPORTED)
        made.update(_decide(page, variant, fast["suggestions"][:2]))
    with page.expect_response("**/api/v1/reports/summary") as answer:
        page.goto("/reports.html")
    expect(page.locator("#status")).to_have_text("Report updated.")
    summary = answer.value.json()

    served = {entry["variant"]: entry["evaluations"] for entry in summary["variants"]}
    was = {entry["variant"]: entry["evaluations"] for entry in before["variants"]}
    assert served == {"v1": was.get("v1", 0) + 2, "v2": was.get("v2", 0) + 2}
    for figure in FIGURES:
        points = int(page.locator(f"#{figure}").get_attribute("data-points") or "0")
        assert points > 0, figure
    verdicts = page.evaluate(CHART_DATA, "chart-verdicts")["datasets"][0]["data"]
    assert verdicts == [summary["verdicts"]["pass"], summary["verdicts"]["fail"]]
    variants = page.evaluate(CHART_DATA, "chart-variants")
    assert [set_["label"] for set_ in variants["datasets"]] == ["v1", "v2"]
    expect(page.locator("#chart-variants")).to_have_attribute("data-points", "4")
    drawn, earlier = drawn_decisions(page), decision_counts(before)
    assert "(no code)" not in drawn  # every decision of the pages names its finding code
    for code in {code for code, _ in made}:
        accepted, rejected = earlier.get(code, (0, 0))
        assert drawn[code] == (
            accepted + made[code, "accepted"],
            rejected + made[code, "rejected"],
        ), code
    expect(page.locator("#totals")).to_contain_text(str(summary["evaluations"]))

    with page.expect_download() as download:
        page.click("#export")
    assert download.value.suggested_filename.startswith("reqgate-report-")
    rows = list(csv.reader(io.StringIO(Path(download.value.path()).read_text("utf-8"))))
    criteria = [entry["criterion"] for entry in summary["criteria"]]
    assert rows[0] == EXPORT_COLUMNS + criteria
    assert len(rows) - 1 == summary["evaluations"]
    assert {row[2] for row in rows[1:]} == {"v1", "v2"}

    page.fill("#from", (date.today() - timedelta(days=2)).isoformat())
    page.select_option("#variant-filter", "v2")
    with page.expect_response("**/api/v1/reports/summary?*") as filtered:
        page.click("#filters button[type=submit]")
    query = parse_qs(urlsplit(filtered.value.url).query)
    assert filtered.value.ok and query["variant"] == ["v2"] and "from" in query
    # The status still says "Report updated." from before: wait for the filtered drawing.
    page.wait_for_function(DATASETS_ARE, arg=["chart-variants", ["v2"]])
    href = f"/api/v1/reports/export?{urlsplit(filtered.value.url).query}"
    expect(page.locator("#export")).to_have_attribute("href", href)
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
    # the shadow report of the same window: the probe's route, nothing mismatched
    expect(page.locator("#shadow-paths tbody tr").first).to_contain_text("/api/v1/criteria")
    expect(page.locator("#shadow-summary")).to_contain_text("0 % mismatched")
    assert int(page.locator("#chart-shadow").get_attribute("data-points") or "0") >= 2
    expect(page.locator("#metrics-source")).to_contain_text("fallbacks to v1 since start-up")
    check_page(page, "ops")
