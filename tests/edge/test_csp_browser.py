"""Every kind of page of the built demo site, served by a real edge, in real Chromium under its CSP:
nothing is refused (no `securitypolicyviolation` event, no "Refused to" console message)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from personalize import manifest
from tests.build.test_site_browser import SEARCH_WORD, search
from tests.edge.edge_client import BROWSER_UA
from tests.edge.test_gated_download import VISITOR, edge, gated_pages, static_gated

__all__ = ["edge", "gated_pages", "static_gated"]  # fixtures
pytestmark = pytest.mark.browser

#: Collects every CSP violation of the page (and its workers' reports bubble to the document).
LISTEN = """
window.__violations = [];
document.addEventListener('securitypolicyviolation', e =>
  window.__violations.push(e.violatedDirective + ' ' + e.blockedURI + ' ' + (e.sample || '')));
"""


class Watched:
    """A page whose CSP refusals (events and console messages) are kept, and checked after each step."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.console: list[str] = []
        page.on("console", lambda message: self.console.append(message.text))

    def refusals(self) -> list[str]:
        violations = self.page.evaluate("window.__violations || []")
        return [*violations, *(text for text in self.console if "Content Security Policy" in text or "Refused" in text)]


@pytest.fixture
def watched(browser: Any) -> Iterator[Watched]:
    context = browser.new_context(user_agent=BROWSER_UA, viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    context.add_init_script(LISTEN)
    try:
        yield Watched(context.new_page())
    finally:
        context.close()


def test_every_page_kind_runs_under_the_policy_without_a_refusal(
    watched: Watched, edge: Any, gated_pages: dict[str, str], built_site: Path
) -> None:
    public = manifest.read(built_site / "site" / manifest.PUBLIC_FILE)
    page = watched.page
    webinar = next(p for p in public.pages if p.webinar is not None)
    resource = next(p for p in public.pages if p.kind == "resource" and not p.webinar and not p.download)
    seen: dict[str, list[str]] = {}

    response = page.goto(f"{edge.url}/")
    assert "default-src 'self'" in response.headers["content-security-policy"]
    page.wait_for_load_state("networkidle")
    seen["home"] = watched.refusals()
    search(page, SEARCH_WORD)
    seen["search"] = watched.refusals()

    page.goto(f"{edge.url}/resources/?industry=retail&stage=mofu")
    page.click("[data-abm-facet=type] input[value='whitepaper'] + span")
    page.wait_for_load_state("networkidle")
    seen["listing"] = watched.refusals()

    for kind, path in (("resource", resource.url), ("webinar", webinar.url)):
        page.goto(f"{edge.url}/{path}")
        page.wait_for_load_state("networkidle")
        seen[kind] = watched.refusals()

    page.goto(edge.url + min(gated_pages))
    form = page.locator("form.abm-lead")
    for name, value in VISITOR.items():
        form.locator(f"input[name={name}]").fill(value)
    form.locator("input[name=consent]").check()
    form.locator("button[type=submit]").click()
    page.locator(".abm-lead-success").wait_for()
    page.wait_for_load_state("networkidle")
    seen["gated form"] = watched.refusals()

    page.goto(f"{edge.url}/no-such-page/")
    seen["404"] = watched.refusals()
    assert {kind: refused for kind, refused in seen.items() if refused} == {}
