"""Client IPs behind proxies: X-Forwarded-For is believed only hop by hop from trusted proxies."""

from __future__ import annotations

import pytest

from personalize.edge.clientip import MAX_HOPS, client_ip, parse_ip, parse_trusted
from personalize.errors import ConfigError

TRUSTED = parse_trusted(["10.0.0.0/8", "127.0.0.1", "fd00::/8"])


def test_without_trusted_proxies_the_peer_is_the_client() -> None:
    assert client_ip("203.0.113.9", "198.51.100.1", ()) == "203.0.113.9"
    assert client_ip("10.0.0.1", "198.51.100.1", ()) == "10.0.0.1"


def test_an_untrusted_peer_cannot_spoof_its_address() -> None:
    assert client_ip("203.0.113.9", "198.51.100.1, 10.0.0.2", TRUSTED) == "203.0.113.9"


def test_a_trusted_peer_forwards_the_client() -> None:
    assert client_ip("10.0.0.1", "198.51.100.7", TRUSTED) == "198.51.100.7"
    assert client_ip("127.0.0.1", "198.51.100.7", TRUSTED) == "198.51.100.7"


def test_the_walk_skips_trusted_hops_and_ignores_what_the_client_wrote_left_of_them() -> None:
    # the client sent "1.1.1.1" itself; our proxies appended the real address and their own
    assert client_ip("10.0.0.1", "1.1.1.1, 198.51.100.7, 10.0.0.3, 10.0.0.2", TRUSTED) == "198.51.100.7"


def test_when_every_hop_is_trusted_the_leftmost_is_the_client() -> None:
    assert client_ip("10.0.0.1", "10.0.0.9, 10.0.0.8", TRUSTED) == "10.0.0.9"


@pytest.mark.parametrize(("header", "expected"), [
    ("198.51.100.7:4711", "198.51.100.7"),
    ("[2001:db8::7]:443", "2001:db8::7"),
    ('"[2001:db8::7]"', "2001:db8::7"),
    ("2001:db8::7", "2001:db8::7"),
    ("fe80::1%eth0", "fe80::1"),
    ("::ffff:198.51.100.7", "198.51.100.7"),
    ("  198.51.100.7  ", "198.51.100.7"),
])
def test_entries_in_every_spelling_proxies_write(header: str, expected: str) -> None:
    assert client_ip("fd00::1", header, TRUSTED) == expected


@pytest.mark.parametrize("header", ["unknown", "garbage", "", ",,,", "999.1.1.1", "[::1", "1.2.3.4.5", "x" * 10_000,
                                    "\x00\xff", "198.51.100.7:80:90"])
def test_garbage_never_becomes_the_client_and_never_raises(header: str) -> None:
    assert client_ip("10.0.0.1", header, TRUSTED) == "10.0.0.1"


def test_junk_between_trusted_hops_stops_the_walk_at_the_last_trusted_address() -> None:
    assert client_ip("10.0.0.1", "198.51.100.7,", TRUSTED) == "10.0.0.1"  # an empty last hop is junk
    assert client_ip("10.0.0.1", "198.51.100.7, unknown, 10.0.0.2", TRUSTED) == "10.0.0.2"


def test_huge_headers_are_capped_to_the_last_hops() -> None:
    hops = ", ".join(["10.0.0.5"] * 10_000)
    assert client_ip("10.0.0.1", "198.51.100.7, " + hops, TRUSTED) == "10.0.0.5"
    near = ", ".join(["10.0.0.5"] * (MAX_HOPS - 1))
    assert client_ip("10.0.0.1", "198.51.100.7, " + near, TRUSTED) == "198.51.100.7"


def test_a_missing_or_junk_peer() -> None:
    assert client_ip(None, "198.51.100.7", TRUSTED) is None
    assert client_ip("not-an-ip", "198.51.100.7", TRUSTED) is None
    assert client_ip("[2001:db8::1]:5000", None, TRUSTED) == "2001:db8::1"


def test_ipv6_proxies_and_clients() -> None:
    assert client_ip("fd00::1", "2001:db8::42, fd12::3", TRUSTED) == "2001:db8::42"
    assert client_ip("2001:db8::1", "198.51.100.7", TRUSTED) == "2001:db8::1"


def test_parse_ip() -> None:
    assert str(parse_ip("198.51.100.7:80")) == "198.51.100.7"
    assert parse_ip(None) is None and parse_ip("") is None


def test_bad_trusted_cidrs_are_config_errors() -> None:
    assert [str(n) for n in parse_trusted([" 192.168.1.7/24 ", "::1"])] == ["192.168.1.0/24", "::1/128"]
    with pytest.raises(ConfigError, match="'10.0.0.0/99' is not an IP address or CIDR range"):
        parse_trusted(["10.0.0.0/8", "10.0.0.0/99"])
