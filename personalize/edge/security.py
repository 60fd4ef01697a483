"""The security headers of every HTML answer: a CSP that lets in only the site's own origin, and friends.

The pages run mkdocs-material's bundle and our beacon, both same-origin files, plus the theme's
few inline `<script>` blocks; those are allowed by their SHA-256, computed once at start-up from
the split pages with `str.find` (no HTML parsing, no per-request work). Each page's policy allows
its own inline scripts and those of the fragments any page may show, no other page's (two of the
demo's seven per page: a shorter header, and nothing runs where it was not built). The header lists
are built once here, for HTTP and for HTTPS (which adds HSTS), and a request only picks one.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable, Mapping
from typing import Final

Header = tuple[bytes, bytes]

#: What a framing setting means in CSP and in the older X-Frame-Options header.
FRAMING: Final = {"deny": ("'none'", "DENY"), "sameorigin": ("'self'", "SAMEORIGIN")}
HSTS: Final = b"max-age=31536000"
PERMISSIONS: Final = (  # no interest-cohort: FLoC is gone, and Chromium reports the unknown feature in its console
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), magnetometer=(), gyroscope=(), "
    "accelerometer=(), browsing-topics=()"
)


def inline_scripts(html: str) -> Iterable[str]:
    """The text of each inline, executable `<script>` block (no `src`, not a JSON data block)."""
    position = 0
    while (start := html.find("<script", position)) >= 0:
        tag_end = html.find(">", start)
        if tag_end < 0:
            return
        tag = html[start : tag_end + 1]
        if tag[len("<script")] not in " >\t\n":  # <scripted>: another element
            position = tag_end + 1
            continue
        end = html.find("</script>", tag_end)
        if end < 0:
            return
        position = end + len("</script>")
        if " src=" not in tag and "json" not in tag:
            yield html[tag_end + 1 : end]


def script_hash(text: str) -> str:
    """A CSP source expression that allows exactly this script text."""
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode("ascii") + "'"


def content_security_policy(script_hashes: Iterable[str], framing: str) -> str:
    """The policy: own origin only; inline scripts by hash; data: images for the theme's icons."""
    hashes = " ".join(sorted(set(script_hashes)))
    return "; ".join(
        (
            "default-src 'self'",
            f"script-src 'self' {hashes}".rstrip(),
            "style-src 'self'",
            "img-src 'self' data:",
            "font-src 'self'",
            "connect-src 'self'",
            "worker-src 'self'",
            "object-src 'none'",
            f"frame-ancestors {FRAMING[framing][0]}",
            "base-uri 'self'",
            "form-action 'self'",
        )
    )


class PageHeaders:
    """The header lists of HTML answers, built once; a request only picks one.

    `for_page(url, secure)`: the page's own policy; for None (or a URL the site does not list) one that
    allows every page's scripts, for answers drawn from no listed page.
    """

    def __init__(
        self, pages: Mapping[str, bytes], framing: str, *, shared: Iterable[bytes] = (), unlisted: Iterable[bytes] = ()
    ) -> None:
        """`shared`: fragments any page may show; `unlisted`: pages answered as `for_page(None)` (the 404)."""
        self.framing = framing
        everywhere = _hashes(shared)
        own = {url: _hashes([html]) | everywhere for url, html in pages.items()}
        every_page = frozenset().union(everywhere, _hashes(unlisted), *own.values())
        lists: dict[frozenset[str], tuple[list[Header], list[Header]]] = {}  # one per distinct set of scripts
        for hashes in [*own.values(), every_page]:
            if hashes not in lists:
                lists[hashes] = self._lists(hashes)
        self.plain, self.https = lists[every_page]
        self._pages: dict[str | None, tuple[list[Header], list[Header]]] = {url: lists[h] for url, h in own.items()}

    def _lists(self, hashes: frozenset[str]) -> tuple[list[Header], list[Header]]:
        plain: list[Header] = [
            (b"content-security-policy", content_security_policy(hashes, self.framing).encode("ascii")),
            (b"x-content-type-options", b"nosniff"),
            (b"x-frame-options", FRAMING[self.framing][1].encode("ascii")),
            (b"referrer-policy", b"strict-origin-when-cross-origin"),
            (b"permissions-policy", PERMISSIONS.encode("ascii")),
        ]
        return plain, [*plain, (b"strict-transport-security", HSTS)]

    def for_page(self, url: str | None, secure: bool) -> list[Header]:
        """The headers of the page at this site-relative URL (`SplitPage.url`); every page's for None or another URL."""
        return self._pages.get(url, (self.plain, self.https))[secure]


def _hashes(pages: Iterable[bytes]) -> frozenset[str]:
    return frozenset(script_hash(text) for html in pages for text in inline_scripts(html.decode("utf-8", "replace")))
