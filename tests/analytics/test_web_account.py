"""The dashboard links each account to its page, served behind the same login, readable on a phone."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest
from starlette.applications import Starlette
from starlette.routing import Mount

from tests.analytics.test_web import PATH, TOKEN, mount_of, store_settings

if TYPE_CHECKING:
    from playwright.sync_api import Browser
    from starlette.types import ASGIApp

    from tests.conftest import LiveServer

AUTH = {"Authorization": f"Bearer {TOKEN}"}


def serve(live_server: Callable[[ASGIApp], LiveServer], tmp_path: Path) -> LiveServer:
    path, app = mount_of(store_settings(tmp_path))
    return live_server(Starlette(routes=[Mount(path, app=app)]))


def test_every_account_row_links_to_its_page_behind_the_login(
    live_server: Callable[[ASGIApp], LiveServer], tmp_path: Path
) -> None:
    server = serve(live_server, tmp_path)
    dashboard = httpx.get(f"{server.url}{PATH}/", headers=AUTH).text
    links = re.findall(r'<a href="(accounts/[^"]+)">', dashboard)
    assert "accounts/ACC-001" in links and "accounts/ACC-003" in links
    for headers in ({}, {"Authorization": "Bearer wrong"}):
        refused = httpx.get(f"{server.url}{PATH}/accounts/ACC-001", headers=headers)
        assert refused.status_code == 401 and "张伟" not in refused.text and "恒锐精工" not in refused.text
    page = httpx.get(f"{server.url}{PATH}/accounts/ACC-001", headers=AUTH)
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    assert "恒锐精工" in page.text and "时间线" in page.text and "张伟" in page.text  # the lead's name
    assert "行业 <b>制造</b>" in page.text and "manufacturing" not in page.text  # the taxonomy's name, not the id
    assert "default-src 'none'" in page.headers["content-security-policy"]
    assert httpx.get(f"{server.url}{PATH}/accounts/ACC-404", headers=AUTH).status_code == 404


@pytest.mark.browser
def test_the_account_page_fits_a_phone_in_chromium(
    browser: Browser, live_server: Callable[[ASGIApp], LiveServer], artifacts: Path, tmp_path: Path
) -> None:
    server = serve(live_server, tmp_path)
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True,
                                  has_touch=True, locale="zh-CN")  # fmt: skip
    requested: list[str] = []
    context.on("request", lambda request: requested.append(request.url))
    try:
        page = context.new_page()
        opened = page.goto(f"{server.url}{PATH}/?token={TOKEN}")  # log in once; the cookie covers the account pages
        assert opened is not None and opened.status == 200
        page.locator('section#accounts a[href="accounts/ACC-001"]').click()
        page.wait_for_url(f"{server.url}{PATH}/accounts/ACC-001")
        assert page.locator("h2", has_text="账户详情").is_visible()
        assert page.locator("ol.timeline li").count() >= 10
        widest = page.evaluate("""() => Math.max(document.documentElement.scrollWidth,
            ...Array.from(document.querySelectorAll('body *')).map(e => e.getBoundingClientRect().right))""")
        assert widest <= 390, f"something is {widest}px wide on a 390px screen"
        page.screenshot(path=str(artifacts / "account-390.png"), full_page=True)
        assert all(url.startswith(f"{server.url}/") for url in requested), requested
    finally:
        context.close()
