"""The served dashboard in a real Chromium: closed without login, complete with it, and it never
asks any host other than the edge for anything."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from starlette.applications import Starlette
from starlette.routing import Mount

from tests.analytics.test_web import PATH, TOKEN, mount_of, store_settings

if TYPE_CHECKING:
    from playwright.sync_api import Browser
    from starlette.types import ASGIApp

    from tests.conftest import LiveServer

pytestmark = pytest.mark.browser


def test_the_dashboard_in_chromium_needs_a_login_and_stays_on_this_host(
    browser: Browser, live_server: Callable[[ASGIApp], LiveServer], artifacts: Path, tmp_path: Path
) -> None:
    path, app = mount_of(store_settings(tmp_path))
    server = live_server(Starlette(routes=[Mount(path, app=app)]))
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    requested: list[str] = []
    context.on("request", lambda request: requested.append(request.url))
    errors: list[str] = []
    page = context.new_page()
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        # (a navigation would stop at the Basic-auth prompt, which headless Chromium cannot show)
        closed = page.request.get(f"{server.url}{PATH}/")
        assert closed.status == 401 and "需要登录" in closed.text()
        assert closed.headers["www-authenticate"].startswith("Basic ")

        opened = page.goto(f"{server.url}{PATH}/?token={TOKEN}")
        assert opened is not None and opened.status == 200
        assert page.url == f"{server.url}{PATH}/"  # the token left the address bar for a cookie
        for section in ("accounts", "signals", "channels", "webinar", "experiments"):
            assert page.locator(f"section#{section}").is_visible()
        assert page.locator("section#signals .badge.surge").inner_text() == "激增"
        assert page.locator("section#accounts svg.chart").count() >= 2  # sparklines
        assert page.locator("section#channels svg.chart rect.bar").count() >= 2

        # the inline script sorts: by account name ascending, then by visits descending
        table = page.locator("section#accounts table")
        visits = table.locator("th", has_text="访问").first
        visits.click()
        first_desc = table.locator("tbody tr").first.locator("td").nth(2).inner_text()
        visits.click()
        first_asc = table.locator("tbody tr").first.locator("td").nth(2).inner_text()
        assert int(first_desc) > int(first_asc)

        page.screenshot(path=str(artifacts / "dashboard.png"), full_page=True)
        assert not errors
        assert requested and all(url.startswith(f"{server.url}/") for url in requested), requested
    finally:
        context.close()

    basic = browser.new_context(http_credentials={"username": "marketing", "password": TOKEN})
    try:
        response = basic.new_page().goto(f"{server.url}{PATH}/")
        assert response is not None and response.status == 200 and "鲜丰食品集团" in response.text()
    finally:
        basic.close()
