"""Which known site a referrer is, from well-kept lists rather than a hand-made few.

The public-domain Matomo search-engine, social and AI-assistant lists ship in `referrer_lists/matomo/`
(source, commit and licence in its SOURCE.yml; `scripts/refresh_referrer_lists.py` updates them),
and ours in `referrer_lists/ours/` in the same shape: the Chinese sources they miss, and web mail.
They are parsed once, on first use, into dicts, so a lookup is a few dict probes per referrer,
never a regex scan: the reports classify every visit.

Pattern grammar (the lists' README): a host, optionally with a path (`yandex.ru/clck`); `{}`
stands for a country code as a subdomain (`{}.bing.com`) or as the TLD (`google.{}`, which also
covers `com.hk`, `co.uk`, ...). Here a pattern matches its host and every subdomain of it (`www.`,
`m.`, ...), the longest match wins, and where two lists hold the same pattern the first of `LISTS`
keeps it: AI assistants before everything else, then ours before Matomo's, socials before engines.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Final

import yaml

FOLDER: Final = Path(__file__).with_name("referrer_lists")

#: (file under FOLDER, channel), in precedence order: the first list to claim a pattern keeps it.
#: Socials before search engines: Matomo counts a search-engine URL only with a keyword in it, so
#: for a bare host the social meaning is the right one (facebook.com is in both).
LISTS: Final = (
    ("matomo/AIAssistants.yml", "ai_assistant"),
    ("ours/AIAssistants.yml", "ai_assistant"),
    ("ours/Mails.yml", "email"),
    ("ours/Socials.yml", "social"),
    ("ours/SearchEngines.yml", "search"),
    ("matomo/Socials.yml", "social"),
    ("matomo/SearchEngines.yml", "search"),
)
#: Second-level labels that `{}` covers along with the country TLD (`google.{}` = google.com.hk).
GENERIC_SECOND_LEVEL: Final = frozenset({"com", "org", "net", "co", "it", "edu"})
WILDCARD: Final = "{}"


@dataclass(frozen=True, slots=True)
class Site:
    """A known referrer: the channel its list stands for, its name there, and that list."""

    channel: str
    name: str
    source: str  # the list file, e.g. "matomo/Socials.yml"


@dataclass(slots=True)
class Index:
    """Host patterns, path patterns and names of every list, with the precedence already applied."""

    hosts: dict[str, Site] = field(default_factory=dict)
    paths: dict[str, dict[str, Site]] = field(default_factory=dict)  # host pattern -> path -> site
    names: dict[str, Site] = field(default_factory=dict)  # "chatgpt" -> ChatGPT

    def add(self, pattern: str, site: Site) -> None:
        host, path = split_pattern(pattern)
        if path:
            self.paths.setdefault(host, {}).setdefault(path, site)
        else:
            self.hosts.setdefault(host, site)
        self.names.setdefault(name_key(site.name), site)


def clean_host(host: str | None) -> str:
    """`WWW.Baidu.com:443` -> `baidu.com`."""
    host = (host or "").strip().lower().split(":", 1)[0].rstrip(".")
    return host.removeprefix("www.")


def name_key(name: str) -> str:
    """How a list's name reads as a utm_source: `Le Chat` -> `lechat`."""
    return "".join(name.split()).casefold()


def split_pattern(url: str) -> tuple[str, str]:
    """`www.Google.{}/cse/` -> (`google.{}`, `/cse`); `android-app//app.id/x` -> (`app.id`, `/x`)."""
    url = url.strip().lower().removeprefix("android-app//")
    host, slash, path = url.partition("/")
    return clean_host(host), (slash + path).rstrip("/")


def list_urls(definitions: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    """(name, url) of a list file: `Name: [url, ...]`, or `Name: [{urls: [...], params: ...}]` for engines."""
    for name, entries in definitions.items():
        for entry in entries or ():
            for url in entry["urls"] if isinstance(entry, dict) else (entry,):
                yield str(name), str(url)


def read_list(path: Path) -> dict[str, Any]:
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a mapping of names to URLs")
    return data


def build_index(folder: Path = FOLDER) -> Index:
    index = Index()
    for file, channel in LISTS:
        for name, url in list_urls(read_list(folder / file)):
            index.add(url, Site(channel, name, file))
    return index


@cache
def index() -> Index:
    """The shipped lists, parsed on first use only: importing the module reads nothing."""
    return build_index()


def _is_country(label: str) -> bool:
    return len(label) == 2 and label.isalpha()


def candidates(labels: list[str]) -> Iterator[str]:
    """The patterns that could match a host (as its labels), most specific first."""
    for start in range(len(labels) - 1):
        suffix = labels[start:]
        yield ".".join(suffix)
        for i, label in enumerate(suffix):
            if _is_country(label):
                yield ".".join([*suffix[:i], WILDCARD, *suffix[i + 1 :]])
        if len(suffix) > 2 and suffix[-2] in GENERIC_SECOND_LEVEL and _is_country(suffix[-1]):
            yield ".".join([*suffix[:-2], WILDCARD])


def find(host: str | None, path: str = "", *, within: Index | None = None) -> Site | None:
    """The known site a referrer host (and, when known, its path) belongs to; None if unknown."""
    labels = clean_host(host).split(".")
    found = within or index()
    path = path.rstrip("/")
    for pattern in candidates(labels):
        if path and (paths := found.paths.get(pattern)):
            for prefix, by_path in sorted(paths.items(), key=lambda item: -len(item[0])):
                if path == prefix or path.startswith(prefix + "/"):
                    return by_path
        site = found.hosts.get(pattern)
        if site is not None:
            return site
    return None


def find_name(name: str, *, within: Index | None = None) -> Site | None:
    """The known site a utm_source names, by its name in a list (`ChatGPT`, `Doubao`); None if none."""
    return (within or index()).names.get(name_key(name))
