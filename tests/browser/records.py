"""The gateway's real records as the browser tests read and make them: the reports summary
through the API and as the reports page draws it, and evaluations forced to a variant."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page

from tests.browser.conftest import ADMIN_TOKEN

SUMMARY = "/api/v1/reports/summary"
# The labels and datasets of one chart of the reports page, as Chart.js holds them.
CHART_DATA = """(id) => {
  const chart = Chart.getChart(document.querySelector(`#${id} canvas`));
  const datasets = chart?.data.datasets.map((set) => ({label: set.label, data: set.data}));
  return chart && {labels: chart.data.labels, datasets};
}"""
# Whether a chart's datasets have these labels now (the page redraws after its answer).
DATASETS_ARE = """([id, labels]) => {
  const chart = Chart.getChart(document.querySelector(`#${id} canvas`));
  return !!chart && chart.data.datasets.map((set) => set.label).join() === labels.join();
}"""

Counts = dict[str, tuple[int, int]]


def report_summary(page: Page) -> dict[str, Any]:
    """GET /api/v1/reports/summary with its defaults (the last 7 days), as the page asks."""
    response = page.request.get(SUMMARY)
    assert response.ok, response.text()
    body: dict[str, Any] = response.json()
    return body


def decision_counts(summary: dict[str, Any]) -> Counts:
    """(accepted, rejected) per finding code of a summary; "" for decisions without one."""
    return {
        entry.get("findingCode", ""): (entry["accepted"], entry["rejected"])
        for entry in summary["decisions"]
    }


def drawn_decisions(page: Page) -> Counts:
    """(accepted, rejected) per label of the reports page's decisions chart."""
    chart = page.evaluate(CHART_DATA, "chart-decisions")
    accepted, rejected = (set_["data"] for set_ in chart["datasets"])
    return {label: (a, r) for label, a, r in zip(chart["labels"], accepted, rejected, strict=True)}


def evaluate_on(page: Page, variant: str, texts: list[str]) -> list[dict[str, Any]]:
    """validate/batch with suggestions on the variant the admin override forces."""
    response = page.request.post(
        "/api/v1/validate/batch",
        data={"items": texts, "includeSuggestions": True},
        headers={"X-Variant-Override": variant, "Authorization": f"Bearer {ADMIN_TOKEN}"},
    )
    assert response.ok and response.headers["x-variant"] == variant, response.text()
    items: list[dict[str, Any]] = response.json()
    return items
