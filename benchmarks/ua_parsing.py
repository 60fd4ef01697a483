"""User-Agent classification cost: the edge's `AgentClassifier` on ua-parser 1.x against the same on `user-agents`.

The edge classified with `user-agents` (no release since 2020; it wraps ua-parser's legacy,
pure-Python API) until it moved to ua-parser 1.x with its Rust regex backend (`ua-parser-rs`).
The old classifier is kept here as the baseline: the same class, crawler list and LRU cache, with
only the parse and the device rules of before. On the same UAs (the shared uap-core and crawler
fixtures when present, else a short built-in list), in one process, interleaved chunk by chunk
(old, new, new, old ...) and timed as process CPU time, so other load on the machine counts less:

* cold: the first `classify` of every distinct UA (no cache can help: a visitor's first request);
* warm: the same UAs again (both hit their 8192-entry cache, as for returning visitors).

Prints µs per UA of both, the ratio old / new (above 1: new is faster), each one's start-up
(building the parser) and how many answers differ, field by field, with a few examples. The old
classifier needs `user-agents`, which only the test extra installs.

    .venv/bin/python benchmarks/ua_parsing.py [--fixtures ../shared/fixtures] [--limit 5000]
"""

from __future__ import annotations

import argparse
import json
import time
from collections import Counter
from pathlib import Path

import user_agents
import yaml

from personalize.edge.bots import MAX_UA, Agent, AgentClassifier, ua_parser_for_process

REPO = Path(__file__).resolve().parents[1]
BUILT_IN = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15",
    "Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)",
    "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0 Mobile Safari/537.36",
    "curl/8.5.0",
]
CHUNK = 250  # UAs per interleaved timing slice


class UserAgentsClassifier(AgentClassifier):
    """The edge's classifier as it was on `user-agents`: the baseline."""

    def _classify(self, user_agent: str | None) -> Agent:
        text = (user_agent or "").strip()[:MAX_UA]
        if not text:
            return Agent("bot", "Other", "Other", True)
        parsed = user_agents.parse(text)
        is_bot = parsed.is_bot or self.is_crawler(text)
        if is_bot:
            device = "bot"
        elif parsed.is_tablet:
            device = "tablet"
        elif parsed.is_mobile:
            device = "mobile"
        else:
            device = "desktop" if parsed.is_pc else "other"
        return Agent(device, parsed.browser.family or "Other", parsed.os.family or "Other", is_bot)


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
    # every n-th UA rather than the first `limit`: the fixture files are grouped by kind
    return distinct[:: -(-len(distinct) // limit)]


def interleaved(classifiers: dict[str, AgentClassifier], uas: list[str]) -> dict[str, float]:
    """µs of CPU per UA of one pass over `uas` for each classifier, taking turns chunk by chunk."""
    spent = dict.fromkeys(classifiers, 0.0)
    turns = [list(classifiers.items()), list(classifiers.items())[::-1]]  # who goes first alternates too
    for start in range(0, len(uas), CHUNK):
        chunk = uas[start : start + CHUNK]
        for name, classifier in turns[start // CHUNK % 2]:
            began = time.process_time()
            for ua in chunk:
                classifier.classify(ua)
            spent[name] += time.process_time() - began
    return {name: total / len(uas) * 1e6 for name, total in spent.items()}


def started(make: type[AgentClassifier]) -> tuple[AgentClassifier, float]:
    """A classifier and the CPU seconds its construction and first parse took."""
    began = time.process_time()
    classifier = make()
    classifier.classify("Mozilla/5.0 (start-up)")
    return classifier, time.process_time() - began


def differences(old: AgentClassifier, new: AgentClassifier, uas: list[str]) -> None:
    """How many answers differ, field by field, with two examples of each."""
    fields = ("device", "browser", "os", "is_bot")
    counts: Counter[str] = Counter()
    examples: dict[str, list[str]] = {field: [] for field in fields}
    for ua in uas:
        before, after = old.classify(ua), new.classify(ua)
        for field in fields:
            if getattr(before, field) != getattr(after, field):
                counts[field] += 1
                if len(examples[field]) < 2:
                    examples[field].append(f"{getattr(before, field)!r} -> {getattr(after, field)!r}: {ua[:110]}")
    print("answers that differ: " + ", ".join(f"{field} {counts[field]}" for field in fields))
    for field in fields:
        for line in examples[field]:
            print(f"  {field}: {line}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--fixtures", type=Path, default=REPO.parent / "shared" / "fixtures")
    parser.add_argument("--limit", type=int, default=5000, help="distinct UAs at most")
    args = parser.parse_args()
    uas = user_agent_strings(args.fixtures, args.limit)
    new, new_start = started(AgentClassifier)  # first: it builds the ua-parser parser the old one holds too
    old, old_start = started(UserAgentsClassifier)
    classifiers = {"user-agents": old, "ua-parser": new}
    cold, warm = interleaved(classifiers, uas), interleaved(classifiers, uas)
    backend = type(ua_parser_for_process().resolver).__module__
    print(f"{len(uas)} distinct User-Agents; AgentClassifier.classify, CPU time; ua-parser resolver: {backend}")
    print(f"start-up: user-agents {old_start * 1000:.0f} ms, ua-parser {new_start * 1000:.0f} ms")
    for name in classifiers:
        print(f"{name:12} cold {cold[name]:8.1f} µs/UA   warm {warm[name]:6.2f} µs/UA")
    ratio_cold, ratio_warm = cold["user-agents"] / cold["ua-parser"], warm["user-agents"] / warm["ua-parser"]
    print(f"user-agents / ua-parser: cold {ratio_cold:.1f}x, warm {ratio_warm:.2f}x")
    differences(old, new, uas)


if __name__ == "__main__":
    main()
