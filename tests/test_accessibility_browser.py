"""axe-core over the pages a visitor and a marketer see, served by a real edge on the built demo site,
in Debian's Chromium at a phone's size: no `serious` or `critical` violation, no rule turned off.

The pages: home, listing, an industry landing, a resource page, a webinar, a gated orange book's lead
form answered with its errors after an invalid post, and the analytics dashboard behind its login
with one account's page, on a desktop and on a phone.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from personalize.edge.app import create_app
from personalize.edge.settings import Settings
from tests.analytics.abm_cli import run_abm
from tests.axe import PAGES, describe, violations
from tests.build.test_site_browser import SEARCH_WORD, search
from tests.conftest import LiveServer

pytestmark = pytest.mark.browser

TOKEN = "a11y-dashboard-token"
GATED = "/resources/orange-books/manufacturing-after-sales/"
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}


@pytest.fixture(scope="module")
def edge(built_site: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The edge on the demo build, its store filled with demo traffic for the dashboard."""
    tmp = tmp_path_factory.mktemp("a11y-edge")
    secret = tmp / "secret.key"
    secret.write_text("a" * 43 + "\n", encoding="utf-8")
    db = tmp / "abm.sqlite"
    accounts = built_site / "demo" / "accounts.csv"
    traffic = run_abm("demo", "traffic", "--db", db, "--days", 14, "--accounts", accounts, "--site", built_site / "site")
    assert traffic.exit_code == 0, traffic.output
    settings = Settings(site=built_site / "site", private_dir=built_site / "build" / "private", accounts=accounts,
                        taxonomy=built_site / "taxonomy.yml", secret_file=secret, db=str(db), holdout=0.0,
                        dashboard_token=TOKEN)
    with LiveServer(create_app(settings)) as server:
        yield server.url


@pytest.fixture
def phone(browser: Any) -> Iterator[Any]:
    context = browser.new_context(locale="zh-CN", **PHONE)
    try:
        yield context.new_page()
    finally:
        context.close()


def assert_accessible(page: Any, name: str, artifacts: Path) -> None:
    page.screenshot(path=str(artifacts / f"a11y-{name}.png"), full_page=True)
    found = violations(page)
    assert not found, f"{name} ({page.url}):\n{describe(found)}"


@pytest.mark.parametrize("name", PAGES)
def test_public_pages_have_no_serious_violation(phone: Any, edge: str, name: str, artifacts: Path) -> None:
    response = phone.goto(edge + PAGES[name])
    assert response is not None and response.status == 200
    assert_accessible(phone, name, artifacts)


def test_the_search_dialog_open_has_no_serious_violation(phone: Any, edge: str, artifacts: Path) -> None:
    phone.goto(edge + "/resources/")
    phone.click("label.md-header__button[for=__search]")  # on a phone the search box opens from the header
    assert SEARCH_WORD in search(phone, SEARCH_WORD)
    assert_accessible(phone, "search", artifacts)


def test_the_lead_form_with_its_errors_has_no_serious_violation(phone: Any, edge: str, artifacts: Path) -> None:
    phone.goto(edge + GATED)
    form = phone.locator("form.abm-lead")
    assert form.count() == 1, "a new visitor should be asked for details on this orange book"
    form.locator("input[name=name]").fill("陈静")
    form.locator("input[name=email]").fill("not-an-email")
    form.evaluate("form => { form.noValidate = true; }")  # post what the browser would refuse, as a bot could
    with phone.expect_navigation():
        form.locator("button[type=submit], input[type=submit]").first.click()
    assert phone.locator(".abm-error").count() >= 1, "the edge should answer with the form and its errors"
    assert_accessible(phone, "lead-form-errors", artifacts)


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_the_dashboard_and_an_account_page_have_no_serious_violation(browser: Any, edge: str, size: str,
                                                                      artifacts: Path) -> None:
    device = PHONE if size == "phone" else {"viewport": {"width": 1280, "height": 900}}
    context = browser.new_context(locale="zh-CN", **device)
    try:
        page = context.new_page()
        response = page.goto(f"{edge}/_abm/dashboard/?token={TOKEN}")
        assert response is not None and response.status == 200
        assert_accessible(page, f"dashboard-{size}", artifacts)
        account = page.locator("a[href^='accounts/']").first
        assert account.count() == 1, "the accounts section should link each account's page"
        with page.expect_navigation():
            account.click()
        assert "/_abm/dashboard/accounts/" in page.url
        assert_accessible(page, f"dashboard-account-{size}", artifacts)
    finally:
        context.close()
