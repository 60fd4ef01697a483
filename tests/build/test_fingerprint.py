"""The site's own assets under content-hashed names: the built pages, slots and variants load them
by the hashed name; each twin holds the plain file's bytes; the plain name stays for outside links."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from bs4 import BeautifulSoup

from personalize import manifest
from personalize.build.fingerprint import hashed_uri
from tests.soup import attr, one

HASHED = re.compile(r"\.([0-9a-f]{8})\.[a-z0-9]+$")
#: what the edge serves as immutable (personalize/edge/static_files.py), seen from the build's side
EDGE_FINGERPRINT = re.compile(r"\.[0-9a-f]{8,}(\.min)?\.[a-z0-9]+$")


def own_assets(root: Path) -> set[str]:
    """Site paths (`assets/...`) of the project's own assets: the docs dir's and the theme override's."""
    found = set()
    for folder in (root / "content", root / "overrides"):
        found |= {file.relative_to(folder).as_posix() for file in (folder / "assets").rglob("*") if file.is_file()}
    return found


def loaded_urls(html_file: Path, site: Path) -> set[str]:
    """Site paths a page loads by itself: stylesheets, scripts, images."""
    soup = BeautifulSoup(html_file.read_text(encoding="utf-8"), "html.parser")
    page_url = "/" + html_file.parent.relative_to(site).as_posix() + "/"
    refs = [attr(tag, "href") for tag in soup.find_all("link", rel="stylesheet")]
    refs += [attr(tag, "src") for tag in soup.find_all(["script", "img"], src=True)]
    return {urlsplit(urljoin(page_url, ref)).path.lstrip("/") for ref in refs}


def test_hashed_uri_names_the_content() -> None:
    assert hashed_uri("assets/abm.css", b"body{}") == f"assets/abm.{hashlib.sha256(b'body{}').hexdigest()[:8]}.css"
    assert hashed_uri("assets/logos/a.b.svg", b"") == "assets/logos/a.b.e3b0c442.svg"
    assert hashed_uri("assets/abm.css", b"body{}") != hashed_uri("assets/abm.css", b"body{ }")


def test_every_own_asset_has_a_hashed_twin_with_its_bytes(built_site: Path) -> None:
    site = built_site / "site"
    own = own_assets(built_site)
    assert {"assets/abm.css", "assets/abm-listing.js", "assets/logos/huajun.svg"} <= own
    for plain in own:
        twins = [twin for twin in (site / plain).parent.glob(Path(plain).stem + ".*" + Path(plain).suffix)
                 if HASHED.search(twin.name)]
        assert len(twins) == 1, f"{plain}: {twins}"
        content = (site / plain).read_bytes()
        assert twins[0].read_bytes() == content
        assert HASHED.search(twins[0].name)[1] == hashlib.sha256(content).hexdigest()[:8]  # type: ignore[index]
        assert EDGE_FINGERPRINT.search(twins[0].name), "the edge must recognise the name as fingerprinted"


@pytest.mark.parametrize("url", ["", "resources/", "industries/manufacturing/", "resources/articles/what-is-abm/",
                                 "resources/webinars/2026-05-after-sales-profit-center/", "404.html"])
def test_pages_load_own_assets_only_by_hashed_name(built_site: Path, url: str) -> None:
    site = built_site / "site"
    page = site / url if url.endswith(".html") else site / url / "index.html"
    loaded = loaded_urls(page, site)
    own = own_assets(built_site)
    assert not loaded & own, f"{url or '/'} loads plain names: {sorted(loaded & own)}"
    hashed = {path for path in loaded if path.startswith("assets/") and HASHED.search(path)}
    assert any(re.fullmatch(r"assets/abm\.[0-9a-f]{8}\.css", path) for path in hashed), loaded
    for path in loaded:
        assert (site / path).is_file(), f"{url or '/'} loads {path}, which the build did not write"


def test_listing_script_and_slot_images_are_hashed(built_site: Path) -> None:
    site = built_site / "site"
    assert any(re.fullmatch(r"assets/abm-listing\.[0-9a-f]{8}\.js", p) for p in loaded_urls(site / "resources" / "index.html", site))
    home = loaded_urls(site / "index.html", site)
    assert any(re.fullmatch(r"assets/heroes/default\.[0-9a-f]{8}\.svg", p) for p in home)
    assert any(re.fullmatch(r"assets/logos/huajun\.[0-9a-f]{8}\.svg", p) for p in home)


def test_the_variants_the_edge_swaps_in_use_hashed_names(built_site: Path) -> None:
    own = own_assets(built_site)
    for path in (built_site / "site" / manifest.PUBLIC_FILE, built_site / "build" / "private" / manifest.PRIVATE_FILE):
        text = path.read_text(encoding="utf-8")
        referenced = set(re.findall(r'(?:src|href)=\\?"/(assets/[^"\\]+)', text))
        assert referenced, f"{path.name} should carry variants with images"
        assert not referenced & own, f"{path.name}: {sorted(referenced & own)}"


def test_share_cards_keep_the_plain_address(built_site: Path) -> None:
    soup = BeautifulSoup((built_site / "site" / "index.html").read_text(encoding="utf-8"), "html.parser")
    image = attr(one(soup, 'meta[property="og:image"]'), "content")
    assert image.endswith("/assets/abm-share.jpg")  # crawlers and chat apps keep it: not a hashed name
    assert (built_site / "site" / "assets" / "abm-share.jpg").is_file()
