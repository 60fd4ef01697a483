"""The partials the build renders once and reuses (navigation, tabs, search dialog, resource cards)
give every page exactly the HTML a render per page gives: the demo, with resource pages added at
other depths than its own (their relative links differ), built with the reuse and with it switched
off, is the same site, file for file, byte for byte (the manifests but for their time stamp)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO

BUILD = "import sys, mkdocs.__main__; sys.argv = ['mkdocs', 'build', '--strict', '--quiet']; mkdocs.__main__.cli()"
NO_REUSE = "import personalize.build.shared_partials as shared; shared.install = lambda *args, **kwargs: None; "
#: resource pages one level above and one below the demo's (resources/<kind>/<page>/)
EXTRA_PAGES = ("resources/shallow.md", "resources/cases/deeper/still/page.md")
MANIFESTS = ("site/abm-manifest.json", "build/private/abm-private.json")


def files(root: Path) -> dict[str, bytes]:
    return {path.relative_to(root).as_posix(): path.read_bytes()
            for folder in ("site", "build") for path in sorted((root / folder).rglob("*")) if path.is_file()}


def without_stamp(raw: bytes) -> object:
    data = json.loads(raw)
    data.pop("generated_at")
    return data


def build(root: Path, code: str) -> dict[str, bytes]:
    for name in ("content", "mkdocs.yml", "taxonomy.yml", "overrides", "demo"):
        copy = shutil.copytree if (REPO / name).is_dir() else shutil.copy2
        copy(REPO / name, root / name)
    page = next((root / "content" / "resources" / "cases").glob("*.md")).read_text(encoding="utf-8")
    for n, name in enumerate(EXTRA_PAGES):
        (root / "content" / name).parent.mkdir(parents=True, exist_ok=True)
        (root / "content" / name).write_text(page.replace("title: ", f"title: 第{n}页 ", 1), encoding="utf-8")
    result = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    return files(root)


def test_the_site_is_the_same_when_every_partial_is_rendered_per_page(tmp_path: Path) -> None:
    (tmp_path / "reused").mkdir()
    (tmp_path / "per-page").mkdir()
    reused, per_page = build(tmp_path / "reused", BUILD), build(tmp_path / "per-page", NO_REUSE + BUILD)
    assert sorted(reused) == sorted(per_page)
    assert {"site/resources/shallow/index.html", "site/resources/cases/deeper/still/page/index.html"} <= set(reused)
    for name in MANIFESTS:
        assert without_stamp(reused.pop(name)) == without_stamp(per_page.pop(name))
    assert [name for name in reused if reused[name] != per_page[name]] == []
