"""The edge's small readers under hostile input: signed links and cookies, X-Forwarded-For, query strings.

Cheaper than a request, so many more cases: a tampered token is refused with a reason, a spoofed
forwarded address never becomes the client unless a trusted proxy added it.
"""

from __future__ import annotations

import time

from hypothesis import given
from hypothesis import strategies as st

from personalize.edge.clientip import _trusted, client_ip, parse_ip, parse_trusted
from personalize.edge.links import sign_link, verify_cookie, verify_link
from personalize.edge.visitor import MAX_VALUE, read_cookies, read_query
from tests.hostile.cases import case

SECRET = b"k" * 40
TRUSTED = parse_trusted(["10.0.0.0/8"])
GOOD = sign_link(SECRET, account="ACC-1", owner=None, industry=None, preview=False, expires_at=int(time.time()) + 3600)

entries = st.one_of(st.ip_addresses().map(str), st.text(max_size=50),
                    st.sampled_from(["unknown", "[::1]:80", "10.1.1.1", "1.2.3.4:5", "", " ", '"', "::ffff:10.0.0.1"]))  # fmt: skip


@given(token=st.one_of(st.text(max_size=300), st.integers(0, len(GOOD) - 1).map(lambda n: GOOD[:n] + "x" + GOOD[n + 1 :])))
def test_a_tampered_link_or_cookie_is_refused_with_a_reason(token: str) -> None:
    case("parsers: signed links and cookies")
    claims, reason = verify_link(SECRET, token, now=int(time.time()))
    assert (claims is None) == bool(reason) and (claims is None or token == GOOD)
    assert verify_cookie(SECRET, token) is None


@given(peer=st.one_of(st.none(), entries), hops=st.lists(entries, max_size=30))
def test_a_forwarded_address_counts_only_through_a_trusted_proxy(peer: str | None, hops: list[str]) -> None:
    case("parsers: X-Forwarded-For")
    direct = client_ip(peer, None, TRUSTED)
    ip = client_ip(peer, ",".join(hops), TRUSTED)
    address = parse_ip(direct)
    if address is None or not _trusted(address, TRUSTED):
        assert ip == direct  # an untrusted peer's X-Forwarded-For is ignored
    else:
        assert ip is None or ip == direct or parse_ip(ip) in {parse_ip(hop) for hop in hops}


@given(query=st.binary(max_size=6000), cookie=st.text(max_size=500))
def test_queries_and_cookies_are_bounded_and_never_raise(query: bytes, cookie: str) -> None:
    case("parsers: query strings and cookie headers")
    values = read_query(query)
    assert all(len(value) <= MAX_VALUE for value in values.values())
    assert set(read_cookies(cookie)) <= {"abm_vid", "abm_sid", "abm_id"}
