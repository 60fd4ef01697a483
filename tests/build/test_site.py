"""The built demo resource center, read as files: manifest, slots, listing, facet pages, CTAs."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urljoin

import icalendar
import pytest
from bs4 import BeautifulSoup

from personalize import manifest
from personalize.build.listing import FACETS
from personalize.build.resources import collect
from personalize.build.variants import read_variants
from personalize.taxonomy import Taxonomy
from tests.soup import attr, one


@pytest.fixture(scope="module")
def public(built_site: Path) -> manifest.Manifest:
    return manifest.read(built_site / "site" / manifest.PUBLIC_FILE)


@pytest.fixture(scope="module")
def private(built_site: Path) -> manifest.Manifest:
    return manifest.read(built_site / "build" / "private" / manifest.PRIVATE_FILE, schema=manifest.PRIVATE_SCHEMA)


def html(built_site: Path, url: str) -> BeautifulSoup:
    return BeautifulSoup((built_site / "site" / url / "index.html").read_text(encoding="utf-8"), "html.parser")


def resources(m: manifest.Manifest) -> list[manifest.Page]:
    return [page for page in m.pages if page.kind == "resource"]


def matches(page: manifest.Page, facet: str, value: str) -> bool:
    values = getattr(page, FACETS[facet][1])
    values = values if isinstance(values, list) else [values]
    return value in values or (facet == "industry" and "all" in values)


def site_url(page_url: str, href: str) -> str:
    """A link of a page as a site-relative URL (with its query), however the theme wrote it."""
    return urljoin(f"http://site/{page_url}", href).removeprefix("http://site/")


def card_urls(soup: BeautifulSoup, page_url: str) -> set[str]:
    return {site_url(page_url, attr(card, "href")) for card in soup.select("[data-abm-results] .abm-card__link")}


def test_every_public_resource_is_in_the_public_manifest_and_every_account_page_in_the_private_one(
        built_site: Path, public: manifest.Manifest, private: manifest.Manifest) -> None:
    found, problems = collect(built_site / "content", root=built_site,
                              taxonomy=Taxonomy.load(built_site / "taxonomy.yml"))
    assert not [p for p in problems if p.severity == "error"]
    assert {r.path for r in found if not r.accounts} == {p.src for p in resources(public)}
    assert {r.path for r in found if r.accounts} == {p.src for p in resources(private)}
    assert all(p.accounts for p in private.pages) and not any(p.accounts for p in public.pages)


def test_public_variants_are_default_and_industries_account_variants_are_private(
        public: manifest.Manifest, private: manifest.Manifest) -> None:
    assert "default" in public.variants
    assert {k for k in public.variants if k != "default"} == {f"industry:{i}" for i in public.taxonomy["industries"]
                                                              if i != "all"}
    assert private.variants and all(key.startswith("account:") for key in private.variants)
    for fragments in public.variants.values():
        assert set(fragments) == set(manifest.SLOTS)


def test_account_variants_carry_only_the_slots_their_writers_set(built_site: Path,
                                                                  private: manifest.Manifest) -> None:
    """The edge falls back per slot to the account's industry, so nothing may be pre-filled."""
    docs = built_site / "content"
    sources = [(str(path.relative_to(built_site)), path.read_text(encoding="utf-8"))
               for path in sorted((docs / "variants").glob("*.md"))]
    variants, problems = read_variants(sources, taxonomy=Taxonomy.load(built_site / "taxonomy.yml"), docs_dir=docs)
    assert not problems
    written = {key: set(variant.slots) for key, variant in variants.items() if variant.private}
    assert written == {key: set(fragments) for key, fragments in private.variants.items()}


def test_every_slotted_page_holds_its_default_between_the_markers_inside_its_container(
        built_site: Path, public: manifest.Manifest) -> None:
    slotted = [page for page in public.pages if page.slots]
    assert {"home", "resource", "industry"} <= {page.kind for page in slotted}
    for page in slotted:
        text = (built_site / "site" / page.file).read_text(encoding="utf-8")
        for slot in page.slots:
            start, end = manifest.slot_markers(slot)
            assert text.count(start) == 1 and text.count(end) == 1, (page.url, slot)
            assert re.search(rf'<div [^>]*data-abm-slot="{slot}"[^>]*>{re.escape(start)}.*?{re.escape(end)}</div>',
                             text, re.S), (page.url, slot)


