"""The public manifest is found the same way wherever a command takes `--site`."""

from __future__ import annotations

from pathlib import Path

from personalize import manifest


def _build(site: Path) -> Path:
    manifest.write(manifest.Manifest(pages=[], variants={"default": {}}), site / manifest.PUBLIC_FILE)
    return site / manifest.PUBLIC_FILE


def test_found_in_the_site_dir_or_under_the_project_root(tmp_path: Path) -> None:
    built = _build(tmp_path / "project" / "site")
    assert manifest.find_public(tmp_path / "project" / "site") == built
    assert manifest.find_public(tmp_path / "project") == built
    assert manifest.read(built).variants == {"default": {}}


def test_none_before_a_build(tmp_path: Path) -> None:
    assert manifest.find_public(tmp_path) is None
