"""The `abm` MkDocs plugin end to end: `mkdocs build` on small temporary projects made of the repo's
mkdocs.yml, taxonomy and theme plus a few pages written here, good and bad."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import REPO, free_port

GOOD_PAGE = """---
title: 零售会员运营白皮书
type: whitepaper
industries: [零售]
stage: mofu
personas: [marketing]
gated: false
summary: 从流量到会员。
download: downloads/member.pdf
---

# 零售会员运营白皮书

会员运营的方法。
"""

ACCOUNTS = "id,name,domains,industry,tier,ip_ranges\nACC-9,北辰精密机械,beichen-precision.cn;bcjm.cn,manufacturing,1,203.0.113.0/26\n"


def make_project(root: Path, pages: dict[str, str]) -> Path:
    """A project with the repo's configuration and theme, and only the given content files."""
    shutil.copy2(REPO / "mkdocs.yml", root / "mkdocs.yml")
    shutil.copy2(REPO / "taxonomy.yml", root / "taxonomy.yml")
    shutil.copytree(REPO / "overrides", root / "overrides")
    (root / "demo").mkdir()
    (root / "demo" / "accounts.csv").write_text(ACCOUNTS, encoding="utf-8")
    (root / "content" / "downloads").mkdir(parents=True)
    (root / "content" / "downloads" / "member.pdf").write_bytes(b"%PDF-1.4\n")
    (root / "content" / "assets" / "logos").mkdir(parents=True)
    (root / "content" / "assets" / "logos" / "a.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"/>')
    (root / "content" / "privacy.md").write_text("# 隐私政策\n\n我们如何处理你的信息。\n", encoding="utf-8")  # mkdocs.yml's privacy_page
    for name, text in pages.items():
        path = root / "content" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def mkdocs(root: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "mkdocs", *args], cwd=root, capture_output=True, text=True,
                          env={**os.environ, "NO_MKDOCS_2_WARNING": "1", **env}, timeout=300)


BAD_PAGES = {
    "resources/unknown-value.md": GOOD_PAGE.replace("industries: [零售]", "industries: [retial, 制造]"),
    "resources/missing-and-shape.md": GOOD_PAGE.replace("stage: mofu\n", "").replace("personas: [marketing]",
                                                                                     "personas: marketing"),
    "resources/bad-yaml.md": "---\ntitle: 坏的 YAML\ntype: [whitepaper\nstage: mofu\n---\n正文\n",
    "resources/bad-date.md": GOOD_PAGE.replace("summary:", "date: 2026-02-30\nsummary:"),
    "resources/webinar-agenda.md": GOOD_PAGE.replace("type: whitepaper", "type: webinar").replace(
        "download: downloads/member.pdf", "webinar:\n  start: 2026-05-21T14:00:00+08:00\n  duration: 60\n"
        "  agenda:\n    - {at: 0, title: 开场}\n    - {at: 30, title: 演示}\n    - {at: 20, title: 问答}\n"
        "    - {at: 75, title: 结束}"),
    "resources/missing-download.md": GOOD_PAGE.replace("downloads/member.pdf", "downloads/nowhere.pdf"),
    "variants/bad.md": "---\nvariant: industry\nindustry: helthcare\nhero:\n  title: 医疗\n  colour: red\n"
                       "logos:\n  items:\n    - {name: 甲, logo: assets/logos/missing.svg}\nbanner: x\n---\n",
}


@pytest.fixture(scope="module")
def failed_build(tmp_path_factory: pytest.TempPathFactory) -> subprocess.CompletedProcess[str]:
    root = make_project(tmp_path_factory.mktemp("bad"), {"resources/good.md": GOOD_PAGE, **BAD_PAGES})
    return mkdocs(root, "build")


def test_a_bad_page_fails_the_build_with_a_non_zero_exit(failed_build: subprocess.CompletedProcess[str]) -> None:
    assert failed_build.returncode != 0
    assert "error(s) in the content" in failed_build.stderr


