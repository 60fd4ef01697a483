"""Real Chromium: a personalized page shows the industry hero server-side, asks no other host, beacons work."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest

from personalize.edge.beacon import SCRIPT_PATH
from tests.edge.edge_client import BROWSER_UA, link, root, start_edge

__all__ = ["root", "start_edge"]  # fixtures
pytestmark = pytest.mark.browser


def test_industry_hero_without_other_hosts(browser: Any, start_edge: Any, artifacts: Any) -> None:
    edge = start_edge()
    context = browser.new_context(user_agent=BROWSER_UA, java_script_enabled=True)
    requests: list[str] = []
    context.on("request", lambda request: requests.append(request.url))
    page = context.new_page()
    try:
        page.goto(f"{edge.url}/resources/trends/?abm={link(industry='manufacturing', preview=True)}")
        hero = page.locator('[data-abm-slot="hero"]')
        assert "HERO-MANUFACTURING" in hero.inner_text()
        page.screenshot(path=str(artifacts / "edge-industry-hero.png"), full_page=True)
        with page.expect_request(lambda request: request.url.endswith("/abm/beacon")):
            page.locator("a.OPEN-LINK").click()
        page.wait_for_timeout(200)
    finally:
        context.close()
    hosts = {urlsplit(url).netloc for url in requests}
    assert hosts == {urlsplit(edge.url).netloc}, hosts
    assert any(url.endswith(SCRIPT_PATH) for url in requests)
    kinds = [event["kind"] for event in edge.events()]
    assert kinds[0] == "pageview" and "download" in kinds


def test_javascript_off_still_personalized(browser: Any, start_edge: Any) -> None:
    edge = start_edge()
    context = browser.new_context(user_agent=BROWSER_UA, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(f"{edge.url}/?abm={link('ACC-1')}")
        assert "HERO-ACC-1" in page.locator('[data-abm-slot="hero"]').inner_text()
        page.goto(f"{edge.url}/resources/whitepaper/")  # the cookie carries the account on
        assert page.locator("a.OPEN-LINK").count() == 1
    finally:
        context.close()
