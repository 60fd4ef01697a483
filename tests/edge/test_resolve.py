"""Visitor -> account with the real GeoIP2 test databases: each source, and their order."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from personalize.accounts import Account, AccountBook
from personalize.edge.geoip import GeoFacts, GeoIP
from personalize.edge.links import CookieClaims, sign_cookie, sign_link
from personalize.edge.resolve import Resolution, Resolver, Visit, attributable
from personalize.errors import ConfigError
from personalize.events import MATCH_SOURCES

SECRET = b"resolver-test-secret-0123456789ab"
NOW = 1_800_000_000


def acc(id_: str, name: str, industry: str = "high-tech", *, domains: tuple[str, ...] = (),
        ip_ranges: tuple[str, ...] = ()) -> Account:
    return Account(id_, name, domains, industry, 1, ip_ranges, "", "")


BOOK = AccountBook([
    acc("IP", "恒锐精工", "manufacturing", ip_ranges=("203.0.113.0/26", "2001:db8:42::/48")),
    acc("LARIAT", "Lariat Software, Inc."),  # Enterprise: 216.160.83.57, government
    acc("BEVTEC", "Bevtec AB", "fmcg"),  # Enterprise: 89.160.20.113, government, Corporate
    acc("GHD", "GHD Pty Ltd", "manufacturing"),  # ISP: 38.105.0.65 (ISP Cogent)
    acc("MAXMIND", "迈思数据", domains=("maxmind.com",)),  # Domain: 1.2.0.1
    acc("NAVY", "Navy", "finance", domains=("navy.mil",)),  # Enterprise: 2001:480:10::1, military
    acc("FAIRPOINT", "Fairpoint Communications", domains=("frpt.net",)),  # 74.209.16.1: residential, org = ISP
    acc("VERIZON", "Verizon Wireless"),  # 149.101.100.1: cellular, org = ISP
    acc("PRECISION", "Precision Org"),  # 128.101.101.101: residential
    acc("ACADEMIC", "National Academic Network and Information Center"),  # 2.20.32.110: org = ISP
    acc("RETAIL", "优品汇零售", "retail", domains=("youpinhui.com",)),
])


@pytest.fixture(scope="module")
def geoip(shared_fixtures: Path) -> Iterator[GeoIP]:
    names = ["GeoIP2-Enterprise-Test", "GeoIP2-ISP-Test", "GeoIP2-Domain-Test", "GeoLite2-ASN-Test",
             "GeoIP2-Connection-Type-Test"]
    with GeoIP.open([shared_fixtures / "maxmind" / f"{name}.mmdb" for name in names]) as opened:
        yield opened


@pytest.fixture(scope="module")
def resolver(geoip: GeoIP) -> Resolver:
    return Resolver(accounts=BOOK, secret=SECRET, geoip=geoip, clock=lambda: NOW,
                    utm_map={"Retail-Q4": "industry:retail", "百度-计划A": "account:RETAIL", "unit-7": "account:LARIAT"})


def link(**claims: object) -> str:
    return sign_link(SECRET, expires_at=NOW + 60, **claims)  # type: ignore[arg-type]


def cookie(account: str | None = None, *, owner: str | None = None, lead: bool = False) -> str:
    return sign_cookie(SECRET, visitor_id="v-1", account=account, owner=owner, lead=lead)


def matched(resolution: Resolution) -> tuple[str | None, str | None, str]:
    return (resolution.account.id if resolution.account else None, resolution.industry, resolution.match_source)


@pytest.mark.parametrize(("ip", "expected"), [
    ("203.0.113.9", ("IP", "manufacturing", "ip_range")),
    ("2001:db8:42::1", ("IP", "manufacturing", "ip_range")),
    ("216.160.83.57", ("LARIAT", "high-tech", "geoip_org")),
    ("89.160.20.113", ("BEVTEC", "fmcg", "geoip_org")),
    ("38.105.0.65", ("GHD", "manufacturing", "geoip_org")),
    ("1.2.0.1", ("MAXMIND", "high-tech", "geoip_domain")),
    ("2001:480:10::1", ("NAVY", "finance", "geoip_domain")),
])
def test_network_sources(resolver: Resolver, ip: str, expected: tuple[str, str, str]) -> None:
    assert matched(resolver.resolve(Visit(ip=ip))) == expected


@pytest.mark.parametrize(("ip", "why"), [
    ("74.209.16.1", "residential Cable/DSL, and the organization is the ISP"),
    ("149.101.100.1", "cellular, and the organization is the ISP"),
    ("128.101.101.101", "residential"),
    ("2.20.32.110", "a business whose organization is its own ISP: the network, not a visitor's company"),
    ("10.0.0.1", "not in any database"),
    ("8.8.8.8", "an ISP record of no account"),
])
def test_isps_homes_and_phones_are_never_matched(resolver: Resolver, ip: str, why: str) -> None:
    resolution = resolver.resolve(Visit(ip=ip))
    assert matched(resolution) == (None, None, "none"), why


def test_the_resolution_carries_the_geo_facts_for_the_event(resolver: Resolver) -> None:
    resolution = resolver.resolve(Visit(ip="89.160.20.113"))
    assert (resolution.geo.country, resolution.geo.region) == ("SE", "E")
    assert resolver.resolve(Visit()).geo == GeoFacts()


def test_sources_are_tried_strongest_first(resolver: Resolver) -> None:
    everything = Visit(ip="216.160.83.57", link_token=link(account="GHD"), cookie=cookie("BEVTEC"),
                       utm_campaign="百度-计划A")
    assert matched(resolver.resolve(everything))[2] == "link"
    no_link = Visit(ip="216.160.83.57", cookie=cookie("BEVTEC"), utm_campaign="百度-计划A")
    assert matched(resolver.resolve(no_link)) == ("BEVTEC", "fmcg", "cookie")
    no_cookie = Visit(ip="203.0.113.9", utm_campaign="百度-计划A")
    assert matched(resolver.resolve(no_cookie)) == ("RETAIL", "retail", "utm")
    assert matched(resolver.resolve(Visit(ip="203.0.113.9"))) == ("IP", "manufacturing", "ip_range")
    seen = {resolver.resolve(visit).match_source for visit in (everything, no_link, no_cookie, Visit(ip="203.0.113.9"),
            Visit(ip="216.160.83.57"), Visit(ip="1.2.0.1"), Visit())}
    assert seen == set(MATCH_SOURCES)


def test_a_share_link_carries_its_owner_and_keeps_the_cookie_lead_flag(resolver: Resolver) -> None:
    resolution = resolver.resolve(Visit(link_token=link(account="GHD", owner="张伟"), cookie=cookie(lead=True)))
    assert matched(resolution) == ("GHD", "manufacturing", "link")
    assert (resolution.owner, resolution.is_preview, resolution.visitor_is_lead, resolution.link_reason) == (
        "张伟", False, True, None)


def test_the_owner_a_link_set_in_the_cookie_stays_with_the_visitor(resolver: Resolver) -> None:
    resolution = resolver.resolve(Visit(ip="203.0.113.9", cookie=cookie(owner="李娜")))
    assert matched(resolution) == ("IP", "manufacturing", "ip_range")
    assert resolution.owner == "李娜" and resolution.visitor_is_lead is False


def test_preview_links(resolver: Resolver) -> None:
    industry_only = resolver.resolve(Visit(ip="203.0.113.9", link_token=link(industry="retail", preview=True)))
    assert matched(industry_only) == (None, "retail", "link") and industry_only.is_preview
    as_account = resolver.resolve(Visit(link_token=link(account="BEVTEC", preview=True)))
    assert matched(as_account) == ("BEVTEC", "fmcg", "link") and as_account.is_preview


@pytest.mark.parametrize(("token", "reason"), [
    (link(account="GHD")[:-2] + "AA", "tampered"),
    (sign_link(b"someone else's secret 0123456789", account="GHD", expires_at=NOW + 60), "tampered"),
    (sign_link(SECRET, account="GHD", expires_at=NOW - 1), "expired"),
    ("<script>", "malformed"),
    (link(account="GONE"), "unknown_account"),
])
def test_bad_links_are_ignored_with_a_reason_and_the_next_source_decides(
    resolver: Resolver, token: str, reason: str
) -> None:
    resolution = resolver.resolve(Visit(ip="203.0.113.9", link_token=token))
    assert matched(resolution) == ("IP", "manufacturing", "ip_range")
    assert resolution.link_reason == reason and resolution.is_preview is False


def test_forged_or_foreign_cookies_are_ignored(resolver: Resolver) -> None:
    forged = cookie("GHD", lead=True)[:-2] + "AA"
    resolution = resolver.resolve(Visit(cookie=forged))
    assert matched(resolution) == (None, None, "none") and resolution.visitor_is_lead is False
    assert matched(resolver.resolve(Visit(cookie=cookie("GONE")))) == (None, None, "none")


def test_utm_campaign_before_content_case_insensitive(resolver: Resolver) -> None:
    assert matched(resolver.resolve(Visit(utm_campaign=" retail-q4 "))) == (None, "retail", "utm")
    assert matched(resolver.resolve(Visit(utm_campaign="other", utm_content="UNIT-7"))) == ("LARIAT", "high-tech", "utm")
    both = Visit(utm_campaign="retail-q4", utm_content="unit-7")
    assert matched(resolver.resolve(both)) == (None, "retail", "utm")
    assert matched(resolver.resolve(Visit(utm_campaign="unmapped"))) == (None, None, "none")


@pytest.mark.parametrize("target", ["account:GONE", "accounts:GHD", "industry:", "GHD"])
def test_a_utm_map_pointing_nowhere_fails_at_start_up(target: str) -> None:
    with pytest.raises(ConfigError, match="utm_map: campaign 'c1'"):
        Resolver(accounts=BOOK, secret=SECRET, utm_map={"c1": target})


def test_without_geoip_only_the_other_sources_work() -> None:
    resolver = Resolver(accounts=BOOK, secret=SECRET)
    assert matched(resolver.resolve(Visit(ip="216.160.83.57"))) == (None, None, "none")
    assert matched(resolver.resolve(Visit(ip="203.0.113.9"))) == ("IP", "manufacturing", "ip_range")
    assert matched(resolver.resolve(Visit(ip="junk"))) == (None, None, "none")


@pytest.mark.parametrize(("facts", "allowed"), [
    (GeoFacts(user_type="business", connection_type="Cable/DSL"), True),
    (GeoFacts(user_type="government"), True),
    (GeoFacts(user_type="college"), True),
    (GeoFacts(user_type="residential", connection_type="Corporate"), False),
    (GeoFacts(user_type="cellular"), False),
    (GeoFacts(user_type="hosting"), False),
    (GeoFacts(user_type="search_engine_spider"), False),
    (GeoFacts(connection_type="Cellular"), False),
    (GeoFacts(connection_type="Cable/DSL"), False),
    (GeoFacts(connection_type="Corporate"), True),
    (GeoFacts(), True),  # ISP and Domain databases know neither: the organization decides
])
def test_which_networks_may_name_a_company(facts: GeoFacts, allowed: bool) -> None:
    assert attributable(facts) is allowed


@pytest.fixture
def fresh(geoip: GeoIP) -> Resolver:
    """A resolver with empty caches (the module's one has seen every other test's visits)."""
    return Resolver(accounts=BOOK, secret=SECRET, geoip=geoip, clock=lambda: NOW,
                    utm_map={"Retail-Q4": "industry:retail", "unit-7": "account:LARIAT"})


def test_cached_network_resolutions_equal_fresh_ones(fresh: Resolver, resolver: Resolver) -> None:
    visits = [Visit(ip="89.160.20.113"), Visit(ip="203.0.113.9"), Visit(ip="74.209.16.1"), Visit(),
              Visit(ip="89.160.20.113", utm_campaign="Retail-Q4"), Visit(ip="89.160.20.113", utm_content="unit-7")]
    first = [fresh.resolve(visit) for visit in visits]
    assert [fresh.resolve(visit) for visit in visits] == first
    assert [matched(resolution) for resolution in first] == [
        ("BEVTEC", "fmcg", "geoip_org"), ("IP", "manufacturing", "ip_range"), (None, None, "none"),
        (None, None, "none"), (None, "retail", "utm"), ("LARIAT", "high-tech", "utm")]


def test_a_cookie_or_link_never_leaks_into_the_network_cache(fresh: Resolver) -> None:
    """The same IP with and without a visitor's own cookie or link: each visit gets only its own identity."""
    ip = "89.160.20.113"
    assert matched(fresh.resolve(Visit(ip=ip))) == ("BEVTEC", "fmcg", "geoip_org")
    with_cookie = fresh.resolve(Visit(ip=ip, cookie=cookie("GHD", owner="李娜", lead=True)))
    assert matched(with_cookie) == ("GHD", "manufacturing", "cookie")
    assert (with_cookie.owner, with_cookie.visitor_is_lead) == ("李娜", True)
    with_link = fresh.resolve(Visit(ip=ip, link_token=link(account="MAXMIND", owner="张伟")))
    assert matched(with_link) == ("MAXMIND", "high-tech", "link") and with_link.owner == "张伟"
    tampered = fresh.resolve(Visit(ip=ip, link_token=link(account="GHD")[:-2] + "AA"))
    assert tampered.link_reason == "tampered"
    again = fresh.resolve(Visit(ip=ip))
    assert matched(again) == ("BEVTEC", "fmcg", "geoip_org")
    assert (again.owner, again.visitor_is_lead, again.is_preview, again.link_reason) == (None, False, False, None)


