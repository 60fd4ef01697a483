"""Filling slots: account (tier 1) > industry > default per slot, CTA by gating, bytes joined."""

from __future__ import annotations

import pytest

from personalize.edge.fill import DEFAULT, GATED, OPEN, FilledPages, fill, variant_chain
from personalize.edge.site import Site
from tests.edge.edge_site import GATED_FORM, load_test_site, write_edge_site


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    root = write_edge_site(tmp_path_factory.mktemp("render"))
    return load_test_site(root)


def test_chain_order() -> None:
    assert variant_chain("ACC-1", 1, "manufacturing") == ("account:ACC-1", "industry:manufacturing")
    assert variant_chain("ACC-2", 2, "retail") == ("industry:retail",)  # account variants are tier 1 only
    assert variant_chain(None, None, None) == ()


def test_falls_back_per_slot(site: Site) -> None:
    body, served = fill(site, site.pages["/"], ("account:ACC-1", "industry:manufacturing"), DEFAULT)
    text = body.decode()
    assert "HERO-ACC-1" in text and "LOGOS-MANUFACTURING" in text and "CTA-MANUFACTURING" in text
    assert served == "account:ACC-1"
    body, served = fill(site, site.pages["/"], ("industry:retail",), DEFAULT)
    assert "HERO-RETAIL" in body.decode() and "LOGOS-DEFAULT" in body.decode() and served == "industry:retail"


def test_unknown_variant_is_the_default_page(site: Site) -> None:
    body, served = fill(site, site.pages["/"], ("industry:nowhere",), DEFAULT)
    assert body == site.pages["/"].with_slots({}) and served == DEFAULT


def test_cta_open_and_gated(site: Site) -> None:
    page = site.pages["/resources/whitepaper/"]
    opened, _ = fill(site, page, (), OPEN)
    assert b"OPEN-LINK" in opened and GATED_FORM.encode() not in opened
    gated, _ = fill(site, page, ("industry:manufacturing",), GATED, b'<input name="csrf" value="T">')
    assert GATED_FORM.encode() in gated and b'<input name="csrf" value="T"></form>' in gated
    assert b"CTA-MANUFACTURING" not in gated  # the asset's own CTA wins over the variant's


def test_filled_pages_equal_fill_for_every_combination(site: Site) -> None:
    filled = FilledPages(site)
    chains = [(), ("industry:retail",), ("account:ACC-1", "industry:manufacturing"), ("industry:nowhere",)]
    for _ in range(2):  # the second round is served from the cache
        for page in site.pages.values():
            for chain in chains:
                for cta in (DEFAULT, OPEN):
                    served = filled.fill(page, chain, cta)
                    assert (served.body, served.variant) == fill(site, page, chain, cta) and served.coding == "identity"


def test_a_gated_form_keeps_each_visitors_token(site: Site) -> None:
    filled = FilledPages(site)
    page = site.pages["/resources/whitepaper/"]
    first = filled.fill(page, (), GATED, b'<input name="csrf" value="VISITOR-1">').body
    second = filled.fill(page, (), GATED, b'<input name="csrf" value="VISITOR-2">').body
    assert b"VISITOR-1" in first and b"VISITOR-2" in second and b"VISITOR-1" not in second
    assert first == fill(site, page, (), GATED, b'<input name="csrf" value="VISITOR-1">')[0]
    opened = filled.fill(page, (), OPEN, b'<input name="csrf" value="VISITOR-3">').body
    assert b"VISITOR-3" not in opened and b"OPEN-LINK" in opened  # an open CTA holds no token
    assert list(filled._bodies) == [(page.url, (), GATED), (page.url, (), OPEN)]  # the gated halves, no token


def test_filled_pages_are_bounded_oldest_out(site: Site) -> None:
    filled = FilledPages(site, size=2)
    page = site.pages["/"]
    for industry in ("retail", "manufacturing", "finance"):
        filled.fill(page, (f"industry:{industry}",), DEFAULT)
    assert list(filled._bodies) == [(page.url, ("industry:manufacturing",), DEFAULT), (page.url, ("industry:finance",), DEFAULT)]
