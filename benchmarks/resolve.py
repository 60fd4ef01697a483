"""Per-request cost of identifying a visitor, against the cheapest possible identification.

Times, in one process on the same mix of visits (IP-range hits, GeoIP organization and domain
hits, misses, a signed link, a cookie) and the same User-Agents:

* resolver: `client_ip` + `Resolver.resolve` (real GeoIP2 test databases, warm LRU cache) +
  `AgentClassifier.classify` (warm UA cache), as the edge calls them per request;
* baseline: one dict lookup of the IP in a precomputed IP -> account table.

Prints resolutions per second of both and resolver ÷ baseline time. The edge's budget at
~7k req/s on one core is ~140 µs per request; identification should stay well under that.

    .venv/bin/python benchmarks/resolve.py [--visits 200000] [--fixtures ../shared/fixtures]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from personalize.accounts import load_accounts
from personalize.edge.bots import AgentClassifier
from personalize.edge.clientip import client_ip, parse_trusted
from personalize.edge.geoip import GeoIP
from personalize.edge.links import sign_cookie, sign_link
from personalize.edge.resolve import Resolver, Visit
from personalize.taxonomy import Taxonomy

REPO = Path(__file__).resolve().parents[1]
IPS = ["203.0.113.9", "216.160.83.57", "89.160.20.113", "38.105.0.65", "1.2.0.1", "74.209.16.1", "8.8.8.8",
       "10.20.1.1", "2001:480:10::1", "192.0.2.200"]
UAS = ["Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36",
       "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
       "Mobile/15E148 MicroMessenger/8.0.44", "Mozilla/5.0 (compatible; Baiduspider/2.0)"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--visits", type=int, default=200_000)
    parser.add_argument("--fixtures", type=Path, default=REPO.parent / "shared" / "fixtures")
    args = parser.parse_args()
    secret = b"benchmark-secret-0123456789abcdef"
    book = load_accounts(REPO / "demo" / "accounts.csv", Taxonomy.load(REPO / "taxonomy.yml"))
    names = ["GeoIP2-Enterprise-Test", "GeoIP2-ISP-Test", "GeoIP2-Domain-Test"]
    geoip = GeoIP.open([args.fixtures / "maxmind" / f"{name}.mmdb" for name in names])
    resolver = Resolver(accounts=book, secret=secret, geoip=geoip)
    classifier = AgentClassifier()
    trusted = parse_trusted(["127.0.0.1"])
    link = sign_link(secret, account="ACC-001", owner="张伟", expires_at=int(time.time()) + 3600)
    cookie = sign_cookie(secret, visitor_id="v-1", account="ACC-002", owner=None, lead=True)
    visits = [(ip, link if i % 10 == 3 else None, cookie if i % 10 == 7 else None, UAS[i % len(UAS)])
              for i, ip in enumerate(IPS * 10)]
    table = {ip: book.by_ip(ip) for ip in IPS}

    def identify(n: int) -> float:
        start = time.perf_counter()
        for i in range(n):
            ip, token, value, ua = visits[i % len(visits)]
            address = client_ip("127.0.0.1", f"198.51.100.1, {ip}", trusted)
            resolver.resolve(Visit(ip=address, link_token=token, cookie=value))
            classifier.classify(ua)
        return time.perf_counter() - start

    def baseline(n: int) -> float:
        start = time.perf_counter()
        for i in range(n):
            table.get(visits[i % len(visits)][0])
        return time.perf_counter() - start

    identify(len(visits))  # warm the caches
    ours, base = identify(args.visits), baseline(args.visits)
    print(f"resolver: {args.visits / ours:,.0f} visits/s ({ours / args.visits * 1e6:.1f} µs per visit)")
    print(f"baseline (dict lookup of the IP): {args.visits / base:,.0f} visits/s")
    print(f"resolver / baseline time: {ours / base:.1f}x; GeoIP errors: {geoip.errors}")


if __name__ == "__main__":
    main()