@pytest.mark.parametrize("expected", [
    # unknown value: path:line, field, the value, allowed values, did you mean
    ("content/resources/unknown-value.md:4: industries", "'retial'", "Allowed: manufacturing (制造)", "retail"),
    ("content/resources/missing-and-shape.md:", "stage: missing"),
    ("content/resources/missing-and-shape.md:5: personas", "needs a list", "personas: [marketing]"),
    ("content/resources/bad-yaml.md:", "front matter"),
    ("content/resources/bad-date.md:8: date", "not a valid date"),
    ("content/resources/webinar-agenda.md:", "webinar.agenda"),
    ("content/resources/missing-download.md:9: download", "downloads/nowhere.pdf"),
    ("content/variants/bad.md:3: industry", "'helthcare'", "Allowed: manufacturing", "Did you mean 'healthcare'"),
    ("content/variants/bad.md:6: hero.colour", "unknown key", "Allowed: eyebrow, title, subtitle, image"),
    ("content/variants/bad.md:9: logos.items[0].logo", "assets/logos/missing.svg"),
    ("content/variants/bad.md:10: banner", "unknown key"),
])
def test_every_error_of_every_page_is_reported_in_one_run(failed_build: subprocess.CompletedProcess[str],
                                                          expected: tuple[str, ...]) -> None:
    lines = [line for line in failed_build.stderr.splitlines() if expected[0] in line]
    assert lines, f"no line with {expected[0]!r} in:\n{failed_build.stderr}"
    assert any(all(part in line for part in expected[1:]) for line in lines), "\n".join(lines)


def test_agenda_out_of_order_and_past_the_duration_are_two_errors(
        failed_build: subprocess.CompletedProcess[str]) -> None:
    agenda = [line for line in failed_build.stderr.splitlines() if "webinar-agenda.md" in line]
    assert len(agenda) >= 2, agenda


def test_the_good_page_is_not_reported(failed_build: subprocess.CompletedProcess[str]) -> None:
    assert "resources/good.md" not in failed_build.stderr


UNKNOWN_KEY = GOOD_PAGE.replace("summary:", "colour: red\nsummary:")


@pytest.fixture(scope="module")
def warned_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_project(tmp_path_factory.mktemp("warned"), {"resources/colour.md": UNKNOWN_KEY})


def test_an_unknown_key_is_a_warning_without_strict(warned_project: Path) -> None:
    result = mkdocs(warned_project, "build")
    assert result.returncode == 0, result.stderr
    assert "content/resources/colour.md:8: warning: colour: unknown key" in result.stderr
    page = json.loads((warned_project / "site" / "abm-manifest.json").read_text(encoding="utf-8"))["pages"]
    resource = next(p for p in page if p["src"] == "content/resources/colour.md")
    assert resource["industries"] == ["retail"]  # the display name 零售 resolved to its id


def test_an_unknown_key_fails_a_strict_build(warned_project: Path) -> None:
    result = mkdocs(warned_project, "build", "--strict")
    assert result.returncode != 0
    assert "colour: unknown key" in result.stderr


def test_strict_keys_option_makes_unknown_keys_errors(tmp_path: Path) -> None:
    root = make_project(tmp_path, {"resources/colour.md": UNKNOWN_KEY})
    config = root / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        "private_dir: build/private", "private_dir: build/private\n      strict_keys: true"), encoding="utf-8")
    result = mkdocs(root, "build")
    assert result.returncode != 0
    assert "content/resources/colour.md:8: colour: unknown key" in result.stderr


def test_confidential_text_in_a_public_page_fails_the_build(tmp_path: Path) -> None:
    leaky = GOOD_PAGE.replace("会员运营的方法。", "北辰精密机械的会员运营方法。")
    root = make_project(tmp_path, {"resources/leaky.md": leaky})
    result = mkdocs(root, "build")
    assert result.returncode != 0
    assert "resources/leaky/index.html: 北辰精密机械" in result.stderr
    assert "confidential" in result.stderr


def test_an_account_page_goes_to_the_private_dir_only(tmp_path: Path) -> None:
    account_page = GOOD_PAGE.replace("title: 零售会员运营白皮书", "title: 专属方案书").replace(
        "gated: false", "gated: false\naccounts: [ACC-9]")
    root = make_project(tmp_path, {"resources/good.md": GOOD_PAGE, "resources/for-acc9.md": account_page})
    result = mkdocs(root, "build", "--strict")
    assert result.returncode == 0, result.stderr
    assert not (root / "site" / "resources" / "for-acc9").exists()
    assert (root / "build" / "private" / "resources" / "for-acc9" / "index.html").is_file()
    private = json.loads((root / "build" / "private" / "abm-private.json").read_text(encoding="utf-8"))
    assert [p["url"] for p in private["pages"]] == ["resources/for-acc9/"]
    assert private["pages"][0]["accounts"] == ["ACC-9"]
    public = (root / "site" / "abm-manifest.json").read_text(encoding="utf-8")
    assert "for-acc9" not in public and "专属方案书" not in public
    assert "for-acc9" not in (root / "site" / "sitemap.xml").read_text(encoding="utf-8")
    assert "for-acc9" not in (root / "site" / "search" / "search_index.json").read_text(encoding="utf-8")


