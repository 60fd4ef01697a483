"""The edge end to end on a real uvicorn: resolution sources, proxies, links, bots, holdout, gating,
privacy, a locked store, static assets, beacons and start-up errors."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from personalize.database import connect_sqlite
from personalize.edge.app import create_app
from personalize.edge.beacon import SCRIPT_PATH
from personalize.edge.holdout import Holdout
from personalize.errors import ConfigError
from personalize.events import EVENT_FIELDS
from tests.edge.edge_client import Edge, link, root, start_edge
from tests.edge.edge_site import CONFIDENTIAL, GATED_FORM, SECRET, edge_settings

__all__ = ["root", "start_edge"]  # fixtures

GOOGLEBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"


@pytest.fixture
def edge(start_edge: Any) -> Edge:
    return start_edge(trusted_proxy=["127.0.0.1/32"])


def test_anonymous_page_is_default_private_and_logged(edge: Edge) -> None:
    response = edge.get("/?utm_source=baidu&utm_medium=cpc&utm_campaign=brand&utm_term=crm&gclid=G1&bd_vid=B2",
                        headers={"referer": "https://www.baidu.com/s?wd=crm"})
    assert response.status_code == 200
    body = response.text
    assert "HERO-DEFAULT" in body and "LOGOS-DEFAULT" in body and f'<script src="{SCRIPT_PATH}" defer>' in body
    assert not [secret for secret in CONFIDENTIAL if secret in body]
    assert response.headers["cache-control"] == "private, no-cache" and response.headers["vary"] == "Cookie, Accept-Encoding"
    cookies = response.headers.get_list("set-cookie")
    assert any(c.startswith("abm_vid=") and "HttpOnly" in c and "SameSite=Lax" in c for c in cookies)
    assert any(c.startswith("abm_sid=") and "Max-Age=1800" in c for c in cookies)
    assert not any("Secure" in c for c in cookies)  # plain HTTP
    [event] = edge.events()
    assert set(EVENT_FIELDS) <= set(event)
    assert event["kind"] == "pageview" and event["path"] == "/" and event["match_source"] == "none"
    assert (event["utm_source"], event["utm_medium"], event["utm_campaign"], event["utm_term"]) == ("baidu", "cpc", "brand", "crm")
    assert event["extra"] == '{"gclid":"G1","bd_vid":"B2"}'
    assert event["referrer_host"] == "www.baidu.com" and event["variant"] == "default" and event["arm"] is None
    assert event["device"] == "desktop" and event["is_bot"] == 0 and len(event["ip_hash"]) == 32
    assert event["ts"].endswith("Z") and event["visitor_id"] and event["session_id"]


def test_same_visitor_and_session_across_requests(edge: Edge) -> None:
    edge.get("/")
    edge.get("/resources/trends/")
    first, second = edge.events()
    assert first["visitor_id"] == second["visitor_id"] and first["session_id"] == second["session_id"]
    other = edge.fresh().get("/")
    assert other.status_code == 200
    assert edge.events()[-1]["visitor_id"] != first["visitor_id"]


def test_share_link_personalizes_sets_cookie_and_attributes_owner(edge: Edge) -> None:
    token = link("ACC-1", owner="王磊")  # one token: two made a second apart would differ in their expiry
    response = edge.get(f"/?abm={token}")
    assert "HERO-ACC-1" in response.text and "LOGOS-MANUFACTURING" in response.text  # account > industry > default
    identity = [c for c in response.headers.get_list("set-cookie") if c.startswith("abm_id=")]
    assert identity and "HttpOnly" in identity[0] and "SameSite=Lax" in identity[0]
    later = edge.get("/resources/trends/")  # no token: the cookie carries the account
    assert "HERO-ACC-1" in later.text
    by_link, by_cookie = edge.events()
    assert (by_link["match_source"], by_link["account_id"], by_link["owner"]) == ("link", "ACC-1", "王磊")
    assert json.loads(by_link["extra"]) == {"link": token.rpartition(".")[2]} and not by_cookie["extra"]  # abm report owners
    assert (by_cookie["match_source"], by_cookie["account_id"], by_cookie["owner"]) == ("cookie", "ACC-1", "王磊")
    assert by_link["variant"] == "account:ACC-1" and by_link["arm"] == "personalized"
    assert by_link["industry"] == "manufacturing"


def test_tier_2_account_gets_its_industry_not_an_account_variant(edge: Edge) -> None:
    response = edge.get("/", headers={"x-forwarded-for": "203.0.113.5"})  # ACC-1's range, tier 1
    assert "HERO-ACC-1" in response.text
    response = edge.fresh().get(f"/?abm={link('ACC-2')}")
    assert "HERO-RETAIL" in response.text and edge.events()[-1]["variant"] == "industry:retail"


@pytest.mark.parametrize("reason", ["tampered", "expired"])
def test_bad_links_get_the_default_page_and_are_counted(edge: Edge, reason: str) -> None:
    token = link("ACC-1", expires_in=-60) if reason == "expired" else link("ACC-1")[:-3] + "AAA"
    response = edge.get(f"/?abm={token}")
    assert response.status_code == 200 and "HERO-DEFAULT" in response.text
    assert not [c for c in response.headers.get_list("set-cookie") if c.startswith("abm_id=")]
    assert edge.health()["counters"][f"link_{reason}"] == 1
    assert edge.events()[-1]["account_id"] is None


def test_preview_link_is_flagged_and_sets_no_identity(edge: Edge) -> None:
    response = edge.get(f"/?abm={link(industry='manufacturing', preview=True)}")
    assert "HERO-MANUFACTURING" in response.text
    assert not [c for c in response.headers.get_list("set-cookie") if c.startswith("abm_id=")]
    event = edge.events()[-1]
    assert event["is_preview"] == 1 and event["arm"] is None


def test_utm_map_to_industry_and_account(start_edge: Any) -> None:
    edge = start_edge(utm_map={"retail-spring": "industry:retail", "acc1-q4": "account:ACC-1"})
    assert "HERO-RETAIL" in edge.get("/?utm_campaign=retail-spring").text
    assert "HERO-ACC-1" in edge.fresh().get("/?utm_campaign=acc1-q4").text
    industry, account = edge.events()
    assert (industry["match_source"], industry["industry"], industry["account_id"]) == ("utm", "retail", None)
    assert (account["match_source"], account["account_id"]) == ("utm", "ACC-1")


def test_ip_range_through_a_trusted_proxy_only(start_edge: Any) -> None:
    trusted = start_edge(trusted_proxy=["127.0.0.1/32"])
    assert "HERO-ACC-1" in trusted.get("/", headers={"x-forwarded-for": "203.0.113.9"}).text
    assert trusted.events()[-1]["match_source"] == "ip_range"
    untrusted = start_edge()  # no proxy trusted by default: the header is ignored
    assert "HERO-DEFAULT" in untrusted.get("/", headers={"x-forwarded-for": "203.0.113.9"}).text
    assert untrusted.events()[-1]["match_source"] == "none"


@pytest.mark.parametrize(
    "forwarded",
    [
        "203.0.113.9, 198.18.0.1",  # spoofed left part: the hop our proxy saw is 198.18.0.1
        "not-an-ip",
        ",,,;;",
        "203.0.113.9, garbage",
        "1.1.1.1," * 1500 + "198.18.0.1",
        "[::1]:80, 999.1.1.1",
    ],
)
def test_spoofed_malformed_and_huge_forwarded_for(edge: Edge, forwarded: str) -> None:
    response = edge.get("/", headers={"x-forwarded-for": forwarded})
    assert response.status_code == 200 and "HERO-DEFAULT" in response.text
    assert edge.events()[-1]["account_id"] is None


@pytest.mark.fixtures
def test_geoip_organization_and_domain(start_edge: Any, shared_fixtures: Path) -> None:
    mmdb = shared_fixtures / "maxmind" / "GeoIP2-Enterprise-Test.mmdb"
    edge = start_edge(trusted_proxy=["127.0.0.1/32"], geoip=[mmdb])
    by_org = edge.get("/", headers={"x-forwarded-for": "89.160.20.113"})  # organization Bevtec
    assert "HERO-RETAIL" in by_org.text
    edge.fresh().get("/", headers={"x-forwarded-for": "214.78.0.1"})  # domain health.mil
    edge.fresh().get("/", headers={"x-forwarded-for": "74.209.16.1"})  # residential: never matched
    org, domain, residential = edge.events()
    assert (org["match_source"], org["account_id"], org["country"], org["region"]) == ("geoip_org", "ACC-2", "SE", "E")
    assert (domain["match_source"], domain["account_id"]) == ("geoip_domain", "ACC-3")
    assert (residential["match_source"], residential["account_id"], residential["country"]) == ("none", None, "US")


def test_bots_get_the_default_page_and_are_flagged(edge: Edge) -> None:
    response = edge.get(f"/?abm={link('ACC-1')}", headers={"user-agent": GOOGLEBOT})
    assert "HERO-DEFAULT" in response.text and "HERO-ACC-1" not in response.text
    event = edge.events()[-1]
    assert (event["is_bot"], event["device"], event["variant"], event["arm"]) == (1, "bot", "default", None)


def test_holdout_is_stable_by_account(start_edge: Any) -> None:
    expected = Holdout(SECRET.encode(), 0.5)
    for _ in range(2):  # two edges = a restart
        edge = start_edge(holdout=0.5)
        for account in ("ACC-1", "ACC-2", "ACC-3", "ACC-4", "ACC-5"):
            for _visitor in range(2):
                response = edge.fresh().get(f"/?abm={link(account)}")
                arm = edge.events()[-1]["arm"]
                assert arm == expected.arm(account)
                if arm == "control":
                    assert "HERO-DEFAULT" in response.text


def test_full_holdout_serves_control_the_default_page(start_edge: Any) -> None:
    edge = start_edge(holdout=1.0)
    response = edge.get(f"/resources/whitepaper/?abm={link('ACC-1')}")
    assert "HERO-DEFAULT" in response.text and GATED_FORM in response.text  # control: as if anonymous
    event = edge.events()[-1]
    assert (event["arm"], event["variant"], event["account_id"]) == ("control", "default", "ACC-1")


@pytest.mark.parametrize(
    ("path", "identified", "expected"),
    [
        ("/resources/whitepaper/", False, GATED_FORM),  # auto, MoFu, unknown
        ("/resources/whitepaper/", True, "OPEN-LINK"),  # auto, identified target account
        ("/resources/trends/", False, "OPEN-LINK"),  # auto, ToFu
        ("/resources/casebook/", True, GATED_FORM),  # true: a form even for accounts
        ("/resources/datasheet/", False, "OPEN-LINK"),  # false
    ],
)
def test_gating_per_policy(edge: Edge, path: str, identified: bool, expected: str) -> None:
    query = f"?abm={link('ACC-1')}" if identified else ""
    body = edge.get(path + query).text
    assert expected in body
    assert ("OPEN-LINK" if expected == GATED_FORM else GATED_FORM) not in body
    if expected == GATED_FORM:
        assert 'name="csrf"' in body and 'name="consent_id"' in body


def test_private_page_only_for_its_account(edge: Edge) -> None:
    missing = edge.fresh().get("/no/such/page/")
    anonymous = edge.fresh().get("/accounts/acc-1/")
    assert anonymous.status_code == missing.status_code == 404
    assert anonymous.text == missing.text and "NOT-FOUND" in anonymous.text
    assert edge.fresh().get("/accounts/acc-1", follow_redirects=False).status_code == 404  # no redirect hint
    other = edge.fresh().get(f"/accounts/acc-1/?abm={link('ACC-2')}")
    assert other.status_code == 404
    assert edge.get(f"/accounts/acc-1/?abm={link('ACC-1')}").status_code == 200


def test_no_raw_ip_and_no_account_data_leaks(edge: Edge) -> None:
    ips = ["203.0.113.77", "198.18.7.9", "2001:db8::7"]
    for ip in ips:
        response = edge.fresh().get("/resources/whitepaper/", headers={"x-forwarded-for": ip})
        assert response.status_code == 200
    anonymous = [edge.fresh().get(path) for path in ("/", "/resources/whitepaper/", "/abm-manifest.json", "/healthz", SCRIPT_PATH)]
    for response in anonymous:
        assert not [secret for secret in CONFIDENTIAL if secret in response.text], response.url
    edge.events()
    spooled = b"".join(p.read_bytes() for p in edge.settings.spool_root.rglob("*.events"))
    assert spooled.count(b"pageview") >= 5  # the spool holds the events, with their IP hashes only
    edge.app.edge.events.close()
    stored = Path(edge.settings.sqlite_path).parent.glob("events.sqlite*")
    data = spooled + b"".join(p.read_bytes() for p in stored if p.is_file())
    for ip in [*ips, "127.0.0.1"]:
        assert ip.encode() not in data and ip.encode("utf-16-le") not in data


def test_pages_are_served_while_the_store_is_locked(start_edge: Any) -> None:
    edge = start_edge()
    blocker = connect_sqlite(edge.settings.sqlite_path)
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        for _ in range(20):
            assert edge.get("/").status_code == 200
        assert not edge.app.edge.events.flush(2.0)
        health = edge.health()
        assert health["counters"]["write_failures"] >= 1 and health["buffer_depth"] == 20
    finally:
        blocker.rollback()
        blocker.close()
    assert len(edge.events()) == 20 and edge.health()["counters"]["events_dropped"] == 0


def test_static_assets_have_caching_headers(edge: Edge) -> None:
    fingerprinted = edge.get("/assets/stylesheets/main.0123abcd.min.css")
    assert fingerprinted.status_code == 200
    assert fingerprinted.headers["cache-control"] == "public, max-age=31536000, immutable"
    plain = edge.get("/assets/extra.css")
    assert plain.headers["cache-control"] == "public, max-age=300" and plain.headers["etag"]
    assert plain.headers["last-modified"]
    again = edge.get("/assets/extra.css", headers={"if-none-match": plain.headers["etag"]})
    assert again.status_code == 304
    missing = edge.get("/assets/nope.css")
    assert missing.status_code == 404 and "NOT-FOUND" in missing.text
    assert edge.get("/resources/whitepaper", follow_redirects=False).headers["location"] == "/resources/whitepaper/"
    assert edge.get("/resources/whitepaper/index.html").status_code == 200


def test_healthz(edge: Edge) -> None:
    edge.get("/")
    health = edge.health()
    assert health["ok"] is True and health["pages"] >= 7 and health["accounts"] == 5
    assert set(health["counters"]) >= {
        "events_written", "events_dropped", "write_failures", "link_tampered", "link_expired", "geoip_errors"
    }


def test_beacon_events(edge: Edge) -> None:
    edge.get(f"/resources/whitepaper/?abm={link('ACC-1')}")
    script = edge.get(SCRIPT_PATH, headers={"accept-encoding": "br"})
    assert script.status_code == 200 and len(script.content) <= 5 * 1024
    assert re.fullmatch(r"/abm/beacon\.[0-9a-f]{8}\.js", SCRIPT_PATH), "the script is named by its content"
    assert script.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert script.headers["content-encoding"] == "br" and script.headers["content-type"].startswith("text/javascript")
    assert edge.get(SCRIPT_PATH, headers={"if-none-match": script.headers["etag"]}).status_code == 304
    assert edge.get("/abm/beacon.js").status_code == 404, "only the hashed name is served"
    good = edge.client.post("/abm/beacon", content='{"kind":"download","path":"/resources/whitepaper/","href":"/downloads/whitepaper.pdf"}',
                            headers={"content-type": "text/plain;charset=UTF-8"})
    engaged = edge.client.post("/abm/beacon", json={"kind": "engagement", "path": "/resources/whitepaper/", "value": 42.5})
    assert good.status_code == engaged.status_code == 204
    for bad in ('{"kind":"purchase","path":"/"}', "not json", '{"kind":"engagement","path":"/","value":"x"}',
                '{"kind":"engagement","path":"http://evil/"}'):
        assert edge.client.post("/abm/beacon", content=bad).status_code == 400
    assert edge.client.post("/abm/beacon", content="x" * 5000).status_code == 413
    pageview, download, engagement = edge.events()
    assert (download["kind"], download["account_id"], download["extra"]) == ("download", "ACC-1", '{"href":"/downloads/whitepaper.pdf"}')
    assert (engagement["kind"], engagement["value"], engagement["visitor_id"]) == ("engagement", 42.5, pageview["visitor_id"])
    assert engagement["match_source"] == "cookie"


def test_startup_problems_all_in_one_message(tmp_path: Path, root: Path) -> None:
    (root / "accounts.csv").write_text("id,name,domains,industry,tier\nA1,甲,a.cn,nonsense,9\n", encoding="utf-8")
    (root / "bad.mmdb").write_bytes(b"not a maxmind database")
    settings = edge_settings(root, site=tmp_path / "nowhere", geoip=[root / "bad.mmdb"], secret_file=None)
    with pytest.raises(ConfigError) as error:
        create_app(settings)
    text = str(error.value)
    assert "no secret" in text and "mkdocs build" in text and "bad.mmdb" in text
    assert "row 2" in text and "nonsense" in text


@pytest.mark.parametrize("secret", ["", "short"])
def test_short_secret_is_refused(root: Path, secret: str) -> None:
    (root / "secret.key").write_text(secret, encoding="utf-8")
    with pytest.raises(ConfigError, match="secret"):
        create_app(edge_settings(root))


@pytest.mark.fixtures
def test_corrupt_geoip_fixture_is_refused(root: Path, shared_fixtures: Path) -> None:
    broken = shared_fixtures / "maxmind" / "GeoIP2-City-Test-Invalid-Node-Count.mmdb"
    with pytest.raises(ConfigError, match="Invalid-Node-Count"):
        create_app(edge_settings(root, geoip=[broken]))


def test_missing_optional_geoip_is_skipped(root: Path) -> None:
    app = create_app(edge_settings(root, geoip=[root / "absent.mmdb"], geoip_optional=True))
    assert app.edge.geoip.paths == []
    with pytest.raises(ConfigError, match="absent.mmdb"):
        create_app(edge_settings(root, geoip=[root / "absent.mmdb"]))


def test_unusable_store_is_refused(root: Path) -> None:
    with pytest.raises(ConfigError, match="event store"):
        create_app(edge_settings(root, db=str(root / "no" / "dir" / "e.sqlite")))



def test_event_rows_are_built_in_the_stores_column_order() -> None:
    """The recorder builds its row by field name: every field lands in its own column."""
    from dataclasses import replace
    from types import SimpleNamespace

    from personalize.accounts import Account
    from personalize.edge.bots import Agent
    from personalize.edge.event_rows import event_row
    from personalize.edge.geoip import GeoFacts
    from personalize.edge.holdout import Holdout
    from personalize.edge.recorder import EventRecorder
    from personalize.edge.resolve import Resolution
    from personalize.edge.visitor import VisitorContext
    from personalize.events import EVENT_COLUMNS as COLUMNS

    queued: list[tuple[Any, ...]] = []  # the rows EventSink.put takes
    account = Account("ACC-9", "Name", (), "retail", 1, (), "", "")
    resolution = Resolution(account, "retail", "link", "owner-1", True, True, None, GeoFacts(country="CN"))
    campaign = {"utm_source": "s", "utm_medium": "m", "utm_campaign": "c", "utm_term": "t", "utm_content": "x"}
    visitor = VisitorContext("vid", "sid", False, "hash", "CN", "CN-BJ", Agent("mobile", "Safari", "iOS", True),
                             resolution, False, "ref.example", campaign, {"gclid": "G"}, None)
    recorder = EventRecorder(SimpleNamespace(put=queued.append), Holdout(b"s", 0.1))
    recorder.record("download", visitor, "/p/", variant="industry:retail", arm="control", value=2.5)
    expected = {"kind": "download", "visitor_id": "vid", "session_id": "sid", "path": "/p/", "referrer_host": "ref.example",
                **campaign, "account_id": "ACC-9", "match_source": "link", "industry": "retail",
                "variant": "industry:retail", "arm": "control", "owner": "owner-1", "device": "mobile",
                "browser": "Safari", "os": "iOS", "is_bot": 1, "is_preview": 1, "country": "CN", "region": "CN-BJ",
                "ip_hash": "hash", "extra": '{"gclid":"G"}', "value": 2.5}
    [row] = queued
    assert row[1:-1] == event_row(expected)[1:-1] and len(row) == len(COLUMNS) and COLUMNS[-1] == "event_id"
    assert re.fullmatch(r"[0-9a-f]{32}", row[-1]) and row[-1] != event_row(expected)[-1]  # a new id per event
    assert row[0].endswith("Z")
    no_campaign = replace(visitor, campaign={}, extra={})
    recorder.record("lead", no_campaign, "/", arm=None, extra={"lead_id": "L1"})
    assert queued[1][COLUMNS.index("extra")] == '{"lead_id":"L1"}'
    assert [queued[1][COLUMNS.index(name)] for name in campaign] == [None] * 5


def test_event_sources_must_name_every_contract_field_and_nothing_else() -> None:
    from personalize.edge.recorder import SOURCES, compile_row_builder

    with pytest.raises(ValueError, match=r"missing \['value'\]"):
        compile_row_builder({name: expr for name, expr in SOURCES.items() if name != "value"})
    with pytest.raises(ValueError, match=r"unknown \['colour'\]"):
        compile_row_builder({**SOURCES, "colour": "None"})

