"""Device, browser, OS and the bot flag of a User-Agent, so crawlers stay out of reports.

ua-parser 1.x (uap-core's rules, matched by its Rust regex backend `ua-parser-rs`) names the
browser, OS and device; `agent_rules.py` turns that into the device class. Its "Spider" device
alone misses many crawlers (curl, python-requests, 360Spider, Bytespider, HeadlessChrome), so a UA
is also matched against the crawler-user-agents patterns (the PyPI package ships the list; a newer
JSON file can be given) and a few generic words. Results are cached per UA string.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path

import ua_parser
from ua_parser.regex import Resolver as RustResolver

from personalize.edge.agent_rules import browser_name, device_class
from personalize.errors import ConfigError

#: Longest User-Agent looked at; longer ones are cut (and hostile ones cannot cost more).
MAX_UA = 512
CACHE_SIZE = 8192
#: Generic marks of automated clients, case-insensitive, for what no list names yet.
GENERIC_PATTERNS = (
    r"(?<!cu)bot\b", r"bot/", r"crawl", r"spider", r"slurp", r"scrap", r"fetch", r"headless",
    r"python-requests", r"python-urllib", r"aiohttp", r"httpx", r"curl/", r"wget/",
    r"go-http-client", r"okhttp", r"libwww", r"apache-httpclient", r"node-fetch",
    r"axios/", r"phantomjs", r"puppeteer", r"playwright", r"selenium", r"lighthouse",
    r"monitor", r"uptime", r"preview", r"scan", r"^mozilla/\d\.\d$",
)  # fmt: skip
_CHUNK = 50  # patterns per compiled alternation: one huge alternation compiles slowly


@dataclass(frozen=True)
class Agent:
    device: str  # desktop | mobile | tablet | bot | other (personalize.events.DEVICES)
    browser: str
    os: str
    is_bot: bool


def crawler_patterns(path: Path | None = None) -> list[str]:
    """The `pattern` of every entry of a crawler-user-agents JSON file (default: the packaged one)."""
    try:
        if path is None:
            text = resources.files("crawleruseragents").joinpath("crawler-user-agents.json").read_text("utf-8")
        else:
            text = Path(path).read_text(encoding="utf-8")
        entries = json.loads(text)
        if not isinstance(entries, list):
            raise TypeError("expected a JSON list of {\"pattern\": ...} objects")
        return [entry["pattern"] for entry in entries]
    except (OSError, ModuleNotFoundError, ValueError, KeyError, TypeError) as error:
        where = path or "the crawler-user-agents package"
        raise ConfigError(f"cannot read crawler patterns from {where} ({error})") from error


def _compile(patterns: Sequence[str], flags: int = 0) -> list[re.Pattern[str]]:
    try:
        return [re.compile("|".join(patterns[i : i + _CHUNK]), flags) for i in range(0, len(patterns), _CHUNK)]
    except re.error as error:
        raise ConfigError(f"a crawler pattern is not a valid regular expression ({error})") from error


@cache
def ua_parser_for_process() -> ua_parser.Parser:
    """One parser per process: building the Rust matchers costs ~0.3 s. No cache inside it: `classify` has one."""
    return ua_parser.Parser(RustResolver(ua_parser.load_lazy_builtins()))


class AgentClassifier:
    """Classify User-Agent strings; one instance per process, shared by every request."""

    def __init__(self, extra_patterns: Sequence[str] = (), *, crawler_file: Path | None = None) -> None:
        self._crawlers = _compile(crawler_patterns(crawler_file))
        self._generic = _compile([*GENERIC_PATTERNS, *extra_patterns], re.IGNORECASE)
        self._parser = ua_parser_for_process()
        self.classify = lru_cache(maxsize=CACHE_SIZE)(self._classify)  # type: ignore[method-assign]  # a cache per classifier

    def is_crawler(self, user_agent: str) -> bool:
        """True when a crawler pattern or a generic bot word matches."""
        return any(p.search(user_agent) for p in self._crawlers) or any(p.search(user_agent) for p in self._generic)

    def classify(self, user_agent: str | None) -> Agent:
        """Device, browser, OS and bot flag; a missing User-Agent is a bot (browsers always send one)."""
        raise NotImplementedError  # replaced per instance by the cached _classify

    def _classify(self, user_agent: str | None) -> Agent:
        text = (user_agent or "").strip()[:MAX_UA]
        if not text:
            return Agent("bot", "Other", "Other", True)
        if not text.isascii():  # the Rust matchers take UTF-8 only: a lone surrogate would raise
            text = text.encode("utf-8", "replace").decode("utf-8")
        parsed = self._parser.parse(text).with_defaults()
        is_bot = parsed.device.family == "Spider" or self.is_crawler(text)
        # bots keep uap-core's name for them: their UAs may carry an app's token (DingTalkBot)
        browser = parsed.user_agent.family if is_bot else browser_name(parsed)
        device = "bot" if is_bot else device_class(parsed)
        return Agent(device, browser or "Other", parsed.os.family or "Other", is_bot)
