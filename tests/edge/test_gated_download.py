"""Every gated asset of the demo build can be obtained by filling its form, the way a visitor does it.

A real edge on the built demo site: each gated page is opened as a new visitor, its form is read
from the served HTML (hidden fields as they are), filled and posted; the success page's link must
serve the page's file. The same through the form drawn again after one invalid submit. Each lead
row must name its page (as pageviews do), its asset and the consent text that visitor was shown.
"""

from __future__ import annotations

import mimetypes
import sqlite3
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx
import pytest
from bs4 import BeautifulSoup, Tag

from personalize import manifest
from personalize.leadform import consent_id
from tests.edge.edge_client import BROWSER_UA, rows, start_demo_edge
from tests.soup import attr, one

VISITOR = {"name": "陈静", "company": "华峻重工", "email": "chen.jing@huajun-hi.com", "phone": "13800138000",
           "role": "采购经理"}


@pytest.fixture(scope="module")
def static_gated(built_site: Path) -> dict[str, manifest.Page]:
    """Request path -> manifest page, for every page the static build draws a lead form on."""
    public = manifest.read(built_site / "site" / manifest.PUBLIC_FILE)
    pages = {}
    for page in public.pages:
        html = (built_site / "site" / page.file).read_text(encoding="utf-8")
        if BeautifulSoup(html, "html.parser").select_one("form.abm-lead") is not None:
            assert page.download, f"{page.url} shows a lead form but names no download"
            pages["/" + page.url] = page
    return pages


@pytest.fixture
def gated_pages(edge: Any, static_gated: dict[str, manifest.Page], built_site: Path) -> dict[str, str]:
    """Page -> asset, for every page the edge asks a new visitor's details on; the others link the file."""
    gated = {}
    for path, page in sorted(static_gated.items()):
        with visitor(edge) as client:
            html = client.get(path).text
            if BeautifulSoup(html, "html.parser").select_one("form.abm-lead") is not None:
                gated[path] = "/" + (page.download or "")
                continue
            assert (page.gated, page.stage) == ("auto", "tofu"), f"{path}: neither a form nor open by policy"
            link = BeautifulSoup(html, "html.parser").select_one(f'[data-abm-slot="cta"] a[href="/{page.download}"]')
            assert link is not None and client.get(attr(link, "href")).status_code == 200, path
    assert len(gated) >= 3, gated  # the demo has several gated orange books, whitepapers and case studies
    return gated


@pytest.fixture
def edge(built_site: Path, tmp_path: Path, live_server: Any) -> Any:
    return start_demo_edge(built_site, tmp_path, live_server)


def visitor(edge: Any) -> httpx.Client:
    return httpx.Client(base_url=edge.url, headers={"user-agent": BROWSER_UA}, timeout=10)


def read_form(html: str) -> tuple[Tag, dict[str, str], str]:
    """The lead form as served, its fields filled the way a person would, and the consent text it shows."""
    form = BeautifulSoup(html, "html.parser").select_one("form.abm-lead")
    assert form is not None, "no lead form on the page"
    data = {attr(field, "name"): attr(field, "value", "") for field in form.select("input[type=hidden]")}
    for name, value in VISITOR.items():
        assert form.select_one(f"input[name={name}]") is not None, name
        data[name] = value
    data["consent"] = attr(one(form, "input[name=consent]"), "value")
    consent = one(form, ".abm-lead__consent").get_text(strip=True)
    return form, data, consent


def privacy_link(form: Tag) -> str:
    """Where the form's privacy-policy link points (PIPL: readable before the visitor consents)."""
    link = form.select_one(".abm-lead__privacy a[href]")
    assert link is not None, "the form links no privacy policy"
    return str(link["href"])


def submit(client: httpx.Client, page: str, form: Tag, data: dict[str, str]) -> httpx.Response:
    return client.post(urljoin(page, attr(form, "action")), data=data)


def fetch_download(client: httpx.Client, success_html: str, built_site: Path, asset: str) -> None:
    """The success page links the asset, and the link serves that very file."""
    link = BeautifulSoup(success_html, "html.parser").select_one(".abm-lead-success a[href]")
    assert link is not None, "the success page has no download link"
    assert urlsplit(attr(link, "href")).path == asset
    response = client.get(attr(link, "href"))
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == mimetypes.guess_type(asset)[0]
    assert response.content == (built_site / "site" / asset.lstrip("/")).read_bytes()


def stored_lead(edge: Any, email: str) -> dict[str, Any]:
    [lead] = rows(edge.db, f"SELECT * FROM leads WHERE email = '{email}'")
    return lead


def test_every_gated_page_gives_its_asset_after_the_form(edge: Any, gated_pages: dict[str, str],
                                                         built_site: Path) -> None:
    for number, (page, asset) in enumerate(sorted(gated_pages.items())):
        with visitor(edge) as client:
            form, data, consent = read_form(client.get(page).text)
            assert data["page"] == page and data["asset"] == asset
            policy = client.get(urljoin(page, privacy_link(form)))
            assert policy.status_code == 200 and "<h1" in policy.text and "隐私政策" in policy.text
            email = f"chen.jing+{number}@huajun-hi.com"
            answer = submit(client, page, form, {**data, "email": email})
            assert answer.status_code == 200 and "提交成功" in answer.text, page
            fetch_download(client, answer.text, built_site, asset)
        lead = stored_lead(edge, email)
        assert (lead["path"], lead["asset"]) == (page, asset)
        assert lead["consent_text"] == consent and lead["consent_id"] == consent_id(consent) == data["consent_id"]


