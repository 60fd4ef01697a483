"""A webinar page in a throwaway project and `abm import webinar` against it, for every importer's tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import Result

from analytics.store import Store
from tests.analytics.abm_cli import run_abm

SLUG = "resources/webinars/2026-10-demo"
PAGE = """---
title: 线上研讨会｜测试
type: webinar
webinar:
  start: 2026-10-15T14:00:00+08:00
  duration: 60
  agenda:
    - {at: 0, title: 开场}
    - {at: 30, title: 产品演示}
---
# 测试
"""


def webinar_project(root: Path) -> Path:
    """``root/content/resources/webinars/2026-10-demo.md``; returns root (pass it as --site)."""
    page = root / "content" / "resources" / "webinars" / "2026-10-demo.md"
    page.parent.mkdir(parents=True, exist_ok=True)
    page.write_text(PAGE, encoding="utf-8")
    return root


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
