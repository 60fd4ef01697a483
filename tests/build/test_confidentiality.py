"""Nothing written for or about target accounts reaches site/: every file of the built demo site is
read (JSON unescaped, gzip unpacked) and searched; the private build dir holds that content instead."""

from __future__ import annotations

import csv
import gzip
import json
from pathlib import Path

import pytest
import yaml

from personalize import manifest
from personalize.build.frontmatter import split_front_matter


def public_texts(site: Path) -> dict[str, str]:
    """Every public file's path and readable text, as a browser or a crawler would get it."""
    texts = {}
    for path in sorted(p for p in site.rglob("*") if p.is_file()):
        raw = path.read_bytes()
        if path.suffix == ".gz":
            raw = gzip.decompress(raw)
        text = raw.decode("utf-8", errors="ignore")
        if ".json" in path.name:
            text = json.dumps(json.loads(text), ensure_ascii=False)
        texts[path.relative_to(site).as_posix()] = path.relative_to(site).as_posix() + "\n" + text.casefold()
    return texts


def account_strings(accounts_csv: Path) -> set[str]:
    with accounts_csv.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) >= 30
    values = {value.strip() for row in rows for column in ("name", "domains", "ip_ranges")
              for value in (row.get(column) or "").split(";")}
    return {value for value in values if value}


def account_content(content: Path) -> dict[str, set[str]]:
    """Titles, summaries and paragraphs of account pages, texts of account variants, by source file."""
    found: dict[str, set[str]] = {}
    for path in sorted(content.rglob("*.md")):
        source, _, body = split_front_matter(path.read_text(encoding="utf-8"))
        meta = yaml.safe_load(source or "") or {}
        if not (meta.get("accounts") or meta.get("variant") == "account"):
            continue
        texts = {str(meta[key]) for key in ("title", "summary") if meta.get(key)}
        texts |= {str(value) for slot in ("hero", "cta") for value in (meta.get(slot) or {}).values()
                  if isinstance(value, str) and len(value) >= 8 and "/" not in value}
        texts |= {line.strip("# ") for line in body.splitlines() if len(line.strip("# ")) >= 12}
        found[path.relative_to(content).as_posix()] = texts
    return found


@pytest.fixture(scope="module")
def texts(built_site: Path) -> dict[str, str]:
    return public_texts(built_site / "site")


def test_nothing_of_the_accounts_csv_is_in_any_public_file(built_site: Path, texts: dict[str, str]) -> None:
    secrets = account_strings(built_site / "demo" / "accounts.csv")
    assert any("/" in s for s in secrets) and any("." in s for s in secrets)  # IP ranges and domains are in
    leaks = [f"{name}: {secret}" for name, text in texts.items() for secret in secrets if secret.casefold() in text]
    assert not leaks


def test_no_account_page_or_account_variant_text_is_in_any_public_file(built_site: Path,
                                                                        texts: dict[str, str]) -> None:
    content = account_content(built_site / "content")
    assert any(name.startswith("variants/") for name in content) and any(
        name.startswith("resources/") for name in content), "the demo should have account pages and variants"
    leaks = [f"{name}: {source}: {text}" for source, found in content.items() for text in found
             for name, public in texts.items() if text.casefold() in public]
    assert not leaks


def test_the_private_dir_holds_the_account_pages_and_variants(built_site: Path) -> None:
    private_dir = built_site / "build" / "private"
    private = manifest.read(private_dir / manifest.PRIVATE_FILE, schema=manifest.PRIVATE_SCHEMA)
    pages = {page.src: page for page in private.pages}
    for source in account_content(built_site / "content"):
        if source.startswith("resources/"):
            page = pages[f"content/{source}"]
            html = (private_dir / page.file).read_text(encoding="utf-8")
            assert page.accounts and page.title in html, source
            assert not (built_site / "site" / page.file).exists()
    fragments = " ".join(html for slots in private.variants.values() for html in slots.values())
    for source, found in account_content(built_site / "content").items():
        if source.startswith("variants/"):
            assert any(text in fragments for text in found), source