def test_the_form_drawn_again_after_a_mistake_gives_the_asset_too(edge: Any, gated_pages: dict[str, str],
                                                                  built_site: Path) -> None:
    for number, (page, asset) in enumerate(sorted(gated_pages.items())):
        with visitor(edge) as client:
            first, data, first_consent = read_form(client.get(page).text)
            wrong = submit(client, page, first, {**data, "email": "chen.jing@qq.com"})
            assert wrong.status_code == 400 and "请使用公司邮箱" in wrong.text
            again, data, consent = read_form(wrong.text)
            assert consent == first_consent and data["page"] == page and data["asset"] == asset
            assert privacy_link(again) == privacy_link(first) == "/privacy/"  # the edge's redraw links the policy too
            assert data["name"] == VISITOR["name"]  # what the visitor typed is kept
            email = f"chen.jing+again{number}@huajun-hi.com"
            answer = submit(client, page, again, {**data, "email": email})
            assert answer.status_code == 200 and "提交成功" in answer.text, page
            fetch_download(client, answer.text, built_site, asset)
        lead = stored_lead(edge, email)
        assert (lead["path"], lead["asset"], lead["consent_text"]) == (page, asset, consent)


def test_a_known_lead_gets_every_gated_asset_directly_and_each_download_is_logged(
        edge: Any, gated_pages: dict[str, str], built_site: Path) -> None:
    first_page = min(gated_pages)
    with visitor(edge) as client:
        form, data, _ = read_form(client.get(first_page).text)
        assert submit(client, first_page, form, data).status_code == 200
        for page, asset in sorted(gated_pages.items()):
            html = client.get(page).text
            soup = BeautifulSoup(html, "html.parser")
            assert soup.select_one("form.abm-lead") is None, f"{page}: a known lead is asked again"
            link = soup.select_one(f'[data-abm-slot="cta"] a[href="{asset}"]')
            assert link is not None, f"{page}: no direct link to {asset}"
            response = client.get(attr(link, "href"), headers={"referer": edge.url + page})
            assert response.status_code == 200 and response.content == (built_site / "site" / asset[1:]).read_bytes()
    assert edge.app.edge.events.flush(10)
    [lead] = rows(edge.db, "SELECT visitor_id FROM leads")
    downloads = rows(edge.db, "SELECT path, extra FROM events WHERE kind = 'download' AND visitor_id = "
                              f"'{lead['visitor_id']}' ORDER BY rowid")
    assert [(d["path"], d["extra"]) for d in downloads] == [
        (page, f'{{"asset":"{asset}"}}') for page, asset in sorted(gated_pages.items())
    ]


def test_leads_of_forms_without_the_slash_are_migrated(tmp_path: Path) -> None:
    """A store written before the fix: lead rows and lead events get the page path pageviews have."""
    db = tmp_path / "old.sqlite"
    connection = sqlite3.connect(db)
    from personalize.database import apply_migrations, migrate
    from personalize.events import MIGRATIONS

    apply_migrations(connection, "events", MIGRATIONS[:1])
    connection.execute("INSERT INTO leads (lead_id, path, asset) VALUES ('L1', 'resources/x/', 'downloads/x.pdf')")
    connection.execute("INSERT INTO leads (lead_id, path, asset) VALUES ('L2', '/resources/y/', NULL)")
    connection.execute("INSERT INTO events (ts, kind, path) VALUES ('2026-11-01T00:00:00.000Z', 'lead', 'resources/x/')")
    connection.execute("INSERT INTO events (ts, kind, path) VALUES ('2026-11-01T00:00:01.000Z', 'pageview', 'odd')")
    connection.commit()
    assert migrate(connection) == len(MIGRATIONS)
    assert connection.execute("SELECT lead_id, path, asset, consent_id FROM leads ORDER BY lead_id").fetchall() == [
        ("L1", "/resources/x/", "/downloads/x.pdf", None), ("L2", "/resources/y/", None, None)]
    assert connection.execute("SELECT kind, path FROM events ORDER BY ts").fetchall() == [
        ("lead", "/resources/x/"), ("pageview", "odd")]  # only lead events came from the form
    connection.close()


@pytest.mark.browser
def test_in_chromium_a_visitor_fills_the_form_and_downloads_the_asset(
        browser: Any, edge: Any, gated_pages: dict[str, str], built_site: Path, artifacts: Path) -> None:
    page_path, asset = min(gated_pages.items())
    context = browser.new_context(user_agent=BROWSER_UA, locale="zh-CN", accept_downloads=True)
    try:
        page = context.new_page()
        page.goto(edge.url + page_path)
        form = page.locator("form.abm-lead")
        form.locator("input[name=name]").fill(VISITOR["name"])
        form.locator("input[name=company]").fill(VISITOR["company"])
        form.locator("input[name=email]").fill("chen.jing@qq.com")  # a personal address first: the form says why not
        form.locator("input[name=role]").fill(VISITOR["role"])
        form.locator("input[name=consent]").check()
        form.locator("button[type=submit]").click()
        assert "请使用公司邮箱" in page.locator("form.abm-lead label .abm-error").inner_text()
        form = page.locator("form.abm-lead")
        assert form.locator("input[name=name]").input_value() == VISITOR["name"]
        form.locator("input[name=email]").fill(VISITOR["email"])
        form.locator("input[name=consent]").check()
        form.locator("button[type=submit]").click()
        link = page.locator(".abm-lead-success a[download]")
        link.wait_for()
        page.screenshot(path=str(artifacts / "lead-success.png"), full_page=True)
        with page.expect_download() as download:
            link.click()
        saved = Path(download.value.path())
        assert saved.read_bytes() == (built_site / "site" / asset[1:]).read_bytes()
    finally:
        context.close()
    lead = stored_lead(edge, VISITOR["email"])
    assert (lead["path"], lead["asset"]) == (page_path, asset)
