"""The headers every HTML answer of the edge carries: no framing, no sniffing, no referrer leak, no sensors.

The Content-Security-Policy here restricts what cannot break the theme (framing, `<base>`, form
targets, plugins); a policy for scripts and styles needs the hashes of mkdocs-material's inline
scripts and is not sent yet. HSTS only on HTTPS, where the browser will honour it.
"""

from __future__ import annotations

from typing import Final

Header = tuple[bytes, bytes]

HTML_SECURITY: Final[tuple[Header, ...]] = (
    (b"content-security-policy", b"frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'"),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),  # the same as frame-ancestors, for browsers before CSP 2
    (b"referrer-policy", b"strict-origin-when-cross-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"),
)
HSTS: Final[Header] = (b"strict-transport-security", b"max-age=31536000")


def html_security(secure: bool) -> tuple[Header, ...]:
    """The security headers of one HTML answer; `secure`: it came over HTTPS (directly or via a trusted proxy)."""
    return (*HTML_SECURITY, HSTS) if secure else HTML_SECURITY


def as_text(headers: tuple[Header, ...]) -> dict[str, str]:
    """The same headers for a Starlette Response."""
    return {name.decode(): value.decode() for name, value in headers}
