"""Keep what was written for named accounts out of the public site, and prove it after each build.

Pages with `accounts:` are built like any page, then moved to the private dir and scrubbed from
the search index and the sitemap. The guard walks every file of the public site (JSON decoded,
gzip unpacked) for any string that must never be public: account names, domains and IP ranges
from the accounts CSV, and the titles and URLs of account-only pages.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
import shutil
from collections.abc import Iterable
from pathlib import Path

from personalize.accounts import decode

#: accounts CSV columns whose cells are confidential (header spellings, lower-cased)
SECRET_COLUMNS = {"name", "account", "account name", "company", "名称", "客户名称", "公司名称", "domains",
                  "domain", "域名", "ip_ranges", "ip ranges", "ip_range", "ip段", "aliases", "alias", "别名"}
MIN_LENGTH = 2  # shorter strings would match by chance


def move_private_pages(site_dir: Path, private_dir: Path, files: Iterable[str]) -> None:
    """Move each built file (relative to the site) into the private dir, same relative path."""
    for name in files:
        source = site_dir / name
        if not source.is_file():
            continue
        target = private_dir / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(source, target)
        parent = source.parent
        while parent != site_dir and not any(parent.iterdir()):
            parent.rmdir()
            parent = parent.parent


def scrub_search_index(site_dir: Path, urls: set[str]) -> None:
    """Drop every search entry of the given pages (belt and braces: they are excluded already)."""
    index = site_dir / "search" / "search_index.json"
    if not urls or not index.is_file():
        return
    data = json.loads(index.read_text(encoding="utf-8"))
    data["docs"] = [doc for doc in data.get("docs", []) if doc.get("location", "").split("#")[0] not in urls]
    index.write_text(json.dumps(data, separators=(",", ":")), encoding="utf-8")


def scrub_sitemap(site_dir: Path, urls: set[str]) -> None:
    """Remove the pages' `<url>` entries from sitemap.xml and rewrite sitemap.xml.gz from it."""
    sitemap = site_dir / "sitemap.xml"
    if not urls or not sitemap.is_file():
        return
    text = sitemap.read_text(encoding="utf-8")

    def keep(match: re.Match[str]) -> str:
        location = re.search(r"<loc>(.*?)</loc>", match.group(0))
        loc = location.group(1) if location else ""
        return "" if any(loc.endswith("/" + url) or loc == url for url in urls) else match.group(0)

    text = re.sub(r"\s*<url>.*?</url>", keep, text, flags=re.S)
    sitemap.write_text(text, encoding="utf-8")
    compressed = site_dir / "sitemap.xml.gz"
    if compressed.exists():
        with gzip.GzipFile(compressed, "wb", mtime=0) as out:
            out.write(text.encode("utf-8"))


def _decode(raw: bytes) -> str:
    """A file's text as written or shown: a CSV in any encoding the accounts reader accepts."""
    text = decode(raw)
    return raw.decode("utf-8", errors="ignore") if text is None else text


def account_secrets(accounts_csv: Path) -> set[str]:
    """Every confidential string of the accounts CSV (each `;`-separated value on its own)."""
    rows = csv.reader(io.StringIO(_decode(accounts_csv.read_bytes())))
    header = [cell.strip().lower() for cell in next(rows, [])]
    columns = [index for index, name in enumerate(header) if name in SECRET_COLUMNS]
    secrets = {value.strip() for row in rows for index in columns if index < len(row)
               for value in row[index].split(";")}
    return {secret for secret in secrets if len(secret) >= MIN_LENGTH}


def _public_text(path: Path) -> str:
    raw = path.read_bytes()
    if path.suffix == ".gz":
        raw = gzip.decompress(raw)
    text = _decode(raw)
    if path.suffix == ".json" or path.name.endswith(".json.gz"):
        try:
            text = json.dumps(json.loads(text), ensure_ascii=False)
        except json.JSONDecodeError:
            pass
    return text


def find_leaks(site_dir: Path, secrets: Iterable[str]) -> list[str]:
    """`file: secret` for every confidential string found in a public file's name or content."""
    needles = sorted({secret.casefold() for secret in secrets if len(secret) >= MIN_LENGTH})
    files = sorted(p for p in site_dir.rglob("*") if p.is_file())
    if needles and not _any_found(site_dir, files, needles):
        return []
    leaks = []
    for path in files:
        name, text = _public_file(site_dir, path)
        haystack = text.casefold()
        leaks += [f"{name}: {needle}" for needle in needles if needle in haystack]
    return leaks


def _public_file(site_dir: Path, path: Path) -> tuple[str, str]:
    """A file's name in the site and the text the guard searches: its name, then its content."""
    name = path.relative_to(site_dir).as_posix()
    return name, name + "\n" + _public_text(path)


def _any_found(site_dir: Path, files: list[Path], needles: list[str]) -> bool:
    """Whether any needle is in any file, searching each distinct line of the site once.

    Most of a site is the same lines on every page (navigation, header, scripts). A needle
    without a line break is in a file exactly when it is in one of its lines (case folding maps
    characters one by one and never makes a line break), so the common answer, "no leak", costs
    one pass over the distinct lines; only a leak makes the guard search file by file to name it.
    """
    if any("\n" in needle for needle in needles):
        return True
    lines: set[str] = set()
    for path in files:
        lines.update(_public_file(site_dir, path)[1].split("\n"))
    # ASCII lines apart: a str is as wide as its widest character, and only ASCII needles can be in them
    ascii_text = "\n".join(line for line in lines if line.isascii()).casefold()
    other_text = "\n".join(line for line in lines if not line.isascii()).casefold()
    return any(needle in other_text or (needle.isascii() and needle in ascii_text) for needle in needles)
