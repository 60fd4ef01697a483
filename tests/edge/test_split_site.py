"""Splitting built pages at their slot markers, once, at start-up."""

from __future__ import annotations

from pathlib import Path

import pytest

from personalize.edge.site import inject_before_body_end, split_html, url_path
from personalize.errors import ConfigError
from personalize.leadform import consent_id
from tests.edge.edge_site import CONSENT, GATED_FORM, SCRIPT_TAG, load_test_site, write_edge_site


def test_split_keeps_every_byte_and_finds_each_slot() -> None:
    html = 'a<div data-abm-slot="hero"><!--abm:slot:hero-->H<!--/abm:slot:hero--></div>b<!--abm:slot:cta-->C<!--/abm:slot:cta-->z'
    pieces, slots, defaults = split_html(html)
    assert slots == ["hero", "cta"]
    assert defaults == {"hero": "H", "cta": "C"}
    rebuilt = pieces[0] + "H" + pieces[1] + "C" + pieces[2]
    assert rebuilt == html


def test_page_without_slots_is_one_piece() -> None:
    assert split_html("<p>plain</p>") == (["<p>plain</p>"], [], {})


@pytest.mark.parametrize(
    "html",
    ["<!--abm:slot:hero-->never closed", "<!--abm:slot:hero", "<!--abm:slot:-->x<!--/abm:slot:-->"],
)
def test_unbalanced_markers_are_refused(html: str) -> None:
    with pytest.raises(ValueError, match="page"):
        split_html(html)


def test_script_goes_before_the_last_body_end() -> None:
    assert inject_before_body_end("<body>x</body></html>", "<s>") == "<body>x<s></body></html>"
    assert inject_before_body_end("no body", "<s>") == "no body<s>"


@pytest.mark.parametrize(
    ("file", "path"),
    [("index.html", "/"), ("a/b/index.html", "/a/b/"), ("404.html", "/404.html"), ("x.html", "/x.html")],
)
def test_url_paths(file: str, path: str) -> None:
    assert url_path(file) == path


def test_load_site_splits_public_and_private_pages(tmp_path: Path) -> None:
    site = load_test_site(write_edge_site(tmp_path))
    assert {"/", "/resources/whitepaper/", "/accounts/acc-1/"} <= set(site.pages)
    assert "/404.html" not in site.pages and b"NOT-FOUND" in site.not_found
    home = site.pages["/"]
    assert home.slots == ("hero", "logos", "cta") and not home.accounts
    assert home.pieces[-1].endswith(SCRIPT_TAG.encode() + b"</body></html>")
    private = site.pages["/accounts/acc-1/"]
    assert private.accounts == frozenset({"ACC-1"})
    assert "account:ACC-1" in site.variants and b"HERO-ACC-1" in site.variants["account:ACC-1"]["hero"]
    whitepaper = site.lookup("/resources/whitepaper/index.html")
    assert whitepaper is site.pages["/resources/whitepaper/"]
    assert whitepaper.cta_open is not None and b"OPEN-LINK" in whitepaper.cta_open
    assert whitepaper.cta_gated is not None and whitepaper.form is not None and whitepaper.form.consent == CONSENT
    before, after = whitepaper.cta_gated
    assert GATED_FORM.encode() in before and after.startswith(b"</form>")
    assert consent_id(CONSENT).encode() in before


def test_missing_site_says_to_build(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="mkdocs build"):
        load_test_site(tmp_path)


def test_site_without_manifest_says_to_build(tmp_path: Path) -> None:
    (tmp_path / "site").mkdir()
    with pytest.raises(ConfigError, match="mkdocs build"):
        load_test_site(tmp_path)


def test_broken_page_is_named(tmp_path: Path) -> None:
    root = write_edge_site(tmp_path)
    (root / "site/resources/trends/index.html").write_text("<!--abm:slot:hero-->open", encoding="utf-8")
    with pytest.raises(ConfigError, match="resources/trends/index.html"):
        load_test_site(root)


def test_with_slots_restores_defaults(tmp_path: Path) -> None:
    site = load_test_site(write_edge_site(tmp_path))
    original = (tmp_path / "site/index.html").read_text(encoding="utf-8")
    page = site.pages["/"]
    body = page.with_slots({}).decode()
    assert body == inject_before_body_end(original, "<script src=/abm/beacon.js defer></script>")
    assert "NEW-CTA" in page.with_slots({"cta": b"NEW-CTA"}).decode()
