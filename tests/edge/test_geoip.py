"""GeoIP2 lookups against MaxMind's own test databases, including the deliberately broken ones."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from personalize.edge.geoip import EMPTY, GeoFacts, GeoIP
from personalize.errors import ConfigError

pytestmark = pytest.mark.fixtures

#: GeoFacts field -> key in expected_lookups.json
EXPECTED_KEYS = {
    "country": "country_iso_code",
    "organization": "organization",
    "isp": "isp",
    "domain": "domain",
    "as_org": "autonomous_system_organization",
    "connection_type": "connection_type",
    "user_type": "user_type",
}
ANONYMOUS_FLAGS = ("is_anonymous_vpn", "is_public_proxy", "is_tor_exit_node", "is_hosting_provider")


@pytest.fixture(scope="module")
def maxmind(shared_fixtures: Path) -> Path:
    return shared_fixtures / "maxmind"


@pytest.fixture(scope="module")
def expected(maxmind: Path) -> dict:
    return json.loads((maxmind / "expected_lookups.json").read_text(encoding="utf-8"))


def test_every_database_answers_as_maxmind_recorded(maxmind: Path, expected: dict) -> None:
    checked = 0
    for name, database in expected["databases"].items():
        with GeoIP.open([maxmind / name]) as geoip:
            for ip, answer in database["lookups"].items():
                facts = geoip.lookup(ip)
                if not answer.get("found"):
                    assert facts == EMPTY, (name, ip)
                    continue
                for field, key in EXPECTED_KEYS.items():
                    assert getattr(facts, field) == answer.get(key), (name, ip, field)
                subdivisions = answer.get("subdivisions_iso_codes") or [None]
                assert facts.region == subdivisions[-1], (name, ip)
                assert facts.anonymous == any(answer.get(flag, False) for flag in ANONYMOUS_FLAGS)
                checked += 1
            assert geoip.errors == 0
    assert checked > 150


def test_databases_are_merged_first_listed_wins(maxmind: Path) -> None:
    paths = [maxmind / "GeoIP2-City-Test.mmdb", maxmind / "GeoIP2-ISP-Test.mmdb", maxmind / "GeoIP2-Domain-Test.mmdb",
             maxmind / "GeoLite2-ASN-Test.mmdb"]
    with GeoIP.open(paths) as geoip:
        assert geoip.paths == paths
        facts = geoip.lookup("89.160.20.113")
        assert (facts.country, facts.region) == ("SE", "E")  # City
        assert (facts.organization, facts.isp) == ("Bevtec", "Bredband2 AB")  # ISP
        assert facts.as_org == "Bredband2 AB"
        assert geoip.lookup("1.2.0.1").domain == "maxmind.com"  # Domain
        assert geoip.lookup("1.0.0.1").as_org == "Google Inc."  # ASN
        assert geoip.lookup("38.105.0.65") == GeoFacts(organization="GHD", isp="Cogent Communications",
                                                       as_org="Cogent Communications")


def test_enterprise_facts_of_a_business_a_home_and_a_phone(maxmind: Path) -> None:
    paths = [maxmind / "GeoIP2-Enterprise-Test.mmdb", maxmind / "GeoIP2-Connection-Type-Test.mmdb"]
    with GeoIP.open(paths) as geoip:
        lariat = geoip.lookup("216.160.83.57")
        assert (lariat.organization, lariat.isp, lariat.user_type) == ("Lariat Software", "Century Link", "government")
        home = geoip.lookup("74.209.16.1")
        assert (home.organization, home.user_type, home.connection_type) == (
            "Fairpoint Communications", "residential", "Cable/DSL")
        phone = geoip.lookup("149.101.100.1")
        assert (phone.organization, phone.isp, phone.connection_type) == ("Verizon Wireless", "Verizon Wireless", "Cellular")
        assert geoip.lookup("2001:480:10::1").domain == "navy.mil"  # IPv6


@pytest.mark.parametrize("ip", ["10.0.0.1", "::1", "", None, "not an ip", "999.1.1.1", "1.2.3.4/24"])
def test_misses_and_junk_are_empty_facts(maxmind: Path, ip: str | None) -> None:
    with GeoIP.open([maxmind / "GeoIP2-City-Test.mmdb", maxmind / "GeoIP2-Country-Test.mmdb"]) as geoip:
        assert geoip.lookup(ip) == EMPTY
        assert geoip.errors == 0


def test_ipv6_in_an_ipv4_only_database_is_a_miss(tmp_path: Path) -> None:
    from mmdb_writer import MMDBWriter
    from netaddr import IPSet

    writer = MMDBWriter(ip_version=4, database_type="GeoIP2-Domain", ipv4_compatible=False)
    writer.insert_network(IPSet(["203.0.113.0/24"]), {"domain": "example.com"})
    path = tmp_path / "v4.mmdb"
    writer.to_db_file(str(path))
    with GeoIP.open([path]) as geoip:
        assert geoip.lookup("203.0.113.9").domain == "example.com"
        assert geoip.lookup("2001:db8::1") == EMPTY
        assert geoip.errors == 0


def test_the_broken_double_format_database_is_counted_never_raised(maxmind: Path) -> None:
    paths = [maxmind / "GeoIP2-City-Test-Broken-Double-Format.mmdb", maxmind / "GeoIP2-ISP-Test.mmdb"]
    with GeoIP.open(paths) as geoip:
        assert geoip.lookup("175.16.199.1") == EMPTY  # in the broken City db only
        assert geoip.lookup("175.16.199.1") == EMPTY  # failures are not cached: each lookup counts
        assert geoip.errors == 2
        assert geoip.lookup("38.105.0.65").organization == "GHD"  # the healthy database still answers
        assert geoip.lookup("81.2.69.160").organization == "STONEHOUSE office network"
        assert geoip.errors == 3


def test_answers_are_cached_per_ip(maxmind: Path) -> None:
    with GeoIP.open([maxmind / "GeoIP2-City-Test.mmdb"]) as geoip:
        first = geoip.lookup("81.2.69.160")
        assert geoip.lookup("81.2.69.160") is first


def test_a_database_with_an_invalid_node_count_fails_at_open_naming_the_file(maxmind: Path) -> None:
    path = maxmind / "GeoIP2-City-Test-Invalid-Node-Count.mmdb"
    with pytest.raises(ConfigError, match="GeoIP2-City-Test-Invalid-Node-Count.mmdb cannot be opened"):
        GeoIP.open([maxmind / "GeoIP2-City-Test.mmdb", path])


def test_missing_corrupt_and_unsupported_files_fail_at_open(maxmind: Path, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="nowhere.mmdb does not exist"):
        GeoIP.open([tmp_path / "nowhere.mmdb"])
    corrupt = tmp_path / "corrupt.mmdb"
    corrupt.write_bytes(b"\x00" * 4096)
    with pytest.raises(ConfigError, match="corrupt.mmdb cannot be opened"):
        GeoIP.open([corrupt])
    with pytest.raises(ConfigError, match="cannot be opened"):
        GeoIP.open([tmp_path])


def test_an_unsupported_database_type_is_named(tmp_path: Path) -> None:
    from mmdb_writer import MMDBWriter
    from netaddr import IPSet

    writer = MMDBWriter(ip_version=6, database_type="Acme-Weather", ipv4_compatible=True)
    writer.insert_network(IPSet(["203.0.113.0/24"]), {"rain": "yes"})
    path = tmp_path / "weather.mmdb"
    writer.to_db_file(str(path))
    with pytest.raises(ConfigError, match="weather.mmdb is of type 'Acme-Weather'.*supported: Enterprise, City"):
        GeoIP.open([path])


def test_no_databases_means_empty_facts() -> None:
    assert GeoIP.open([]).lookup("81.2.69.160") == EMPTY
