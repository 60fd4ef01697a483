"""Fill a split page's slots for one request: pick a fragment per slot and join bytes.

Variant order per slot: the account's own variant (tier 1 only) > its industry's > the page's
own default. A page with an asset takes its CTA from the gating decision instead.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Final, NamedTuple

from personalize.edge.caches import remember
from personalize.edge.encoding import GZIP, IDENTITY, MIN_SIZE, PAGES, Encodings, choose
from personalize.edge.gzip_splice import GzipSplice
from personalize.edge.site import Site, SplitPage

DEFAULT: Final = "default"
OPEN: Final = "open"
GATED: Final = "gated"
#: Filled bodies kept (each one page long); visits share few (page, variants, CTA) combinations.
FILLED_CACHE: Final = 256
#: Where the visitor's fields go in a gated body: a NUL never occurs in built HTML.
_TOKEN_AT: Final = b"\0abm-csrf\0"
GZIP_ONLY: Final = (GZIP,)


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


class Served(NamedTuple):
    """What a request gets: the body as sent, the coding applied to it, the variant it shows."""

    body: bytes
    coding: str
    variant: str


class GatedBody:
    """A gated page's filled halves around the visitor's CSRF fields, and their gzip splice once asked for."""

    __slots__ = ("head", "tail", "variant", "_splice")

    def __init__(self, head: bytes, tail: bytes, variant: str) -> None:
        self.head, self.tail, self.variant = head, tail, variant
        self._splice: GzipSplice | None = None

    def serve(self, csrf: bytes, accept: bytes | None) -> Served:
        if len(self.head) + len(self.tail) < MIN_SIZE or choose(accept, GZIP_ONLY) != GZIP:
            return Served(self.head + csrf + self.tail, IDENTITY, self.variant)
        if self._splice is None:
            self._splice = GzipSplice(self.head, self.tail, PAGES.gzip)
        return Served(self._splice.join(csrf), GZIP, self.variant)


class FilledPages:
    """`fill` kept by (page, variant chain, CTA), with each body's compressed forms beside it.

    A gated form holds the visitor's CSRF token: its page is kept as the halves around the token
    (`GatedBody`), joined per request; the token itself is never compressed (see `gzip_splice`).
    """

    def __init__(self, site: Site, size: int = FILLED_CACHE) -> None:
        self.site = site
        self.size = size
        self._bodies: dict[tuple[str, tuple[str, ...], str], tuple[Encodings, str] | GatedBody] = {}

    def fill(
        self, page: SplitPage, chain: tuple[str, ...], cta: str, csrf: bytes = b"", accept: bytes | None = None
    ) -> Served:
        gated = cta == GATED and page.cta_gated is not None
        key = (page.url, chain, cta)
        filled = self._bodies.get(key)
        if filled is None:
            filled = self._gated(page, chain) if gated else self._filled(page, chain, cta)
            remember(self._bodies, key, filled, self.size)
        if isinstance(filled, GatedBody):
            return filled.serve(csrf, accept)
        encodings, variant = filled
        coding, body = encodings.pick(accept)
        return Served(body, coding, variant)

    def _filled(self, page: SplitPage, chain: tuple[str, ...], cta: str) -> tuple[Encodings, str]:
        body, variant = fill(self.site, page, chain, cta)
        return Encodings(body, PAGES), variant

    def _gated(self, page: SplitPage, chain: tuple[str, ...]) -> GatedBody:
        body, variant = fill(self.site, page, chain, GATED, _TOKEN_AT)
        head, _, tail = body.partition(_TOKEN_AT)
        return GatedBody(head, tail, variant)
