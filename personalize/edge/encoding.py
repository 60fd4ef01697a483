"""Content codings: which one a request accepts, and bodies compressed once rather than per request.

Negotiation follows RFC 9110 §12.5.3 (q-values, `*`, `identity;q=0`); its answer depends only on
the header's bytes and what is offered, and browsers send a handful of distinct headers, so it is
cached. When nothing offered is acceptable the body goes out as is: a page is better than a 406.
A body is compressed at most once per coding (`Encodings`): at start-up for static files, on the
first request that asks for a coding for a filled page.
"""

from __future__ import annotations

import gzip
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Final

import brotli

BR: Final = "br"
GZIP: Final = "gzip"
IDENTITY: Final = "identity"
#: Codings the edge can send, best first (brotli is ~15% smaller than gzip on the site's text).
CODINGS: Final = (BR, GZIP)
#: Below this a body gains less from compression than the header costs.
MIN_SIZE: Final = 1024
#: Media types worth compressing besides text/*; PDF, PNG, woff2 are compressed already.
COMPRESSIBLE: Final = frozenset({
    "application/javascript", "application/json", "application/manifest+json", "application/xml",
    "image/svg+xml", "application/x-javascript", "application/ld+json",
})  # fmt: skip
VARY: Final = b"Accept-Encoding"
#: A header value a coding's name stands for (identity sends none).
HEADER: Final = {BR: b"br", GZIP: b"gzip", IDENTITY: b""}
_ALIASES: Final = {"x-gzip": GZIP}


@dataclass(frozen=True)
class Levels:
    """How hard to compress: the most for static files (once at start-up), fast for filled pages (on a miss)."""

    brotli: int
    gzip: int


STATIC: Final = Levels(brotli=11, gzip=9)
#: A 27 KB page: brotli 5 takes ~0.8 ms and is within 12% of brotli 11 (~40 ms).
PAGES: Final = Levels(brotli=5, gzip=6)
#: Past this size brotli 11 gets slow (~1 s per MB) for a few percent: source maps, the word-cut dictionary.
LARGE: Final = 256 * 1024


def compressible(media_type: str) -> bool:
    return media_type.startswith("text/") or media_type in COMPRESSIBLE


def accept_encoding(headers: Iterable[tuple[bytes, bytes]]) -> bytes | None:
    """The request's Accept-Encoding header (None when absent: the client takes only the body as is)."""
    for name, value in headers:
        if name == b"accept-encoding":
            return value
    return None


@lru_cache(maxsize=256)
def _qvalues(accept: bytes) -> dict[str, float]:
    """Coding -> q of one header; malformed items are skipped (a hostile header cannot raise)."""
    qvalues: dict[str, float] = {}
    for item in accept.decode("latin-1").lower().split(","):
        coding, _, params = item.partition(";")
        coding = _ALIASES.get(coding.strip(), coding.strip())
        if not coding:
            continue
        q = 1.0
        for param in params.split(";"):
            key, _, value = param.partition("=")
            if key.strip() == "q":
                try:
                    q = min(max(float(value), 0.0), 1.0)
                except ValueError:
                    q = 0.0
        qvalues[coding] = max(q, qvalues.get(coding, 0.0))
    return qvalues


@lru_cache(maxsize=1024)
def choose(accept: bytes | None, offered: tuple[str, ...]) -> str:
    """The best coding of `offered` (server preference order) the header accepts, else identity."""
    if accept is None or not offered:
        return IDENTITY
    qvalues = _qvalues(accept)
    star = qvalues.get("*", 0.0)
    best, best_q = IDENTITY, 0.0
    for coding in offered:
        q = qvalues.get(coding, star)
        if q > best_q:
            best, best_q = coding, q
    # identity, when not named, is acceptable but least preferred (RFC 9110 §12.5.3)
    identity_q = qvalues.get(IDENTITY, star if "*" in qvalues else 0.001)
    return IDENTITY if identity_q > best_q else best


def compress(body: bytes, coding: str, levels: Levels) -> bytes:
    if coding == BR:
        quality = levels.brotli if len(body) <= LARGE else min(levels.brotli, 9)
        return bytes(brotli.compress(body, quality=quality))
    return gzip.compress(body, compresslevel=levels.gzip, mtime=0)


class Encodings:
    """One body and its compressed forms, each made the first time it is asked for.

    A form that would not be smaller is kept as the body itself, sent without Content-Encoding.
    """

    __slots__ = ("body", "levels", "offered", "_forms")

    def __init__(self, body: bytes, levels: Levels, offered: tuple[str, ...] = CODINGS) -> None:
        self.body = body
        self.levels = levels
        self.offered = offered if len(body) >= MIN_SIZE else ()
        self._forms: dict[str, tuple[str, bytes]] = {IDENTITY: (IDENTITY, body)}

    def form(self, coding: str) -> tuple[str, bytes]:
        """(coding actually applied, bytes) for a coding of `offered` or identity."""
        found = self._forms.get(coding)
        if found is None:
            compressed = compress(self.body, coding, self.levels)
            found = (coding, compressed) if len(compressed) < len(self.body) else (IDENTITY, self.body)
            self._forms[coding] = found
        return found

    def pick(self, accept: bytes | None) -> tuple[str, bytes]:
        """The form for a request's Accept-Encoding."""
        return self.form(choose(accept, self.offered))

    def made(self) -> Encodings:
        """Every form made now (at start-up), so no request pays for one."""
        for coding in self.offered:
            self.form(coding)
        return self