def test_a_missing_privacy_page_fails_the_build_and_says_how_to_fix_it(tmp_path: Path) -> None:
    root = make_project(tmp_path, {"resources/good.md": GOOD_PAGE})
    (root / "content" / "privacy.md").unlink()
    result = mkdocs(root, "build")
    assert result.returncode != 0
    assert "privacy_page 'privacy.md' is not a file in" in result.stderr and "remove the option" in result.stderr


def test_without_a_privacy_page_the_forms_link_none(tmp_path: Path) -> None:
    gated = GOOD_PAGE.replace("gated: false", "gated: true")
    root = make_project(tmp_path, {"resources/good.md": gated})
    config = root / "mkdocs.yml"
    config.write_text(re.sub(r"\n\s*privacy_page: .*", "", config.read_text(encoding="utf-8")), encoding="utf-8")
    result = mkdocs(root, "build", "--strict")
    assert result.returncode == 0, result.stderr
    page = (root / "site" / "resources" / "good" / "index.html").read_text(encoding="utf-8")
    assert 'class="abm-cta abm-cta--gated abm-lead"' in page and "abm-lead__privacy" not in page
    assert json.loads((root / "site" / "abm-manifest.json").read_text(encoding="utf-8"))["privacy"] == ""


def test_an_account_webinar_gets_no_calendar_file_in_the_public_site(tmp_path: Path) -> None:
    webinar = GOOD_PAGE.replace("type: whitepaper", "type: webinar").replace(
        "download: downloads/member.pdf", "webinar:\n  start: 2026-05-21T14:00:00+08:00\n  duration: 60\n"
        "  agenda:\n    - {at: 0, title: 开场}\n    - {at: 30, title: 问答}")
    private = webinar.replace("title: 零售会员运营白皮书", "title: 北辰专场研讨会").replace(
        "gated: false", "gated: false\naccounts: [ACC-9]")
    root = make_project(tmp_path, {"resources/open-webinar.md": webinar, "resources/acc9-webinar.md": private})
    result = mkdocs(root, "build", "--strict")
    assert result.returncode == 0, result.stderr
    assert [p.relative_to(root / "site").as_posix() for p in (root / "site").rglob("*.ics")] == [
        "resources/open-webinar/webinar.ics"]
    assert not list((root / "build" / "private").rglob("*.ics"))
    page = (root / "build" / "private" / "resources" / "acc9-webinar" / "index.html").read_text(encoding="utf-8")
    assert "abm-webinar__when" in page and "webinar.ics" not in page


def test_a_project_without_variants_builds_with_the_built_in_defaults(tmp_path: Path) -> None:
    root = make_project(tmp_path, {"resources/good.md": GOOD_PAGE})
    result = mkdocs(root, "build", "--strict")
    assert result.returncode == 0, result.stderr
    home = (root / "site" / "index.html").read_text(encoding="utf-8")
    for slot in ("hero", "logos", "cta"):
        assert f'data-abm-slot="{slot}"><!--abm:slot:{slot}-->' in home


def test_serve_previews_as_an_industry(tmp_path: Path) -> None:
    variant = "---\nvariant: industry\nindustry: retail\nhero:\n  title: 零售预览标题\n---\n"
    root = make_project(tmp_path, {"resources/good.md": GOOD_PAGE, "variants/retail.md": variant})
    port = free_port()
    log = tmp_path / "serve.log"
    with log.open("w") as output:
        server = subprocess.Popen(
            [sys.executable, "-m", "mkdocs", "serve", "--no-livereload", "-a", f"127.0.0.1:{port}"], cwd=root,
            stdout=output, stderr=output, env={**os.environ, "NO_MKDOCS_2_WARNING": "1", "ABM_PREVIEW_INDUSTRY": "零售"})
    try:
        home = _fetch_when_up(f"http://127.0.0.1:{port}/", server, log)
        assert "零售预览标题" in home
        assert "<!--abm:slot:hero-->" in home
    finally:
        server.terminate()
        server.wait(timeout=30)


def _fetch_when_up(url: str, server: subprocess.Popen[bytes], log: Path) -> str:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"mkdocs serve exited:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return str(response.read().decode("utf-8"))
        except OSError:
            time.sleep(0.3)
    pytest.fail("mkdocs serve did not answer")
