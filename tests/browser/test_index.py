"""index.html in a real browser: evaluate, stream, accept, answer, refine (issue 14,
acceptance 1 and 2)."""

from __future__ import annotations

import re

from playwright.sync_api import Page, Route, expect

from tests.browser.checks import check_page
from tests.browser.records import decision_counts, drawn_decisions, report_summary

VAGUE_DE = "Das System sollte schnell sein."
DECISION = "**/api/v1/corrections/decision"


def _evaluate(page: Page, *lines: str) -> None:
    page.goto("/")
    page.fill("#input", "\n".join(lines))
    page.click("#evaluate")
    expect(page.locator("#progress-box")).to_have_attribute("data-percent", "100")


def test_evaluate_vague_german_requirement_fails_with_schnell_highlighted(page_de: Page) -> None:
    page = page_de
    _evaluate(page, VAGUE_DE)
    row = page.locator("#row-0")
    expect(row).to_have_attribute("data-verdict", "fail")
    expect(row.locator(".badge")).to_have_text("✗ nicht bestanden")
    mark = row.locator("mark.finding", has_text="schnell")
    expect(mark).to_have_count(1)
    tip = mark.locator(".tip")
    expect(tip).to_be_hidden()
    mark.focus()  # the keyboard shows the finding's message, as the mouse does
    expect(tip).to_be_visible()
    expect(tip).to_contain_text("schnell")
    expect(page.locator("#evaluate")).to_have_text("Bewerten")
    expect(page.locator("#variant")).to_contain_text("v1")
    check_page(page, "index")


def test_stream_thirty_items_progress_full_rows_in_input_order(page: Page) -> None:
    lines = [f"The system shall archive report {n} within {n + 1} seconds." for n in range(30)]
    _evaluate(page, *lines)
    expect(page.locator("#progress")).to_have_attribute("value", "30")
    expect(page.locator("#progress-text")).to_have_text("30 / 30 (100 %)")
    rows = page.locator("li.row")
    expect(rows).to_have_count(30)
    expect(rows.locator(".row-id")).to_have_text([f"REQ_{n + 1}" for n in range(30)])
    expect(rows.locator(".req-text")).to_have_text(lines, use_inner_text=True)
    expect(page.locator("li.row[data-state=done]")).to_have_count(30)


def test_accept_suggestion_raises_score(page_de: Page) -> None:
    page = page_de
    _evaluate(page, VAGUE_DE)
    row = page.locator("#row-0")
    before = float(row.get_attribute("data-score") or "nan")
    row.locator(".toggle-suggestions").click()
    card = row.locator("article.suggestion[data-needs-input=false]").first
    expect(card.locator(".correction")).to_have_text("Das System muss schnell sein.")
    card.locator("button.accept").click()
    expect(row.locator(".req-text")).to_have_text(
        "Das System muss schnell sein.", use_inner_text=True
    )
    expect(row.locator(".history")).to_be_visible()
    assert float(row.get_attribute("data-score") or "nan") > before


def test_answer_needs_input_question_then_passes(page_de: Page) -> None:
    page = page_de
    _evaluate(page, "Das System muss schnell reagieren.")
    row = page.locator("#row-0")
    expect(row).to_have_attribute("data-verdict", "fail")
    row.locator(".toggle-suggestions").click()
    card = row.locator("article.suggestion[data-needs-input=true]", has_text="„schnell“").first
    card.get_by_label("Welche messbare Grenze (Wert und Einheit) ersetzt „schnell“?").fill(
        "innerhalb von 2 Sekunden"
    )
    card.locator("button.apply-answer").click()
    expect(row).to_have_attribute("data-verdict", "pass")
    expect(row.locator(".req-text")).to_have_text(
        "Das System muss innerhalb von 2 Sekunden reagieren.", use_inner_text=True
    )


def test_auto_refine_shows_iterations_and_stop_reason(page: Page) -> None:
    _evaluate(page, "The system should be fast, if possible.")
    row = page.locator("#row-0")
    row.locator(".refine-button").click()
    steps = row.locator("ol.iterations li")
    expect(steps.first).to_contain_text("The system should be fast, if possible.")
    assert steps.count() >= 2
    expect(row.locator(".stop-reason")).to_have_attribute("data-reason", "needs_input")
    row.locator("button.use-final").click()
    expect(row.locator(".history")).to_be_visible()


def test_edit_by_hand_and_reanalyse(page: Page) -> None:
    _evaluate(page, "The system should be fast.")
    row = page.locator("#row-0")
    row.locator(".toggle-edit").click()
    row.locator(".editor textarea").fill("The system shall answer every search within 2 seconds.")
    row.locator("button.reanalyse").click()
    expect(row).to_have_attribute("data-verdict", "pass")


