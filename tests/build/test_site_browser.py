"""The built demo site in a real Chromium, served by a plain Starlette StaticFiles app on loopback:
faceted filtering in combination, filters in the URL, Chinese search, no request to another host."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from starlette.applications import Starlette
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from personalize import manifest
from personalize.build.listing import FACETS

pytestmark = pytest.mark.browser

#: A combination to click: several facets (AND) and two values in one facet (OR).
CHOICE = {"industry": ["retail"], "stage": ["mofu"], "type": ["whitepaper", "ebook", "webinar"]}
#: A word of the demo content that jieba keeps as one token.
SEARCH_WORD = "经销商"


@pytest.fixture(scope="module")
def public(built_site: Path) -> manifest.Manifest:
    return manifest.read(built_site / "site" / manifest.PUBLIC_FILE)


@pytest.fixture
def site(built_site: Path, live_server: Any) -> str:
    app = Starlette(routes=[Mount("/", StaticFiles(directory=built_site / "site", html=True))])
    return str(live_server(app).url)


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    try:
        yield context.new_page()
    finally:
        context.close()


def expected_urls(public: manifest.Manifest, choice: dict[str, list[str]]) -> set[str]:
    def matches(page: manifest.Page, facet: str, values: list[str]) -> bool:
        tags = getattr(page, FACETS[facet][1])
        tags = tags if isinstance(tags, list) else [tags]
        return any(v in tags or (facet == "industry" and "all" in tags) for v in values)

    return {"/" + p.url for p in public.pages
            if p.kind == "resource" and all(matches(p, f, values) for f, values in choice.items())}


def visible_cards(page: Any) -> set[str]:
    hrefs = page.eval_on_selector_all(
        "[data-abm-results] .abm-card:not([hidden]) a", "links => links.map(a => new URL(a.href).pathname)")
    return set(hrefs)


def test_filters_combine_and_show_exactly_the_matching_resources(page: Any, site: str, public: manifest.Manifest,
                                                                 artifacts: Path) -> None:
    expected = expected_urls(public, CHOICE)
    everything = expected_urls(public, {})
    assert expected and expected < everything, "the demo content should make this combination a real filter"
    page.goto(f"{site}/resources/")
    assert visible_cards(page) == everything
    for facet, values in CHOICE.items():
        for value in values:
            page.click(f"[data-abm-facet={facet}] input[value='{value}'] + span")
    assert visible_cards(page) == expected
    assert page.text_content("[data-abm-count]") == str(len(expected))
    query = parse_qs(urlsplit(page.url).query)
    assert {facet: sorted(values) for facet, values in query.items()} == {f: sorted(v) for f, v in CHOICE.items()}
    page.screenshot(path=str(artifacts / "listing-filtered.png"), full_page=True)

    page.click("[data-abm-clear]")
    assert visible_cards(page) == everything
    assert urlsplit(page.url).query == ""


def test_a_filtered_link_opens_the_listing_filtered(page: Any, site: str, public: manifest.Manifest) -> None:
    page.goto(f"{site}/resources/?industry=retail&stage=mofu&type=whitepaper&type=ebook&type=webinar")
    assert visible_cards(page) == expected_urls(public, CHOICE)
    assert page.is_checked("[data-abm-facet=industry] input[value=retail]")


def test_a_combination_without_resources_says_so(page: Any, site: str, public: manifest.Manifest) -> None:
    choice = {"industry": ["finance"], "type": ["webinar"], "stage": ["tofu"]}
    page.goto(f"{site}/resources/?industry=finance&type=webinar&stage=tofu")
    assert visible_cards(page) == expected_urls(public, choice)
    if not expected_urls(public, choice):
        assert page.is_visible("[data-abm-empty]")


def search(page: Any, word: str) -> str:
    """Type into material's search box until its worker has the index, then return the results' text.

    Chinese text arrives as one text insertion without key events, which material's search does not
    listen to (an IME ends with a keyup); pressing End gives it the key event a writer's typing gives.
    """
    page.click(".md-search__input")
    for _ in range(30):  # the worker drops queries typed before it has built the index
        page.fill(".md-search__input", "")
        page.keyboard.type(word)
        page.keyboard.press("End")
        try:
            page.wait_for_selector(".md-search-result__item", timeout=1_000)
            return str(page.text_content(".md-search-result__list") or "")
        except PlaywrightTimeout:
            continue
    pytest.fail(f"search for {word!r} showed no result")


def test_chinese_search_finds_a_word_of_the_demo_content(page: Any, site: str, built_site: Path) -> None:
    assert SEARCH_WORD in (built_site / "site" / "search" / "search_index.json").read_text(encoding="unicode_escape")
    page.goto(f"{site}/")
    results = search(page, SEARCH_WORD)
    assert SEARCH_WORD in results
    assert "<mark>" in page.inner_html(".md-search-result__list")


def test_no_page_requests_anything_from_another_host(page: Any, site: str, public: manifest.Manifest) -> None:
    requested: list[str] = []
    page.context.on("request", lambda request: requested.append(request.url))
    resource = next(p for p in public.pages if p.kind == "resource" and p.webinar)
    page.goto(f"{site}/")
    search(page, SEARCH_WORD)
    for path in ("/resources/", f"/{resource.url}", "/industries/retail/"):
        page.goto(site + path, wait_until="networkidle")
    hosts = {urlsplit(url).hostname for url in requested if urlsplit(url).scheme in ("http", "https", "ws", "wss")}
    assert len(requested) > 10
    assert hosts == {"127.0.0.1"}, sorted(url for url in requested if urlsplit(url).hostname != "127.0.0.1")


@pytest.fixture
def phone(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True,
                                  has_touch=True)
    try:
        yield context.new_page()
    finally:
        context.close()


def a_resource(public: manifest.Manifest, *, gated: bool) -> str:
    return next("/" + p.url for p in public.pages if p.kind == "resource" and p.cta and (p.gated != "false") == gated)


def test_a_resource_page_leads_with_its_title_and_shows_the_form_beside_it(page: Any, site: str,
                                                                           public: manifest.Manifest,
                                                                           artifacts: Path) -> None:
    page.goto(site + a_resource(public, gated=True))
    title = page.locator(".abm-resource__main h1")
    style = title.evaluate("h => { const s = getComputedStyle(h); return [s.fontWeight, s.color]; }")
    assert int(style[0]) >= 600 and style[1] == "rgba(0, 0, 0, 0.87)"  # bold, material's full text colour
    assert title.bounding_box()["y"] < 1000 / 2  # above the fold, under a slim hero band
    form, article = page.locator("form.abm-lead").bounding_box(), page.locator(".abm-resource__main").bounding_box()
    assert form["x"] > article["x"] + article["width"] and form["y"] < 1000  # a column beside the text
    for name in ("name", "company", "email", "role", "consent"):
        assert page.locator(f"form.abm-lead [name={name}]").evaluate("e => e.required"), name
    trap = page.locator("form.abm-lead [name=website]").bounding_box()
    assert trap is None or trap["x"] + trap["width"] <= 0  # the honeypot is off-screen for people
    page.screenshot(path=str(artifacts / "resource-gated.png"), full_page=True)


def test_a_logo_wall_is_a_grid_without_bullets(page: Any, site: str) -> None:
    page.goto(site + "/industries/manufacturing/")
    items = page.locator(".abm-logos__item")
    assert items.count() >= 4
    assert {items.nth(i).evaluate("e => getComputedStyle(e).display") for i in range(items.count())} == {"flex"}
    assert page.locator(".abm-logos__list").evaluate("e => getComputedStyle(e).display") == "grid"
    tops = [items.nth(i).bounding_box()["y"] for i in range(4)]
    assert len(set(tops)) == 1  # side by side, not a column


def test_the_webinar_agenda_is_a_timeline_of_clock_times(page: Any, site: str, public: manifest.Manifest) -> None:
    webinar = next(p for p in public.pages if p.kind == "resource" and p.webinar)
    assert webinar.webinar is not None
    page.goto(site + "/" + webinar.url)
    clocks = page.locator(".abm-agenda__clock").all_inner_texts()
    assert len(clocks) == len(webinar.webinar.agenda) and clocks == sorted(clocks)
    assert page.locator(".abm-agenda").evaluate("e => getComputedStyle(e).listStyleType") == "none"


def test_on_a_phone_the_facets_fold_and_nothing_is_wider_than_the_screen(phone: Any, site: str,
                                                                         public: manifest.Manifest,
                                                                         artifacts: Path) -> None:
    phone.goto(f"{site}/resources/?industry=retail")
    toggle = phone.locator("[data-abm-filter-toggle]")
    assert toggle.is_visible() and not phone.is_visible("[data-abm-facet=industry]")
    assert toggle.get_attribute("aria-expanded") == "false" and "已选 1 项" in toggle.inner_text()
    assert phone.locator("[data-abm-results] .abm-card:not([hidden])").first.bounding_box()["y"] < 844
    toggle.click()
    assert phone.is_visible("[data-abm-facet=industry]") and toggle.get_attribute("aria-expanded") == "true"
    phone.click("[data-abm-facet=stage] input[value=mofu] + span")
    assert "已选 2 项" in toggle.inner_text()
    phone.screenshot(path=str(artifacts / "listing-phone.png"))
    for path in ("/", "/resources/", a_resource(public, gated=True), "/industries/retail/"):
        phone.goto(site + path)
        assert phone.evaluate("document.documentElement.scrollWidth") <= 390, path


def test_on_a_wide_screen_the_facets_show_without_a_toggle(page: Any, site: str) -> None:
    page.goto(f"{site}/resources/")
    assert not page.is_visible("[data-abm-filter-toggle]")
    assert page.is_visible("[data-abm-facet=persona]")