def test_page_defaults_come_from_the_same_partials_as_the_variants(built_site: Path,
                                                                   public: manifest.Manifest) -> None:
    home = (built_site / "site" / "index.html").read_text(encoding="utf-8")
    for slot in manifest.SLOTS:
        start, end = manifest.slot_markers(slot)
        assert start + public.variants["default"][slot] + end in home
    retail = (built_site / "site" / "industries" / "retail" / "index.html").read_text(encoding="utf-8")
    assert "<!--abm:slot:hero-->" + public.variants["industry:retail"]["hero"] in retail


def test_pages_with_an_asset_carry_an_open_link_and_a_lead_form(built_site: Path,
                                                               public: manifest.Manifest) -> None:
    with_asset = [page for page in resources(public) if page.download]
    assert {"true", "false"} <= {page.gated for page in with_asset} or len(with_asset) > 1
    for page in with_asset:
        assert page.cta is not None and page.download is not None, page.url
        assert (built_site / "site" / page.download).is_file(), page.url
        form = BeautifulSoup(page.cta["gated"], "html.parser").form
        assert form is not None, f"{page.url}: no lead form in the gated CTA"
        assert form["method"] == "post" and form["action"] == "/abm/lead"
        assert {"name", "company", "email", "phone", "role", "consent", "page", "asset"} <= {
            field["name"] for field in form.select("input")}
        assert one(form, "input[name=consent]").has_attr("required")
        privacy = form.select_one(".abm-lead__privacy a")  # PIPL: the policy can be read before consenting
        assert privacy is not None and privacy["href"] == public.privacy == "/privacy/"
        link = BeautifulSoup(page.cta["open"], "html.parser").a
        assert link is not None, f"{page.url}: no link in the open CTA"
        assert link["href"] == "/" + page.download
        shown = "open" if page.gated == "false" else "gated"
        assert page.cta[shown] in (built_site / "site" / page.file).read_text(encoding="utf-8"), page.url


def test_the_listing_has_every_public_resource_with_its_tags_as_data_attributes(
        built_site: Path, public: manifest.Manifest) -> None:
    cards = {site_url("resources/", attr(one(card, "a"), "href")): card
             for card in html(built_site, "resources").select("[data-abm-results] .abm-card")}
    expected = {page.url: page for page in resources(public)}
    assert set(cards) == set(expected)
    for href, page in expected.items():
        card = cards[href]
        assert attr(card, "data-industries").split() == page.industries
        assert attr(card, "data-personas").split() == page.personas
        assert (card["data-stage"], card["data-type"]) == (page.stage, page.type)


@pytest.mark.parametrize("facet", FACETS)
def test_each_no_js_facet_page_lists_exactly_the_matching_resources(built_site: Path, public: manifest.Manifest,
                                                                    facet: str) -> None:
    dimension = FACETS[facet][0]
    for value in public.taxonomy[dimension]:
        url = f"resources/{facet}/{value}/"
        soup = html(built_site, url)
        expected = {p.url for p in resources(public) if matches(p, facet, value)}
        assert card_urls(soup, url) == expected, (facet, value)
        assert not soup.find("script", src=re.compile("abm-listing"))


def test_resource_pages_link_their_tags_to_the_filtered_listing_and_the_facet_page(
        built_site: Path, public: manifest.Manifest) -> None:
    for page in resources(public):
        soup = html(built_site, page.url)
        links = {site_url(page.url, attr(a, "href")) for a in soup.select(".abm-facts a")}
        for value in page.industries:
            assert f"resources/?industry={value}" in links, page.url
            assert f"resources/industry/{value}/" in links, page.url
        assert f"resources/?stage={page.stage}" in links and f"resources/type/{page.type}/" in links


def test_webinar_pages_show_date_duration_and_agenda(built_site: Path, public: manifest.Manifest) -> None:
    webinars = [page for page in resources(public) if page.webinar]
    assert len(webinars) >= 2
    for page in webinars:
        assert page.webinar is not None
        section = html(built_site, page.url).select_one(".abm-webinar")
        assert section is not None and section["data-abm-webinar-start"] == page.webinar.start
        assert f"{page.webinar.duration} 分钟" in section.get_text()
        items = section.select(".abm-agenda__item")
        assert [item.title for item in page.webinar.agenda] == [
            one(i, ".abm-agenda__title").get_text(strip=True) for i in items]
        assert [str(item.at) for item in page.webinar.agenda] == [i["data-abm-agenda-at"] for i in items]
        lengths = [int(one(i, ".abm-agenda__length").get_text().split("·")[1].split()[0]) for i in items]
        assert sum(lengths) == page.webinar.duration - page.webinar.agenda[0].at  # the timeline covers the session


