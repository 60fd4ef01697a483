"""Every host of every shipped list gets its list's channel; the pattern grammar is the lists' README's."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from analytics import referrers
from analytics.referrers import FOLDER, LISTS, build_index, find, list_urls, read_list, split_pattern

#: What `{}` is replaced with, by where it stands in a pattern.
COUNTRY_SUBDOMAINS = ("de", "fr")
COUNTRY_TLDS = ("de", "cn", "co.uk", "com.hk", "com.tw")


def hosts_of(pattern: str) -> list[tuple[str, str]]:
    """(host, path) referrers that a list's URL pattern stands for, `{}` filled in several ways."""
    host, path = split_pattern(pattern)
    if host.endswith(".{}"):
        return [(host[:-2] + tld, path) for tld in COUNTRY_TLDS]
    if "{}" in host:
        return [(host.replace("{}", code), path) for code in COUNTRY_SUBDOMAINS]
    return [(host, path)]


def owners() -> dict[tuple[str, str], str]:
    """Pattern -> the channel of the first list in LISTS that holds it (the precedence, stated once here)."""
    owner: dict[tuple[str, str], str] = {}
    for file, channel in LISTS:
        for _, url in list_urls(read_list(FOLDER / file)):
            owner.setdefault(split_pattern(url), channel)
    return owner


OWNERS = owners()


def test_the_lists_are_all_there() -> None:
    counts = {file: len(list(list_urls(read_list(FOLDER / file)))) for file, _ in LISTS}
    assert counts["matomo/SearchEngines.yml"] >= 600 and counts["matomo/Socials.yml"] >= 200
    assert counts["matomo/AIAssistants.yml"] >= 20 and all(counts.values())


@pytest.mark.parametrize(("file", "channel"), LISTS)
def test_every_listed_host_gets_its_channel(file: str, channel: str) -> None:
    """Each URL of the shipped file, `{}` filled in, with `www.`, upper case and a port: its list's channel."""
    wrong, checked = [], 0
    for _, url in list_urls(read_list(FOLDER / file)):
        expected = OWNERS[split_pattern(url)]
        if expected != channel:  # another list holds the same pattern and comes first
            assert channel != "ai_assistant", url
        for host, path in hosts_of(url):
            for referrer in (host, "www." + host, host.upper() + ":443"):
                site = find(referrer, path)
                checked += 1
                if site is None or site.channel != expected:
                    wrong.append((referrer, path, expected, site))
    assert not wrong and checked


def test_ai_list_wins_and_overlaps_are_the_known_ones() -> None:
    """chatgpt.com, chat.openai.com, perplexity.ai and you.com are also in Matomo's search engines."""
    overlaps = {pattern for pattern, channel in OWNERS.items() if channel == "ai_assistant"}
    search = {split_pattern(u) for _, u in list_urls(read_list(FOLDER / "matomo/SearchEngines.yml"))}
    assert {("chatgpt.com", ""), ("perplexity.ai", ""), ("you.com", "")} <= overlaps & search
    for host in ("chatgpt.com", "perplexity.ai", "www.perplexity.ai", "yiyan.baidu.com", "gemini.google.com"):
        assert find(host).channel == "ai_assistant"  # type: ignore[union-attr]
    assert find("facebook.com").channel == "social"  # type: ignore[union-attr]  # also a Matomo "engine"


@pytest.mark.parametrize(
    ("host", "path", "channel"),
    [
        ("www.google.com.hk", "", "search"), ("google.co.uk", "", "search"), ("news.google.de", "", "search"),
        ("fr.search.yahoo.com", "", "search"), ("images.de.ask.com", "", "search"), ("m.baidu.com", "", "search"),
        ("so.360.cn", "", "search"), ("x.com", "/i/grok/abc", "ai_assistant"), ("x.com", "/i", "social"),
        ("x.com", "", "social"), ("com.google.android.googlequicksearchbox", "/https/www.google.com", "search"),
        ("gemini.google.com", "/app", "ai_assistant"), ("mail.google.com", "", "email"),
    ],
)  # fmt: skip
def test_pattern_grammar(host: str, path: str, channel: str) -> None:
    site = find(host, path)
    assert site is not None and site.channel == channel


@pytest.mark.parametrize("host", ["partner.example", "google.example", "notbaidu.com", "10.20.30.40", "localhost",
                                  "", None, "de", "baidu"])  # fmt: skip
def test_unknown_hosts(host: str | None) -> None:
    assert find(host) is None


def test_lists_load_once_and_only_when_asked(tmp_path: Path) -> None:
    referrers.index.cache_clear()
    import analytics.channels_map  # noqa: F401  importing reads nothing

    assert referrers.index.cache_info().currsize == 0
    assert referrers.index() is referrers.index()
    for file, _ in LISTS:
        (tmp_path / file).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / file).write_text("{}\n", encoding="utf-8")
    (tmp_path / "ours/Socials.yml").write_text(yaml.safe_dump({"Ours": ["social.example"]}), encoding="utf-8")
    assert find("m.social.example", within=build_index(tmp_path)).name == "Ours"  # type: ignore[union-attr]


def test_source_and_licence_are_recorded() -> None:
    source = yaml.safe_load((FOLDER / "matomo" / "SOURCE.yml").read_text(encoding="utf-8"))
    assert source["repo"] == "https://github.com/matomo-org/searchengine-and-social-list"
    assert len(source["commit"]) == 40 and source["licence"].startswith("CC0-1.0")
    assert "CC0 1.0 Universal" in (FOLDER / "matomo" / "LICENSE").read_text(encoding="utf-8")
    assert sorted(source["files"]) == sorted(f.split("/")[1] for f, _ in LISTS if f.startswith("matomo/"))
