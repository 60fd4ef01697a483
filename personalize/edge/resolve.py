"""Visitor -> account: one function per source, tried strongest first, the first match wins.

Sources (``personalize.events.MATCH_SOURCES``): a signed link, the first-party cookie, the UTM
campaign map, the accounts' IP ranges, then the GeoIP2 organization and domain of the IP. Runs
on every request, so everything costly happens once in ``__init__`` and GeoIP answers are cached.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import NamedTuple

from personalize.accounts import Account, AccountBook
from personalize.edge.caches import remember
from personalize.edge.geoip import EMPTY, GeoFacts, GeoIP
from personalize.edge.links import CookieClaims, LinkClaims, verify_cookie, verify_link
from personalize.errors import ConfigError
from personalize.orgnames import normalize

#: MaxMind user types whose traffic may be attributed to an organization; everything else
#: (residential, cellular, cafe, hosting, library, traveler, search_engine_spider, ...) is not.
BUSINESS_USER_TYPES = frozenset({"business", "government", "military", "college", "school"})
#: Connection types of consumers; they block a match only when the database has no user type
#: (a user type is MaxMind's judgement of the user, and small offices do sit on Cable/DSL).
CONSUMER_CONNECTIONS = frozenset({"cellular", "cable/dsl", "dialup", "satellite"})
#: Most network resolutions (IP + campaign) and verified cookies kept; the oldest go first.
CACHE_SIZE = 8192


class Visit(NamedTuple):
    """What the edge knows about a request, already extracted from it (a tuple: made on every request)."""

    ip: str | None = None
    link_token: str | None = None
    cookie: str | None = None
    utm_campaign: str | None = None
    utm_content: str | None = None


@dataclass(frozen=True)
class Resolution:
    account: Account | None
    industry: str | None
    match_source: str  # one of personalize.events.MATCH_SOURCES
    owner: str | None  # the salesperson the visit is attributed to (link, or the cookie a link set)
    is_preview: bool
    visitor_is_lead: bool
    link_reason: str | None  # why a link token was ignored: tampered, expired, malformed, unknown_account
    geo: GeoFacts = EMPTY  # what GeoIP says about the IP (country, region for the event)


class _Match(NamedTuple):
    account: Account | None
    industry: str | None
    owner: str | None = None
    is_preview: bool = False


@dataclass
class _Request:
    visit: Visit
    link: LinkClaims | None
    link_reason: str | None
    cookie: CookieClaims | None
    geo: GeoFacts


def attributable(geo: GeoFacts) -> bool:
    """May this IP's GeoIP organization or domain name the visitor's company?"""
    if geo.user_type:
        return geo.user_type.lower() in BUSINESS_USER_TYPES
    return (geo.connection_type or "").lower() not in CONSUMER_CONNECTIONS


class Resolver:
    """Resolve visits against one accounts list; build once at start-up, call per request.

    ``utm_map`` maps a campaign value to ``"account:ACC-001"`` or ``"industry:retail"``; the
    visit's ``utm_campaign`` is looked up first, then its ``utm_content`` (Baidu teams put the
    plan in the campaign and the unit in the content). Keys match case-insensitively, trimmed.
    """

    def __init__(
        self,
        *,
        accounts: AccountBook,
        secret: bytes,
        geoip: GeoIP | None = None,
        utm_map: Mapping[str, str] | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.accounts = accounts
        self.geoip = geoip
        self._secret = secret
        self._clock = clock
        self._utm = {_utm_key(campaign): self._utm_target(campaign, target) for campaign, target in (utm_map or {}).items()}
        #: Visits without link or cookie, by (ip, utm_campaign, utm_content): the book never changes.
        self._networks: dict[tuple[str | None, str | None, str | None], Resolution] = {}
        #: Cookie claims by cookie value: they carry no expiry, so a verified value stays valid.
        self._cookies: dict[str, CookieClaims | None] = {}
        self._sources: tuple[tuple[str, Callable[[_Request], _Match | None]], ...] = (
            ("link", self._link),
            ("cookie", self._cookie),
            ("utm", self._utm_match),
            ("ip_range", self._ip_range),
            ("geoip_org", self._geoip_org),
            ("geoip_domain", self._geoip_domain),
        )

    def _utm_target(self, campaign: str, target: str) -> _Match:
        kind, _, ident = target.partition(":")
        if kind == "industry" and ident:
            return _Match(None, ident)
        account = self.accounts.get(ident) if kind == "account" else None
        if account is None:
            raise ConfigError(
                f"utm_map: campaign {campaign!r} maps to {target!r}; expected \"account:ID\" with an id "
                f"from the accounts CSV or \"industry:ID\""
            )
        return _Match(account, account.industry)

    def resolve(self, visit: Visit) -> Resolution:
        if visit.link_token or visit.cookie:
            return self._resolve(visit)
        key = (visit.ip, visit.utm_campaign, visit.utm_content)
        resolution = self._networks.get(key)
        if resolution is None:
            errors = self.geoip.errors if self.geoip is not None else 0
            resolution = self._resolve(visit)
            if self.geoip is None or self.geoip.errors == errors:  # a failing database is retried next time
                remember(self._networks, key, resolution, CACHE_SIZE)
        return resolution

    def _resolve(self, visit: Visit) -> Resolution:
        link, link_reason = (None, None)
        if visit.link_token:
            link, link_reason = verify_link(self._secret, visit.link_token, now=int(self._clock()))
        request = _Request(
            visit,
            link,
            link_reason,
            self._cookie_claims(visit.cookie) if visit.cookie else None,
            self.geoip.lookup(visit.ip) if self.geoip is not None and visit.ip else EMPTY,
        )
        for source, match_of in self._sources:
            match = match_of(request)
            if match is not None:
                return self._resolution(request, source, match)
        return self._resolution(request, "none", _Match(None, None))

    def _cookie_claims(self, value: str) -> CookieClaims | None:
        if value in self._cookies:
            return self._cookies[value]
        claims = verify_cookie(self._secret, value)
        remember(self._cookies, value, claims, CACHE_SIZE)
        return claims

    def _resolution(self, request: _Request, source: str, match: _Match) -> Resolution:
        cookie = request.cookie
        return Resolution(
            account=match.account,
            industry=match.industry,
            match_source=source,
            owner=match.owner or (cookie.owner if cookie else None),
            is_preview=match.is_preview,
            visitor_is_lead=bool(cookie and cookie.lead),
            link_reason=request.link_reason,
            geo=request.geo,
        )

    def _link(self, request: _Request) -> _Match | None:
        claims = request.link
        if claims is None:
            return None
        if claims.account:
            account = self.accounts.get(claims.account)
            if account is None:
                request.link_reason = "unknown_account"
                return None
            return _Match(account, account.industry, claims.owner, claims.preview)
        if claims.preview and claims.industry:
            return _Match(None, claims.industry, claims.owner, True)
        return None

    def _cookie(self, request: _Request) -> _Match | None:
        cookie = request.cookie
        account = self.accounts.get(cookie.account) if cookie and cookie.account else None
        return _Match(account, account.industry, cookie.owner) if account and cookie else None

    def _utm_match(self, request: _Request) -> _Match | None:
        if not self._utm:
            return None
        for value in (request.visit.utm_campaign, request.visit.utm_content):
            if value:
                match = self._utm.get(_utm_key(value))
                if match is not None:
                    return match
        return None

    def _ip_range(self, request: _Request) -> _Match | None:
        account = self.accounts.by_ip(request.visit.ip) if request.visit.ip else None
        return _Match(account, account.industry) if account else None

    def _geoip_org(self, request: _Request) -> _Match | None:
        geo = request.geo
        if not geo.organization or not attributable(geo):
            return None
        organization = normalize(geo.organization)
        if organization in (normalize(geo.isp or ""), normalize(geo.as_org or "")):
            return None  # the network's operator, not the visitor's company
        account = self.accounts.by_org_name(geo.organization)
        return _Match(account, account.industry) if account else None

    def _geoip_domain(self, request: _Request) -> _Match | None:
        geo = request.geo
        if not geo.domain or not attributable(geo):
            return None
        account = self.accounts.by_domain(geo.domain)
        return _Match(account, account.industry) if account else None


def _utm_key(value: str) -> str:
    return value.strip().casefold()
