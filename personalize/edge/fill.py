"""Fill a split page's slots for one request: pick a fragment per slot and join bytes.

Variant order per slot: the account's own variant (tier 1 only) > its industry's > the page's
own default. A page with an asset takes its CTA from the gating decision instead.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Final

from personalize.edge.caches import remember
from personalize.edge.site import Site, SplitPage

DEFAULT: Final = "default"
OPEN: Final = "open"
GATED: Final = "gated"
#: Filled bodies kept (each one page long); visits share few (page, variants, CTA) combinations.
FILLED_CACHE: Final = 256


@lru_cache(maxsize=4096)  # a handful of accounts and industries: the same keys on every request
def variant_chain(account_id: str | None, tier: int | None, industry: str | None) -> tuple[str, ...]:
    """The variant keys to try for each slot, strongest first (the default is implied)."""
    chain: list[str] = []
    if account_id and tier == 1:
        chain.append(f"account:{account_id}")
    if industry:
        chain.append(f"industry:{industry}")
    return tuple(chain)


def fill(site: Site, page: SplitPage, chain: tuple[str, ...], cta: str, csrf: bytes = b"") -> tuple[bytes, str]:
    """The page body and the strongest variant actually served (recorded in the event)."""
    pieces = page.pieces
    parts = [pieces[0]]
    served = DEFAULT
    served_rank = len(chain)
    variants = site.variants
    for index, slot in enumerate(page.slots):
        fragment = None
        if slot == "cta" and cta == OPEN and page.cta_open is not None:
            fragment = page.cta_open
        elif slot == "cta" and cta == GATED and page.cta_gated is not None:
            before, after = page.cta_gated
            fragment = before + csrf + after
        else:
            for rank, key in enumerate(chain):
                slots = variants.get(key)
                if slots is not None and slot in slots:
                    fragment = slots[slot]
                    if rank < served_rank:
                        served, served_rank = key, rank
                    break
        parts.append(page.defaults[slot] if fragment is None else fragment)
        parts.append(pieces[index + 1])
    return b"".join(parts), served



class FilledPages:
    """`fill` with the bodies that carry no per-visitor token kept, by (page, variant chain, CTA).

    A gated form holds the visitor's CSRF token, so a page served with it is filled every time.
    """

    def __init__(self, site: Site, size: int = FILLED_CACHE) -> None:
        self.site = site
        self.size = size
        self._bodies: dict[tuple[str, tuple[str, ...], str], tuple[bytes, str]] = {}

    def fill(self, page: SplitPage, chain: tuple[str, ...], cta: str, csrf: bytes = b"") -> tuple[bytes, str]:
        if cta == GATED and page.cta_gated is not None:
            return fill(self.site, page, chain, cta, csrf)
        key = (page.url, chain, cta)
        filled = self._bodies.get(key)
        if filled is None:
            filled = fill(self.site, page, chain, cta)
            remember(self._bodies, key, filled, self.size)
        return filled