def test_load_demo_table_keeps_its_ids(page: Page) -> None:
    page.goto("/")
    page.click("#demo")
    expect(page.locator("#input")).to_have_value(
        re.compile("^Das System muss innerhalb von 2 Sekunden")
    )
    page.click("#evaluate")
    expect(page.locator("#progress-box")).to_have_attribute("data-percent", "100")
    expect(page.locator("li.row .row-id").first).to_have_text("REQ-001")


def test_accept_and_reject_post_decisions_the_reports_page_counts(page_de: Page) -> None:
    """Reject and accept are posted to the real decision route with the texts (the API
    hashes them), the criterion, the finding code the atom fixes and the variant; the
    reports page then counts both under their codes."""
    page = page_de
    before = decision_counts(report_summary(page))
    _evaluate(page, VAGUE_DE)
    row = page.locator("#row-0")
    row.locator(".toggle-suggestions").click()
    with page.expect_response(DECISION) as rejected:
        row.locator("article.suggestion[data-needs-input=true] button.reject").click()
    expect(row.locator("article.suggestion")).to_have_count(1)
    with page.expect_response(DECISION) as accepted:
        row.locator("button.accept").click()
    expect(row.locator(".history")).to_be_visible()
    for answer in (rejected.value, accepted.value):
        assert answer.status == 200 and answer.json()["status"] == "saved"
    assert rejected.value.request.post_data_json["findingCode"] == "vague_term"
    assert accepted.value.request.post_data_json == {
        "requirementText": VAGUE_DE,
        "suggestion": "Das System muss schnell sein.",
        "decision": "accepted",
        "criterion": "testability",
        "findingCode": "weak_modal",
        "variant": "v1",
    }

    page.goto("/reports.html")
    expect(page.locator("#status")).to_have_text("Bericht aktualisiert.")
    drawn = drawn_decisions(page)
    accepted_before, rejected_before = before.get("weak_modal", (0, 0))
    assert drawn["weak_modal"] == (accepted_before + 1, rejected_before)
    accepted_before, rejected_before = before.get("vague_term", (0, 0))
    assert drawn["vague_term"] == (accepted_before, rejected_before + 1)


def test_cancel_running_stream(page: Page) -> None:
    """The stream is held (never answered) until Cancel aborts the request."""
    held: list[Route] = []
    page.route("**/api/v1/validate/batch/stream", lambda route: held.append(route))
    page.goto("/")
    page.fill("#input", "The system shall log in.\nThe system shall log out.")
    page.click("#evaluate")
    expect(page.locator("#cancel")).to_be_enabled()
    expect(page.locator("li.row[data-state=pending]")).to_have_count(2)
    page.click("#cancel")
    expect(page.locator("#status")).to_have_text("Cancelled after 0 of 2.")
    expect(page.locator("li.row[data-state=cancelled]")).to_have_count(2)
    expect(page.locator("#evaluate")).to_be_enabled()
    assert len(held) == 1


TABLE = """# Spec

| id | requirementText | context |
|----|-----------------|---------|
| A-1 | The CLI shall accept `--format md\\|json`. | en |
| A-2 | The system shall log<br>every login. | en |
"""


def test_load_markdown_table_file_keeps_ids_and_cells(page: Page) -> None:
    page.goto("/")
    page.set_input_files(
        "#table-file",
        files=[{"name": "spec.md", "mimeType": "text/markdown", "buffer": TABLE.encode()}],
    )
    expect(page.locator("#input")).to_have_value(
        "The CLI shall accept `--format md|json`.\nThe system shall log every login."
    )
    page.click("#evaluate")
    expect(page.locator("#progress-box")).to_have_attribute("data-percent", "100")
    expect(page.locator("li.row .row-id")).to_have_text(["A-1", "A-2"])


def test_keyboard_alone_evaluates_and_opens_suggestions(page: Page) -> None:
    page.goto("/")
    page.keyboard.press("Tab")
    expect(page.locator(".skip-link")).to_be_focused()
    page.locator("#input").focus()
    page.keyboard.type("The system should be fast.")
    page.keyboard.press("Tab")
    expect(page.locator("#evaluate")).to_be_focused()  # Cancel, disabled, is not in the order
    page.keyboard.press("Enter")
    row = page.locator("#row-0")
    expect(row).to_have_attribute("data-verdict", "fail")
    row.locator(".toggle-suggestions").focus()
    page.keyboard.press("Enter")
    expect(row.locator(".toggle-suggestions")).to_have_attribute("aria-expanded", "true")
    expect(
        row.locator("section.suggestions input, section.suggestions button").first
    ).to_be_focused()
