"""axe-core (the copy vendored by the pinned `axe-playwright-python` wheel) run in a Playwright page."""

from __future__ import annotations

from typing import Any

from axe_playwright_python.base import AXE_FILE_PATH

#: WCAG 2.2 A/AA (contrast, names, target size) and axe's best practices; no rule is turned off
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
BLOCKING = ("serious", "critical")
#: one page of each template a visitor reaches (also what benchmarks/lighthouse.py measures)
PAGES = {
    "home": "/",
    "listing": "/resources/",
    "industry": "/industries/manufacturing/",
    "resource": "/resources/articles/what-is-abm/",
    "webinar": "/resources/webinars/2026-05-after-sales-profit-center/",
}


def violations(page: Any, *, impacts: tuple[str, ...] = BLOCKING) -> list[dict[str, Any]]:
    """axe's violations of the page as it is now whose impact is one of `impacts`."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_FILE_PATH.read_text(encoding="utf-8"))  # through DevTools: no CSP stands in the way
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
                           TAGS)
    return [v for v in result["violations"] if v["impact"] in impacts]


def describe(found: list[dict[str, Any]]) -> str:
    """One line per violation and up to three of its elements, for an assertion message."""
    lines = []
    for violation in found:
        lines.append(f"{violation['impact']} {violation['id']}: {violation['help']}")
        for node in violation["nodes"][:3]:
            lines.append(f"    {' '.join(node['target'])}: {node.get('failureSummary', '').splitlines()[-1:]}")
    return "\n".join(lines)
