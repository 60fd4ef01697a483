"""User-Agent parsing cost: `user-agents` (what `personalize/edge/bots.py` uses) against `ua-parser` 1.x.

`user-agents` has had no release since 2020; it wraps ua-parser's legacy API. ua-parser 1.x parses
with its fastest installed resolver (`ua-parser-rs`, the Rust regex backend, when installed; else
google-re2; else pure Python). On the same UAs (the shared uap-core and crawler fixtures when
present, else a short built-in list), in one process, it times:

* cold: the first parse of every distinct UA (no cache can help: a visitor's first request);
* warm: the same UAs again (the LRU caches both sides keep, as the edge sees returning visitors);

and prints µs per UA for both libraries and the ratio user-agents / ua-parser (above 1: ua-parser
is faster). The parser's start-up (loading its rules) is printed separately. The edge caches
`AgentClassifier.classify` per UA (8192 entries), so a switch changes the cold cost only.

    .venv/bin/python benchmarks/ua_parsing.py [--fixtures ../shared/fixtures] [--limit 5000]
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[1]
BUILT_IN = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15",
    "Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)",
    "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0 Mobile Safari/537.36",
    "curl/8.5.0",
]


def user_agent_strings(fixtures: Path, limit: int) -> list[str]:
    """Distinct UAs: uap-core's test cases and the crawler instances, or the built-in few."""
    found: list[str] = []
    for name in ("test_ua.yaml", "test_os.yaml", "test_device.yaml"):
        path = fixtures / "uap" / name
        if path.is_file():
            cases = yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
            found += [case["user_agent_string"] for case in cases["test_cases"]]
    crawlers = fixtures / "crawlers" / "crawler-user-agents.json"
    if crawlers.is_file():
        found += [ua for entry in json.loads(crawlers.read_text(encoding="utf-8")) for ua in entry.get("instances", [])]
    distinct = list(dict.fromkeys(ua for ua in found if ua)) or BUILT_IN
    return distinct[:limit]


def per_ua(parse: Callable[[str], Any], uas: list[str]) -> float:
    """µs per UA of one pass over `uas`."""
    start = time.perf_counter()
    for ua in uas:
        parse(ua)
    return (time.perf_counter() - start) / len(uas) * 1e6


def user_agents_parser() -> Callable[[str], Any]:
    import user_agents

    def parse(ua: str) -> Any:
        parsed = user_agents.parse(ua)
        return parsed.is_bot, parsed.is_mobile, parsed.is_tablet, parsed.is_pc, parsed.browser.family, parsed.os.family

    return parse


def ua_parser_parser() -> tuple[Callable[[str], Any], str]:
    """ua-parser 1.x with the best resolver installed, behind an LRU cache like the edge's."""
    import ua_parser
    from ua_parser import caching

    resolver = ua_parser.BestAvailableResolver(ua_parser.load_builtins())
    parser = ua_parser.Parser(caching.CachingResolver(resolver, caching.Lru(8192)))
    return (lambda ua: parser.parse(ua).with_defaults()), type(resolver).__module__


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--fixtures", type=Path, default=REPO.parent / "shared" / "fixtures")
    parser.add_argument("--limit", type=int, default=5000, help="distinct UAs at most")
    args = parser.parse_args()
    uas = user_agent_strings(args.fixtures, args.limit)
    start = time.perf_counter()
    old = user_agents_parser()
    old("warm-up")
    old_start = time.perf_counter() - start
    start = time.perf_counter()
    new, backend = ua_parser_parser()
    new("warm-up")
    new_start = time.perf_counter() - start
    times = {name: (per_ua(parse, uas), per_ua(parse, uas)) for name, parse in (("user-agents", old), ("ua-parser", new))}
    print(f"{len(uas)} distinct User-Agents; ua-parser resolver: {backend}")
    print(f"start-up: user-agents {old_start * 1000:.0f} ms, ua-parser {new_start * 1000:.0f} ms")
    for name, (cold, warm) in times.items():
        print(f"{name:12} cold {cold:8.1f} µs/UA   warm {warm:6.2f} µs/UA")
    (old_cold, old_warm), (new_cold, new_warm) = times["user-agents"], times["ua-parser"]
    print(f"user-agents / ua-parser: cold {old_cold / new_cold:.1f}x, warm {old_warm / new_warm:.1f}x")


if __name__ == "__main__":
    main()