def test_every_public_webinar_page_offers_its_calendar_file(built_site: Path, public: manifest.Manifest) -> None:
    webinars = [page for page in resources(public) if page.webinar]
    for page in webinars:
        assert page.webinar is not None
        link = html(built_site, page.url).select_one(".abm-webinar__calendar a[href]")
        assert link is not None and link["href"] == "webinar.ics" and link.has_attr("download"), page.url
        calendar = icalendar.Calendar.from_ical((built_site / "site" / page.url / "webinar.ics").read_bytes())
        [event] = calendar.walk("VEVENT")
        start = datetime.fromisoformat(page.webinar.start)
        assert event.decoded("dtstart") == start and event.decoded("dtend") == start + timedelta(minutes=page.webinar.duration)
        assert str(event["summary"]) == page.title and str(event["url"]).endswith("/" + page.url)
        description = str(event["description"])
        for item in page.webinar.agenda:  # each item at its clock time in the webinar's own zone
            assert f"{start + timedelta(minutes=item.at):%H:%M} {item.title}" in description
        [alarm] = event.walk("VALARM")
        assert alarm.decoded("trigger") == -timedelta(minutes=15)
        assert str(event["uid"]) == f"webinar-{page.url.strip('/').replace('/', '-')}@www.yunjian.example"


def test_industry_landing_pages_group_their_resources_by_stage(built_site: Path, public: manifest.Manifest) -> None:
    for industry in (i for i in public.taxonomy["industries"] if i != "all"):
        soup = html(built_site, f"industries/{industry}")
        expected = {p.url for p in resources(public) if matches(p, "industry", industry)}
        listed = {site_url(f"industries/{industry}/", attr(a, "href")) for a in soup.select(".abm-stage .abm-card__link")}
        assert listed == expected, industry


THIRD_PARTY = re.compile(r"fonts\.googleapis|fonts\.gstatic|https://fonts\.|//cdn\.|cdnjs|jsdelivr|unpkg|"
                         r"<script[^>]+src=\"(https?:)?//|<link[^>]+href=\"(https?:)?//[^\"]+\"[^>]*stylesheet|"
                         r"<img[^>]+src=\"(https?:)?//|@import\s+url\(\"?(https?:)?//")


def test_the_built_site_references_no_other_host(built_site: Path) -> None:
    offenders = []
    for path in (built_site / "site").rglob("*"):
        if path.suffix in (".html", ".css", ".xml") and path.is_file():
            found = THIRD_PARTY.search(path.read_text(encoding="utf-8"))
            if found:
                offenders.append(f"{path.relative_to(built_site)}: {found.group(0)}")
    assert not offenders


def test_the_404_page_speaks_chinese_and_links_back_from_any_depth(built_site: Path) -> None:
    soup = BeautifulSoup((built_site / "site" / "404.html").read_text(encoding="utf-8"), "html.parser")
    assert soup.h1 is not None and soup.h1.get_text() == "页面不存在"
    links = {attr(a, "href") for a in soup.select(".abm-notfound a")}
    # site-absolute: the edge serves it at any missing path, however deep
    assert {urljoin("http://site/a/deep/missing/page", href) for href in links} == {"http://site/resources/",
                                                                                     "http://site/"}
    assert "Made with" not in soup.get_text()


def test_the_privacy_policy_is_a_page_linked_from_every_footer_but_not_a_tab(built_site: Path) -> None:
    policy = BeautifulSoup((built_site / "site" / "privacy" / "index.html").read_text(encoding="utf-8"), "html.parser")
    assert policy.h1 is not None and policy.h1.find(string=True) == "隐私政策"
    for page in ("index.html", "resources/index.html", "privacy/index.html"):
        html = BeautifulSoup((built_site / "site" / page).read_text(encoding="utf-8"), "html.parser")
        assert [a["href"] for a in html.select(".md-copyright a")] == ["/privacy/"], page
        assert "隐私政策" not in [a.get_text(strip=True) for a in html.select(".md-tabs__link")], page