def test_cookie_verification_is_cached_by_value_forged_ones_too(
    fresh: Resolver, monkeypatch: pytest.MonkeyPatch
) -> None:
    from personalize.edge import resolve

    checked: list[str | None] = []
    verify = resolve.verify_cookie

    def counted(secret: bytes, value: str | None) -> CookieClaims | None:
        checked.append(value)
        return verify(secret, value)

    monkeypatch.setattr(resolve, "verify_cookie", counted)
    good, forged, other = cookie("GHD"), cookie("GHD")[:-2] + "AA", cookie("BEVTEC", lead=True)
    for _ in range(3):
        assert matched(fresh.resolve(Visit(cookie=good))) == ("GHD", "manufacturing", "cookie")
        assert matched(fresh.resolve(Visit(cookie=forged))) == (None, None, "none")
        resolution = fresh.resolve(Visit(cookie=other))
        assert matched(resolution) == ("BEVTEC", "fmcg", "cookie") and resolution.visitor_is_lead
    assert checked == [good, forged, other]


def test_caches_are_bounded_oldest_out(fresh: Resolver, monkeypatch: pytest.MonkeyPatch) -> None:
    from personalize.edge import resolve

    monkeypatch.setattr(resolve, "CACHE_SIZE", 3)
    for number in range(10):
        assert fresh.resolve(Visit(ip="203.0.113.9", utm_campaign=f"c{number}")).match_source == "ip_range"
        assert fresh.resolve(Visit(cookie=cookie(f"junk-{number}"))).match_source == "none"
    assert list(fresh._networks) == [("203.0.113.9", f"c{number}", None) for number in (7, 8, 9)]
    assert len(fresh._cookies) == 3 and cookie("junk-9") in fresh._cookies


def test_a_failing_geoip_database_is_asked_again_not_cached() -> None:
    import maxminddb.errors

    calls: list[str] = []

    def broken(ip: str) -> None:
        calls.append(ip)
        raise maxminddb.errors.InvalidDatabaseError("corrupt search tree")

    geoip = GeoIP([(Path("broken.mmdb"), broken, None)])
    resolver = Resolver(accounts=BOOK, secret=SECRET, geoip=geoip)
    for _ in range(3):
        assert matched(resolver.resolve(Visit(ip="203.0.113.9"))) == ("IP", "manufacturing", "ip_range")
    assert calls == ["203.0.113.9"] * 3 and geoip.errors == 3
