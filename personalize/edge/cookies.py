"""The cookies the edge sets: visitor id (once), session id (sliding), and the signed identity.

One place decides when a cookie is `Secure` (the `cookie_secure` setting and the request's scheme)
and what the identity cookie carries, for pages and for the lead form alike.
"""

from __future__ import annotations

from personalize.edge.links import sign_cookie
from personalize.edge.visitor import (
    IDENTITY_AGE,
    IDENTITY_COOKIE,
    SESSION_AGE,
    SESSION_COOKIE,
    VISITOR_AGE,
    VISITOR_COOKIE,
    VisitorContext,
    cookie_header,
)

Header = tuple[bytes, bytes]


class VisitorCookies:
    """Set-Cookie headers for one visitor, signed with the edge's secret."""

    def __init__(self, secret: bytes, mode: str) -> None:
        self.secret = secret
        self.mode = mode  # "auto" | "always" | "never"
        #: The page cookies' headers around their value, by Secure: drawn once, a page only fills in the id.
        self._session = {secure: _around(SESSION_COOKIE, SESSION_AGE, secure) for secure in (False, True)}
        self._visitor = {secure: _around(VISITOR_COOKIE, VISITOR_AGE, secure) for secure in (False, True)}

    def secure(self, visitor: VisitorContext) -> bool:
        return self.mode == "always" or (self.mode == "auto" and visitor.secure)

    def for_page(self, visitor: VisitorContext) -> list[Header]:
        """Visitor id (once), session id (sliding 30 minutes), and the identity a valid link carries."""
        secure = self.secure(visitor)
        before, after = self._session[secure]
        headers = [(b"set-cookie", before + visitor.session_id.encode("latin-1") + after)]
        if visitor.new_visitor:
            before, after = self._visitor[secure]
            headers.append((b"set-cookie", before + visitor.visitor_id.encode("latin-1") + after))
        resolution = visitor.resolution
        if resolution.match_source == "link" and not resolution.is_preview and resolution.account is not None:
            headers.append(self.identity(visitor, resolution.account.id, resolution.owner, resolution.visitor_is_lead))
        return headers

    def identity(self, visitor: VisitorContext, account: str | None, owner: str | None, lead: bool) -> Header:
        """The signed identity cookie: this visitor's account, the salesperson who shared it, lead or not."""
        value = sign_cookie(self.secret, visitor_id=visitor.visitor_id, account=account, owner=owner, lead=lead)
        return cookie_header(IDENTITY_COOKIE, value, IDENTITY_AGE, secure=self.secure(visitor))


def _around(name: str, max_age: int, secure: bool) -> tuple[bytes, bytes]:
    """What `cookie_header` writes before and after a cookie's value."""
    before, _, after = cookie_header(name, "\0", max_age, secure=secure)[1].partition(b"\0")
    return before, after
