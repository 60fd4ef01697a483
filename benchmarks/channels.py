"""Per-referrer cost of the channel grouping, against the cheapest possible grouping.

Times, in one process on the same mix of referrer hosts (list hosts as browsers send them, with
`www.` / `m.` / country domains; AI assistants; Chinese sources; unknown partner sites, a third):

* classifier: `referrer_channel(host)`, the lists already loaded, as the reports call it per visit;
* baseline: one dict lookup of the host in a precomputed host -> channel table;
* for scale, a regex scan: one compiled regex per list pattern, tried in turn, the way Matomo
  matches its social list (`(^|[./])pattern([./]|$)`), on a tenth as many lookups.

Prints lookups per second of each and classifier ÷ baseline time, plus the one-time cost of
parsing the shipped lists.

    .venv/bin/python benchmarks/channels.py [--lookups 300000]
"""

from __future__ import annotations

import argparse
import re
import time

from analytics import referrers
from analytics.channels_map import referrer_channel

HOSTS = ["www.baidu.com", "m.baidu.com", "www.google.com.hk", "www.google.co.uk", "cn.bing.com", "so.360.cn",
         "www.so.com", "m.sm.cn", "www.sogou.com", "mp.weixin.qq.com", "weibo.com", "www.zhihu.com",
         "www.xiaohongshu.com", "www.bilibili.com", "www.linkedin.com", "mail.qq.com", "exmail.qq.com",
         "chatgpt.com", "chat.deepseek.com", "www.doubao.com", "kimi.moonshot.cn", "www.perplexity.ai",
         "gemini.google.com", "de.search.yahoo.com", "duckduckgo.com", "www.infoq.cn", "36kr.com",
         "partner.example.com", "blog.vendor.example.cn", "news.qq.com", "localhost", "10.1.2.3"]  # fmt: skip


def timed(fn: object, hosts: list[str], n: int) -> float:
    start = time.perf_counter()
    call = fn  # a local name: the loop pays for the call, not a global lookup
    for i in range(n):
        call(hosts[i % len(hosts)])  # type: ignore[operator]
    return time.perf_counter() - start


def regex_scan(index: referrers.Index) -> object:
    patterns = [(re.compile(r"(^|[./])" + re.escape(host).replace(r"\{\}", "[a-z.]+") + r"([./]|$)"), site.channel)
                for host, site in index.hosts.items()]  # fmt: skip

    def scan(host: str) -> str:
        host = referrers.clean_host(host)
        return next((channel for pattern, channel in patterns if pattern.search(host)), "referral")

    return scan


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lookups", type=int, default=300_000)
    args = parser.parse_args()
    start = time.perf_counter()
    referrers.index()
    load = time.perf_counter() - start
    table = {host: referrer_channel(host) for host in HOSTS}
    timed(referrer_channel, HOSTS, 10_000)  # warm-up
    classifier = min(timed(referrer_channel, HOSTS, args.lookups) for _ in range(3))
    baseline = min(timed(table.get, HOSTS, args.lookups) for _ in range(3))
    scanned = timed(regex_scan(referrers.index()), HOSTS, args.lookups // 10) * 10
    per = 1e6 / args.lookups
    print(f"lists parsed once in {load * 1000:.1f} ms ({len(referrers.index().hosts)} host patterns)")
    print(f"classifier: {args.lookups / classifier:,.0f} lookups/s ({classifier * per:.2f} µs each)")
    print(f"baseline (dict lookup): {args.lookups / baseline:,.0f} lookups/s ({baseline * per:.2f} µs each)")
    print(f"regex scan (for scale): {args.lookups / scanned:,.0f} lookups/s ({scanned * per:.2f} µs each)")
    print(f"classifier / baseline time: {classifier / baseline:.1f}x (regex scan / baseline: {scanned / baseline:.0f}x)")


if __name__ == "__main__":
    main()
