"""The listing's per-facet index against the plain rule it replaces: scan every entry."""

from __future__ import annotations

from pathlib import Path

from personalize.build.listing import FACETS, Entry, Listing
from personalize.taxonomy import Taxonomy

REPO = Path(__file__).resolve().parents[2]


def entries() -> list[Entry]:
    industries = ["manufacturing", "retail", "all", "finance"]
    return [Entry(url=f"r/{n}/", title=f"t{n}", summary="", type=["ebook", "webinar"][n % 2],
                  stage=["tofu", "mofu", "bofu"][n % 3], industries=[industries[n % 4], industries[(n * 3) % 4]][: 1 + n % 2],
                  personas=["it", "sales", "executive"][: 1 + n % 3], date=f"2026-01-{n % 9 + 1:02d}", gated="auto")
            for n in range(40)]


def test_each_facet_value_selects_what_a_scan_of_every_entry_selects() -> None:
    taxonomy = Taxonomy.load(REPO / "taxonomy.yml")
    listing = Listing(entries(), taxonomy)
    for facet, (dimension, _) in FACETS.items():
        for value in taxonomy.ids(dimension):
            assert listing.select(**{facet: value}) == [e for e in listing.entries if e.matches(facet, value)]
    both = listing.select(industry="retail", stage="mofu")
    assert both and all(e.stage == "mofu" and e.matches("industry", "retail") for e in both)
    counts = {option["value"]: option["count"] for option in listing.facets()[0]["options"]}
    assert counts["retail"] == len([e for e in listing.entries if e.matches("industry", "retail")])
    assert listing.facets() is listing.facets()
