"""Webinar pages in a throwaway project's built manifest, and `abm import webinar` against it.

Analytics reads webinars only from the built site's ``abm-manifest.json``; these write that
contract with its own writer, as `mkdocs build` would, for pages the demo content does not have.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import Result

from analytics.store import Store
from personalize import manifest
from tests.analytics.abm_cli import run_abm

SLUG = "resources/webinars/2026-10-demo"
AGENDA = [manifest.AgendaItem(at=0, title="开场"), manifest.AgendaItem(at=30, title="产品演示")]


def webinar_page(slug: str, title: str, start: str, duration: int, agenda: list[manifest.AgendaItem]) -> manifest.Page:
    """A public webinar page as the build lists it: ``slug`` is its path under content/ without .md."""
    return manifest.Page(
        url=f"{slug}/", file=f"{slug}/index.html", src=f"content/{slug}.md", title=title, type="webinar",
        industries=["all"], stage="mofu", personas=[], gated="auto",
        webinar=manifest.Webinar(start=start, duration=duration, agenda=agenda),
    )  # fmt: skip


def write_site(root: Path, pages: list[manifest.Page]) -> Path:
    """``root/site/abm-manifest.json`` listing ``pages``; returns root (pass it as --site)."""
    manifest.write(manifest.Manifest(pages=pages, variants={}), root / "site" / manifest.PUBLIC_FILE)
    return root


def demo_webinar() -> manifest.Page:
    """``resources/webinars/2026-10-demo``: 60 minutes from 2026-10-15 14:00 +08:00, the demo at 30."""
    return webinar_page("resources/webinars/2026-10-demo", "线上研讨会｜测试", "2026-10-15T14:00:00+08:00", 60, AGENDA)


def webinar_project(root: Path) -> Path:
    """A built site holding only the test webinar; returns root (pass it as --site)."""
    return write_site(root, [demo_webinar()])


def demo_project(root: Path, built_site: Path) -> Path:
    """The demo site's built pages (with their downloads) plus the test webinar, as root's built site."""
    built = manifest.find_public(built_site)
    assert built is not None, f"{built_site} is not built"
    return write_site(root, [*manifest.read(built).pages, demo_webinar()])


class WebinarImport:
    """The project, its store and the import command: what every webinar import test starts from."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.project = webinar_project(root / "project")
        self.db = root / "s.sqlite"

    def run(self, report: Path, source: str, *extra: object, webinar: str = "2026-10-demo") -> Result:
        """``abm import webinar REPORT --source SOURCE`` for the test webinar, into this store."""
        return run_abm("import", "webinar", report, "--source", source, "--webinar", webinar,
                       "--db", self.db, "--site", self.project, *extra)

    def query(self, sql: str) -> list[dict[str, Any]]:
        with Store.open(self.db) as store:
            return store.query(sql)

    def spans(self) -> list[tuple[str, str, str, str]]:
        """(name, role, join_ts, leave_ts) of every stored span, in join order."""
        rows = self.query("SELECT name, role, join_ts, leave_ts FROM webinar_spans ORDER BY join_ts, name")
        return [(r["name"], r["role"], r["join_ts"], r["leave_ts"]) for r in rows]

    def report(self) -> dict[str, Any]:
        """The webinar report (`abm report webinar --format json`) over this store."""
        result = run_abm("report", "webinar", SLUG, "--db", self.db, "--site", self.project, "--format", "json")
        assert result.exit_code == 0, result.stderr
        return json.loads(result.stdout)

    def present(self) -> dict[int, int]:
        """start minute -> people present at the start of that 5-minute bucket: the drop-off curve."""
        return {bucket["start_minute"]: bucket["present"] for bucket in self.report()["buckets"]}
