"""Bots: user-agents plus the crawler-user-agents patterns, measured on the shared UA fixtures."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import user_agents
import yaml

from personalize.edge.bots import MAX_UA, Agent, AgentClassifier, crawler_patterns
from personalize.errors import ConfigError

BROWSER_FAMILIES = ("Chrome", "Firefox", "Safari", "Edge")


def read_yaml(path: Path) -> list[dict[str, str]]:
    """uap-core's test cases (the C loader: the device file has 16k cases)."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(path.read_text(encoding="utf-8"), Loader=loader)["test_cases"]


@pytest.fixture(scope="module")
def classifier() -> AgentClassifier:
    return AgentClassifier()


@pytest.mark.fixtures
def test_nearly_every_known_crawler_is_flagged_far_more_than_by_user_agents_alone(
    classifier: AgentClassifier, shared_fixtures: Path
) -> None:
    entries = json.loads((shared_fixtures / "crawlers" / "crawler-user-agents.json").read_text(encoding="utf-8"))
    instances = [ua for entry in entries for ua in entry.get("instances", [])]
    ours = sum(classifier.classify(ua).is_bot for ua in instances)
    alone = sum(user_agents.parse(ua).is_bot for ua in instances)
    print(f"crawler instances flagged: {ours}/{len(instances)} (user-agents alone: {alone})")
    assert len(instances) == 2118
    assert ours >= 0.95 * len(instances)
    assert ours > alone


@pytest.mark.fixtures
def test_real_browsers_are_mostly_not_bots(classifier: AgentClassifier, shared_fixtures: Path) -> None:
    cases = read_yaml(shared_fixtures / "uap" / "test_ua.yaml")
    browsers = [case["user_agent_string"] for case in cases if case["family"].startswith(BROWSER_FAMILIES)]
    flagged = [ua for ua in browsers if classifier.classify(ua).is_bot]
    print(f"browser UAs flagged as bots: {len(flagged)}/{len(browsers)}: {flagged}")
    assert len(browsers) >= 30
    assert len(flagged) <= 0.05 * len(browsers)


@pytest.mark.fixtures
def test_phones_named_like_bots_are_not_bots(classifier: AgentClassifier, shared_fixtures: Path) -> None:
    cases = read_yaml(shared_fixtures / "uap" / "test_device.yaml")
    cubots = [case["user_agent_string"] for case in cases if case["brand"] == "Cubot"]
    assert cubots and not any(classifier.classify(ua).is_bot for ua in cubots)
    spiders = [case["user_agent_string"] for case in cases if case["family"] == "Spider"]
    assert spiders and all(classifier.classify(ua).is_bot for ua in spiders)


CHROME_WIN = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
              "Chrome/120.0.0.0 Safari/537.36")
IPHONE_WECHAT = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
                 "Mobile/15E148 MicroMessenger/8.0.44(0x18002c2f) NetType/WIFI Language/zh_CN")
IPAD = ("Mozilla/5.0 (iPad; CPU OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "Version/16.6 Mobile/15E148 Safari/604.1")


@pytest.mark.parametrize(("ua", "device", "is_bot"), [
    (CHROME_WIN, "desktop", False),
    (IPHONE_WECHAT, "mobile", False),
    (IPAD, "tablet", False),
    ("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", "bot", True),
    ("Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)", "bot", True),
    ("python-requests/2.31.0", "bot", True),
    ("curl/8.4.0", "bot", True),
    ("Wget/1.14 (linux-gnu)", "bot", True),
    ("Go-http-client/1.1", "bot", True),
    ("Mediapartners-Google", "bot", True),
    ("Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.0; +https://openai.com/gptbot)", "bot", True),
    (CHROME_WIN.replace("Chrome/", "HeadlessChrome/"), "bot", True),
    ("", "bot", True),
    (None, "bot", True),
])
def test_classify(classifier: AgentClassifier, ua: str | None, device: str, is_bot: bool) -> None:
    agent = classifier.classify(ua)
    assert (agent.device, agent.is_bot) == (device, is_bot)


def test_browser_and_os_families(classifier: AgentClassifier) -> None:
    assert classifier.classify(CHROME_WIN) == Agent("desktop", "Chrome", "Windows", False)
    assert classifier.classify(IPHONE_WECHAT).browser == "WeChat Browser"


def test_results_are_cached_and_huge_user_agents_are_cut(classifier: AgentClassifier) -> None:
    assert classifier.classify(CHROME_WIN) is classifier.classify(CHROME_WIN)
    huge = CHROME_WIN + " " + "x" * 100_000
    assert len(huge) > MAX_UA and classifier.classify(huge).device == "desktop"


def test_extra_patterns_and_another_crawler_file(tmp_path: Path) -> None:
    own = AgentClassifier(["acme-monitor-agent"])
    assert own.classify("Acme-Monitor-Agent v2").is_bot
    path = tmp_path / "crawlers.json"
    path.write_text(json.dumps([{"pattern": "OnlyThisOne"}]), encoding="utf-8")
    assert crawler_patterns(path) == ["OnlyThisOne"]
    assert AgentClassifier(crawler_file=path).classify("Mozilla/5.0 OnlyThisOne/1.0").is_bot


@pytest.mark.parametrize("text", ["not json", '[{"no_pattern": 1}]', "{}"])
def test_a_bad_crawler_file_is_a_config_error(tmp_path: Path, text: str) -> None:
    path = tmp_path / "crawlers.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match="cannot read crawler patterns"):
        AgentClassifier(crawler_file=path)


def test_a_bad_extra_pattern_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="not a valid regular expression"):
        AgentClassifier(["(unclosed"])
    with pytest.raises(ConfigError):
        AgentClassifier(crawler_file=Path("/nonexistent/crawlers.json"))
