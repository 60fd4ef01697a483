"""What crawlers and share cards read of the built demo site: descriptions, canonical URLs, Open Graph,
schema.org JSON-LD (checked against Google's required and recommended properties), robots.txt, sitemap."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml
from bs4 import BeautifulSoup

from personalize import manifest
from personalize.build import seo
from personalize.build.frontmatter import Resource

#: Google's structured-data docs: required (R) and recommended properties, per type
ARTICLE = ("headline", "image", "author", "datePublished")
EVENT_REQUIRED = ("name", "startDate", "location")
EVENT_RECOMMENDED = ("description", "endDate", "eventAttendanceMode", "eventStatus", "image", "offers", "organizer")
ORGANIZATION = ("name", "url", "logo")


@pytest.fixture(scope="module")
def site_url(built_site: Path) -> str:
    return str(yaml.safe_load((built_site / "mkdocs.yml").read_text(encoding="utf-8"))["site_url"])


@pytest.fixture(scope="module")
def public(built_site: Path) -> manifest.Manifest:
    return manifest.read(built_site / "site" / manifest.PUBLIC_FILE)


def served(built_site: Path, url: str) -> BeautifulSoup:
    return BeautifulSoup((built_site / "site" / url / "index.html").read_text(encoding="utf-8"), "html.parser")


def meta(soup: BeautifulSoup, key: str) -> str | None:
    tag = soup.find("meta", attrs={"property": key}) or soup.find("meta", attrs={"name": key})
    return None if tag is None else str(tag["content"])


def jsonld(soup: BeautifulSoup) -> dict[str, Any]:
    [script] = soup.select('script[type="application/ld+json"]')
    data = json.loads(script.string or "")
    assert data["@context"] == "https://schema.org"
    return dict(data)


def assert_absolute_file(built_site: Path, site_url: str, url: str) -> None:
    """An absolute URL of this site whose file the build wrote."""
    assert url.startswith(site_url), url
    assert (built_site / "site" / url.removeprefix(site_url)).is_file(), url


def test_every_public_resource_has_its_summary_canonical_url_and_share_card(
        built_site: Path, public: manifest.Manifest, site_url: str) -> None:
    resources = [page for page in public.pages if page.kind == "resource"]
    assert resources
    for page in resources:
        soup = served(built_site, page.url)
        title = page.title
        assert meta(soup, "description") == page.summary, page.url
        canonical = site_url + page.url
        link = soup.find("link", rel="canonical")
        assert link is not None, f"{page.url}: no canonical link"
        assert link["href"] == canonical
        assert meta(soup, "og:url") == canonical
        assert meta(soup, "og:title") == title and meta(soup, "og:description") == page.summary
        assert meta(soup, "og:type") == "article" and meta(soup, "twitter:card") == "summary_large_image"
        assert_absolute_file(built_site, site_url, meta(soup, "og:image") or "")


def test_resources_are_articles_reports_or_online_events_with_googles_properties(
        built_site: Path, public: manifest.Manifest, site_url: str) -> None:
    kinds = set()
    for page in (p for p in public.pages if p.kind == "resource"):
        data = jsonld(served(built_site, page.url))
        kinds.add(data["@type"])
        assert data["url"] == site_url + page.url and data["description"] == page.summary
        for image in data["image"]:
            assert_absolute_file(built_site, site_url, image)
        if page.type == "webinar":
            assert_online_event(data, page, site_url)
            continue
        assert data["@type"] == ("Report" if page.type in ("whitepaper", "ebook") else "Article"), page.url
        assert all(data.get(key) for key in ARTICLE), (page.url, data)
        assert data["datePublished"] == page.date and len(data["headline"]) <= 110
        assert data["author"]["name"] and data["author"]["url"] == site_url
    assert kinds == {"Article", "Report", "Event"}


def assert_online_event(data: dict[str, Any], page: manifest.Page, site_url: str) -> None:
    webinar = page.webinar
    assert webinar is not None
    assert data["@type"] == "Event"
    assert all(data.get(key) for key in EVENT_REQUIRED + EVENT_RECOMMENDED), (page.url, data)
    start = datetime.fromisoformat(data["startDate"])
    assert start == datetime.fromisoformat(webinar.start) and start.tzinfo is not None
    assert datetime.fromisoformat(data["endDate"]) - start == timedelta(minutes=webinar.duration)
    assert data["duration"] == f"PT{webinar.duration}M"
    assert data["eventAttendanceMode"] == "https://schema.org/OnlineEventAttendanceMode"
    assert data["location"] == {"@type": "VirtualLocation", "url": site_url + page.url}
    assert data["offers"]["price"] == 0 and data["offers"]["priceCurrency"] and data["offers"]["availability"]
    assert data["organizer"]["name"] and data["organizer"]["url"] == site_url
    agenda = [(item["name"], datetime.fromisoformat(item["startDate"]) - start) for item in data["subEvent"]]
    assert agenda == [(item.title, timedelta(minutes=item.at)) for item in webinar.agenda]


def test_the_home_page_describes_the_organization(built_site: Path, site_url: str) -> None:
    soup = BeautifulSoup((built_site / "site" / "index.html").read_text(encoding="utf-8"), "html.parser")
    data = jsonld(soup)
    assert data["@type"] == "Organization" and all(data.get(key) for key in ORGANIZATION)
    assert data["url"] == site_url and data["description"] == meta(soup, "description")
    assert_absolute_file(built_site, site_url, data["logo"])
    assert meta(soup, "og:type") == "website" and meta(soup, "og:url") == site_url


def test_the_sitemap_lists_every_public_page_and_no_account_or_dashboard_path(
        built_site: Path, public: manifest.Manifest, site_url: str) -> None:
    sitemap = (built_site / "site" / "sitemap.xml").read_text(encoding="utf-8")
    locations = re.findall(r"<loc>(.*?)</loc>", sitemap)
    assert len(locations) == len(set(locations))
    pages = {path.parent.relative_to(built_site / "site").as_posix() + "/"
             for path in (built_site / "site").rglob("index.html")}
    assert {site_url + (page if page != "./" else "") for page in pages} == set(locations)
    assert {site_url + page.url for page in public.pages} <= set(locations)
    private = manifest.read(built_site / "build" / "private" / manifest.PRIVATE_FILE, schema=manifest.PRIVATE_SCHEMA)
    assert private.pages, "the demo has account pages"
    for page in private.pages:
        assert site_url + page.url not in locations
        assert not (built_site / "site" / page.file).exists()
        assert (built_site / "build" / "private" / page.file).is_file()
    assert not [loc for loc in locations if "/_abm/" in loc or "/resources/accounts/" in loc]


def test_robots_txt_points_at_the_sitemap_and_keeps_crawlers_off_private_paths(built_site: Path, site_url: str) -> None:
    lines = (built_site / "site" / "robots.txt").read_text(encoding="utf-8").splitlines()
    assert lines[0] == "User-agent: *"
    assert {"Disallow: /_abm/", "Disallow: /resources/accounts/"} <= set(lines)
    assert f"Sitemap: {site_url}sitemap.xml" in lines
    assert urlsplit(site_url).scheme == "https"


def webinar_resource(**changes: Any) -> Resource:
    fields = {"path": "content/resources/w.md", "title": "研讨会", "type": "webinar", "industries": ["all"],
              "stage": "mofu", "personas": ["it"], "summary": "摘要",
              "webinar": {"start": "2026-05-21T14:00:00+08:00", "duration": 30,
                          "agenda": [{"at": 0, "title": "开场"}, {"at": 10, "title": "</script><b>"}]}}
    return Resource(**{**fields, **changes})


def test_json_ld_cannot_close_its_script_whatever_a_writer_typed() -> None:
    result = seo.page_seo(url="w/", title="</script>", description="a & b", config={"site_url": "https://x.example/"},
                          resource=webinar_resource())
    assert "</" not in result["jsonld"] and "&" not in result["jsonld"]
    data = json.loads(result["jsonld"])
    assert data["name"] == "</script>" and data["subEvent"][1]["name"] == "</script><b>"
    assert data["subEvent"][1]["endDate"] == "2026-05-21T14:30:00+08:00"


def test_a_raster_hero_image_is_the_card_and_urls_stay_relative_without_site_url() -> None:
    with_photo = seo.page_seo(url="w/", title="t", description="d", config={"site_url": "https://x.example/"},
                              resource=webinar_resource(), hero_image="assets/heroes/photo.jpg")
    assert dict(with_photo["og"])["og:image"] == "https://x.example/assets/heroes/photo.jpg"
    vector = seo.page_seo(url="w/", title="t", description="d", config={}, resource=webinar_resource(),
                          hero_image="assets/heroes/default.svg")
    og = dict(vector["og"])
    assert og["og:image"] == "/" + seo.DEFAULT_IMAGE and "og:url" not in og
    assert "url" not in json.loads(vector["jsonld"])["location"]
