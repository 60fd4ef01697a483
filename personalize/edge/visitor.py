"""Who is asking: first-party cookies, client IP, User-Agent and campaign of one request, resolved once.

Read straight from the ASGI scope (no Request object on the hot path). The raw client IP lives only
in this function's locals: what leaves it is a keyed hash and the country/region GeoIP gives.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import parse_qsl, urlsplit

from personalize.edge.caches import remember
from personalize.edge.clientip import Network, client_ip, from_trusted_proxy
from personalize.edge.links import LINK_PARAM, link_id
from personalize.edge.resolve import Resolution, Resolver, Visit
from personalize.events import CAMPAIGN_EXTRAS, UTM_FIELDS

if TYPE_CHECKING:
    from personalize.edge.bots import Agent, AgentClassifier

VISITOR_COOKIE: Final = "abm_vid"
SESSION_COOKIE: Final = "abm_sid"
IDENTITY_COOKIE: Final = "abm_id"
VISITOR_AGE: Final = 2 * 365 * 24 * 3600
SESSION_AGE: Final = 30 * 60  # a session ends after 30 minutes without a request
IDENTITY_AGE: Final = 365 * 24 * 3600
MAX_QUERY: Final = 4096
MAX_VALUE: Final = 200
_ID = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{16,128}$")  # nginx's $request_id: 32 hex digits
ID_LENGTH: Final = 22  # as long as secrets.token_urlsafe(16) spells them
ID_BATCH: Final = 256
#: The first characters of an id count milliseconds in an alphabet whose ASCII order is its numeric
#: order, so ids sort by the time they were made: a store's visitor index appends new visitors at its
#: end (random keys scatter every insert across the index, the writer's costliest part under load).
ID_CLOCK_DIGITS: Final = 7  # 42 bits of milliseconds: until the year 2109
ID_RANDOM_LENGTH: Final = ID_LENGTH - ID_CLOCK_DIGITS  # 90 random bits (a UUIDv7 has 74)
_SORTED_DIGITS: Final = "-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"
CLIENT_CACHE: Final = 8192


@dataclass(slots=True)
class VisitorContext:
    visitor_id: str
    session_id: str
    new_visitor: bool
    ip_hash: str | None
    country: str | None
    region: str | None
    agent: Agent
    resolution: Resolution
    secure: bool
    referrer_host: str | None
    campaign: dict[str, str]  # UTM fields present in the query
    extra: dict[str, str]  # other campaign parameters present in the query
    identity_cookie: str | None  # the current abm_id value (None: none sent)
    request_id: str | None = None  # a trusted proxy's X-Request-Id: the same on its retry to another edge


def read_query(query_string: bytes) -> dict[str, str]:
    if not query_string:
        return {}
    text = query_string[:MAX_QUERY].decode("utf-8", "replace")
    return {key: value[:MAX_VALUE] for key, value in parse_qsl(text)}


_NO_COOKIES: Final[dict[str, str]] = {}


def read_cookies(raw: str) -> dict[str, str]:
    cookies: dict[str, str] = {}
    for part in raw.split(";"):
        name, _, value = part.strip().partition("=")
        if name in (VISITOR_COOKIE, SESSION_COOKIE, IDENTITY_COOKIE):
            cookies[name] = value.strip()
    return cookies


def ip_hash(secret: bytes, ip: str | None) -> str | None:
    """A keyed hash of the client IP: stable for counting and rate limits, useless to reverse."""
    if ip is None:
        return None
    return hmac.new(secret, b"ip:" + ip.encode(), hashlib.sha256).hexdigest()[:32]


_ids: list[str] = []  # random parts made ahead: one os.urandom call and one base64 encoding per ID_BATCH ids
os.register_at_fork(after_in_child=_ids.clear)  # a forked worker must never hand out its parent's ids
_clock: list[Any] = [None, ""]  # the last millisecond and its digits


def _clock_digits(millis: int) -> str:
    digits = []
    for _ in range(ID_CLOCK_DIGITS):
        millis, digit = divmod(millis, 64)
        digits.append(_SORTED_DIGITS[digit])
    return "".join(reversed(digits))


def new_id() -> str:
    """A visitor or session id: the millisecond it was made, then 90 random bits; `list.pop` is atomic,
    so no two callers ever get the same random part."""
    millis = int(time.time() * 1000)
    if _clock[0] != millis:
        _clock[:] = [millis, _clock_digits(millis)]
    prefix = _clock[1]
    try:
        return prefix + _ids.pop()
    except IndexError:
        text = base64.urlsafe_b64encode(os.urandom(ID_RANDOM_LENGTH * ID_BATCH * 6 // 8)).decode("ascii")
        _ids.extend(text[start : start + ID_RANDOM_LENGTH] for start in range(0, len(text), ID_RANDOM_LENGTH))
        return prefix + _ids.pop()


class VisitorReader:
    """Reads who is asking from a request scope: what the page, the lead form, beacons and downloads share."""

    def __init__(
        self,
        *,
        secret: bytes,
        trusted: tuple[Network, ...],
        resolver: Resolver,
        classifier: AgentClassifier,
    ) -> None:
        self.secret = secret
        self.trusted = trusted
        self.resolver = resolver
        self.classifier = classifier
        self._clients: dict[tuple[str | None, str | None], tuple[str | None, str | None]] = {}
        self._proxies: dict[str | None, bool] = {}  # peer -> a trusted proxy

    def client(self, peer: str | None, forwarded: str | None) -> tuple[str | None, str | None]:
        """The client IP (trusted-proxy rule applied) and its keyed hash, cached: parsing IPs is the slow part."""
        key = (peer, forwarded)
        known = self._clients.get(key)
        if known is None:
            ip = client_ip(peer, forwarded, self.trusted)
            known = (ip, ip_hash(self.secret, ip))
            remember(self._clients, key, known, CLIENT_CACHE)
        return known

    def request_id(self, peer: str | None, header: str) -> str | None:
        """The proxy's id of this request, believed from a trusted proxy only (well-formed, or none)."""
        trusted = self._proxies.get(peer)
        if trusted is None:
            trusted = from_trusted_proxy(peer, self.trusted)
            remember(self._proxies, peer, trusted, CLIENT_CACHE)
        return header if trusted and _REQUEST_ID.match(header) else None

    def read(self, scope: Mapping[str, Any], query: dict[str, str], *, use_link: bool = True) -> VisitorContext:
        """Cookies, IP, agent and campaign of a request, and the account they resolve to."""
        cookie = user_agent = forwarded = referer = proto = request_id = ""
        for name, value in scope["headers"]:
            if name == b"cookie":
                cookie = value.decode("latin-1")
            elif name == b"user-agent":
                user_agent = value.decode("latin-1")
            elif name == b"x-forwarded-for":
                forwarded = value.decode("latin-1") if not forwarded else forwarded + "," + value.decode("latin-1")
            elif name == b"referer":
                referer = value.decode("latin-1")
            elif name == b"x-forwarded-proto":
                proto = value.decode("latin-1")
            elif name == b"x-request-id":
                request_id = value.decode("latin-1")
        cookies = read_cookies(cookie) if cookie else _NO_COOKIES
        client = scope.get("client")
        peer = client[0] if client else None
        ip, hashed = self.client(peer, forwarded or None)
        visitor_id = cookies.get(VISITOR_COOKIE)
        new_visitor = False
        if not (visitor_id and _ID.match(visitor_id)):
            visitor_id, new_visitor = new_id(), True
        session_id = cookies.get(SESSION_COOKIE)
        if not (session_id and _ID.match(session_id)):
            session_id = new_id()
        identity = cookies.get(IDENTITY_COOKIE)
        if query:
            campaign = {name: query[name] for name in UTM_FIELDS if name in query}
            extra = {name: query[name] for name in CAMPAIGN_EXTRAS if name in query}
            link = query.get(LINK_PARAM) if use_link else None
            visit = Visit(ip, link, identity, campaign.get("utm_campaign"), campaign.get("utm_content"))
        else:
            campaign, extra, visit = {}, {}, Visit(ip, None, identity)
        resolution = self.resolver.resolve(visit)
        if visit.link_token and resolution.match_source == "link":  # `abm report owners` counts links opened
            extra = {**extra, "link": link_id(visit.link_token)}
        secure = scope.get("scheme") == "https" or (proto == "https" and ip != peer)
        geo = resolution.geo
        return VisitorContext(
            visitor_id,
            session_id,
            new_visitor,
            hashed,
            geo.country,
            geo.region,
            self.classifier.classify(user_agent),
            resolution,
            secure,
            _host(referer),
            campaign,
            extra,
            identity,
            self.request_id(peer, request_id) if request_id else None,
        )


def _host(referer: str) -> str | None:
    if not referer:
        return None
    try:
        return (urlsplit(referer[:2048]).hostname or "")[:253] or None
    except ValueError:
        return None


def cookie_header(name: str, value: str, max_age: int, *, secure: bool, http_only: bool = True) -> tuple[bytes, bytes]:
    """A Set-Cookie header: first-party, SameSite=Lax, Secure over HTTPS."""
    text = f"{name}={value}; Max-Age={max_age}; Path=/; SameSite=Lax"
    if http_only:
        text += "; HttpOnly"
    if secure:
        text += "; Secure"
    return b"set-cookie", text.encode("latin-1")
