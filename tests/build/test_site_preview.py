"""A writer's `mkdocs serve` preview "as account X": the account's variant slots with its industry's as
fallback, its own pages in the navigation, nothing of it in `mkdocs build`, unknown accounts refused."""

from __future__ import annotations

import os
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bs4 import BeautifulSoup

from tests.build.test_plugin import GOOD_PAGE, _fetch_when_up, make_project, mkdocs
from tests.conftest import free_port
from tests.soup import attr, one

ACCOUNT_VARIANT = "---\nvariant: account\naccount: ACC-9\nhero:\n  title: 北辰专属预览标题\n---\n"
INDUSTRY_VARIANT = ("---\nvariant: industry\nindustry: manufacturing\nhero:\n  title: 制造业标题\n"
                    "cta:\n  title: 制造业行动号召\n  label: 预约\n  href: resources/\n---\n")
ACCOUNT_PAGE = GOOD_PAGE.replace("title: 零售会员运营白皮书", "title: 专属方案书").replace(
    "gated: false", "gated: false\naccounts: [ACC-9]")
OTHER_ACCOUNT_PAGE = ACCOUNT_PAGE.replace("专属方案书", "别家方案书").replace("ACC-9", "ACC-7")
PAGES = {"resources/good.md": GOOD_PAGE, "resources/for-acc9.md": ACCOUNT_PAGE,
         "resources/for-acc7.md": OTHER_ACCOUNT_PAGE, "variants/acc-9.md": ACCOUNT_VARIANT,
         "variants/manufacturing.md": INDUSTRY_VARIANT}


@contextmanager
def serving(root: Path, **env: str) -> Iterator[str]:
    """`mkdocs serve` of the project on a free loopback port; yields its base URL."""
    port = free_port()
    log = root / "serve.log"
    with log.open("w") as output:
        server = subprocess.Popen(
            [sys.executable, "-m", "mkdocs", "serve", "--no-livereload", "-a", f"127.0.0.1:{port}"], cwd=root,
            stdout=output, stderr=output, env={**os.environ, "NO_MKDOCS_2_WARNING": "1", **env})
    try:
        _fetch_when_up(f"http://127.0.0.1:{port}/", server, log)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=30)


def slot_text(html: str, slot: str) -> str:
    return one(BeautifulSoup(html, "html.parser"), f'[data-abm-slot="{slot}"]').get_text(" ", strip=True)


def test_serve_previews_as_an_account_with_its_industry_as_fallback_and_its_own_pages(tmp_path: Path) -> None:
    root = make_project(tmp_path, PAGES)
    with serving(root, ABM_PREVIEW_ACCOUNT="ACC-9") as url:
        home = _fetch(url + "/")
        assert "北辰专属预览标题" in slot_text(home, "hero")  # the account's own slot
        assert "制造业行动号召" in slot_text(home, "cta")  # not in the account variant: its industry's (CSV)
        assert "ACC-9" in one(BeautifulSoup(home, "html.parser"), "[data-abm-preview]").get_text()
        nav = {attr(a, "href").strip("./") for a in BeautifulSoup(home, "html.parser").select(".md-nav a[href]")}
        assert "resources/for-acc9" in nav and "resources/for-acc7" not in nav
        assert "专属方案书" in _fetch(url + "/resources/for-acc9/")
        listing = _fetch(url + "/resources/")
        assert "专属方案书" in listing and "别家方案书" not in listing
        assert _status(url + "/resources/for-acc7/") == 404  # another account's page stays private
    assert not (root / "build" / "private").exists()  # the edge's private build is never a preview's


def test_a_preview_leaves_the_private_build_of_the_last_mkdocs_build_alone(tmp_path: Path) -> None:
    root = make_project(tmp_path, PAGES)
    assert mkdocs(root, "build", "--strict").returncode == 0
    private = root / "build" / "private"
    before = {p.relative_to(private): p.read_bytes() for p in private.rglob("*") if p.is_file()}
    with serving(root, ABM_PREVIEW_INDUSTRY="retail") as url:
        assert "for-acc7" not in _fetch(url + "/resources/")
    assert {p.relative_to(private): p.read_bytes() for p in private.rglob("*") if p.is_file()} == before


def test_a_build_never_applies_the_account_preview(tmp_path: Path) -> None:
    root = make_project(tmp_path, PAGES)
    result = mkdocs(root, "build", "--strict", ABM_PREVIEW_ACCOUNT="ACC-9")
    assert result.returncode == 0, result.stderr
    assert "only shown by `mkdocs serve`" in result.stderr
    home = (root / "site" / "index.html").read_text(encoding="utf-8")
    assert "北辰专属预览标题" not in home and "data-abm-preview" not in home
    assert not (root / "site" / "resources" / "for-acc9").exists()
    assert (root / "build" / "private" / "resources" / "for-acc9" / "index.html").is_file()


def test_without_an_accounts_csv_the_account_variant_falls_back_to_the_default(tmp_path: Path) -> None:
    root = make_project(tmp_path, PAGES)
    config = root / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace("accounts: demo/accounts.csv", ""),
                      encoding="utf-8")
    with serving(root, ABM_PREVIEW_ACCOUNT="ACC-9") as url:
        home = _fetch(url + "/")
        assert "北辰专属预览标题" in slot_text(home, "hero")
        assert "制造业行动号召" not in home  # no industry known: the default CTA


def test_an_unknown_preview_account_fails_with_the_known_ones(tmp_path: Path) -> None:
    root = make_project(tmp_path, PAGES)
    result = mkdocs(root, "build", ABM_PREVIEW_ACCOUNT="ACC-404")
    assert result.returncode != 0
    assert "preview account 'ACC-404'" in result.stderr
    assert "ACC-7, ACC-9" in result.stderr


def test_an_unknown_preview_industry_fails_with_the_allowed_ones(tmp_path: Path) -> None:
    root = make_project(tmp_path, {"resources/good.md": GOOD_PAGE})
    result = mkdocs(root, "build", ABM_PREVIEW_INDUSTRY="retial")
    assert result.returncode != 0
    assert "preview industry 'retial' is not in the taxonomy" in result.stderr and "retail" in result.stderr


def _fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:
        return str(response.read().decode("utf-8"))


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return error.code
