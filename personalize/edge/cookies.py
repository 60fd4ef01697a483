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

    def secure(self, visitor: VisitorContext) -> bool:
        return self.mode == "always" or (self.mode == "auto" and visitor.secure)

    def for_page(self, visitor: VisitorContext) -> list[Header]:
        """Visitor id (once), session id (sliding 30 minutes), and the identity a valid link carries."""
        secure = self.secure(visitor)
        headers = [cookie_header(SESSION_COOKIE, visitor.session_id, SESSION_AGE, secure=secure)]
        if visitor.new_visitor:
            headers.append(cookie_header(VISITOR_COOKIE, visitor.visitor_id, VISITOR_AGE, secure=secure))
        resolution = visitor.resolution
        if resolution.match_source == "link" and not resolution.is_preview and resolution.account is not None:
            headers.append(self.identity(visitor, resolution.account.id, resolution.owner, resolution.visitor_is_lead))
        return headers

    def identity(self, visitor: VisitorContext, account: str | None, owner: str | None, lead: bool) -> Header:
        """The signed identity cookie: this visitor's account, the salesperson who shared it, lead or not."""
        value = sign_cookie(self.secret, visitor_id=visitor.visitor_id, account=account, owner=owner, lead=lead)
        return cookie_header(IDENTITY_COOKIE, value, IDENTITY_AGE, secure=self.secure(visitor))
