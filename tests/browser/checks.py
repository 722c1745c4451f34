"""What every page must pass, at the end of each page's test with its content on screen:
screenshots at 1280 px and 390 px, no horizontal scrolling at 390 px, and axe-core (vendored,
frontend/vendor/axe-core) with no serious or critical violation."""

from __future__ import annotations

from playwright.sync_api import Page

from tests.browser.conftest import SCREENSHOTS

WIDE, NARROW = 1280, 390
AXE = "/vendor/axe-core/axe.min.js"
RUN_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    targets: v.nodes.slice(0, 3).map((node) => node.target.join(" ")),
  }));
}"""
OVERFLOW = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"


def check_page(page: Page, name: str) -> None:
    """Screenshots, overflow at 390 px and axe at both widths."""
    SCREENSHOTS.mkdir(exist_ok=True)
    page.add_script_tag(url=AXE)  # same origin: the pages' CSP allows it, as it must
    for width in (WIDE, NARROW):
        page.set_viewport_size({"width": width, "height": 900})
        overflow = _settled_overflow(page)
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{width}.png"), full_page=True)
        if width == NARROW:
            assert overflow <= 0, f"{name} scrolls sideways at {width} px ({overflow} px)"
        violations = page.evaluate(RUN_AXE)
        serious = [v for v in violations if v["impact"] in ("serious", "critical")]
        assert serious == [], f"{name} at {width} px: {serious}"


def _settled_overflow(page: Page) -> int:
    """The sideways overflow once the layout has followed a new viewport: charts resize
    their canvases a few frames later (Chart.js observes its box), so wait up to a second
    for the overflow to go; one that stays is the page's."""
    overflow = 0
    for _ in range(20):
        overflow = int(page.evaluate(OVERFLOW))
        if overflow <= 0:
            break
        page.wait_for_timeout(50)
    return overflow
