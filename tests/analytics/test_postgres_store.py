"""Analytics on a real PostgreSQL: the same demo traffic gives the same reports and exports as SQLite."""

from __future__ import annotations

import json
from collections.abc import Generator
from pathlib import Path

import pytest

from analytics.store import Store
from personalize.errors import UserError
from tests.analytics.abm_cli import run_abm
from tests.analytics.webinar_files import demo_project
from tests.postgres import PostgresCluster, postgres_cluster, postgres_url

__all__ = ["postgres_cluster", "postgres_url"]  # fixtures

REPO = Path(__file__).resolve().parents[2]
ACCOUNTS = REPO / "demo" / "accounts.csv"
PERIOD = ("--until", "2026-11-01", "--since", "2026-10-04")


@pytest.fixture(scope="module")
def stores(tmp_path_factory: pytest.TempPathFactory, postgres_cluster: PostgresCluster, built_site: Path) -> tuple[str, str, Path]:
    """(SQLite path, PostgreSQL URL, project root), both filled by `abm demo traffic` with one seed."""
    root = tmp_path_factory.mktemp("pg-demo")
    demo_project(root, built_site)
    sqlite, postgres = str(root / "demo.sqlite"), postgres_cluster.create_database()
    for db in (sqlite, postgres):
        result = run_abm("demo", "traffic", "--db", db, "--days", 35, "--seed", 11, "--until", "2026-11-01",
                         "--accounts", ACCOUNTS, "--site", root / "site")  # fmt: skip
        assert result.exit_code == 0, result.stderr
        assert "abm-test" not in result.stdout, "the password must not be printed"
    return sqlite, postgres, root


def test_demo_traffic_lands_in_postgres_row_for_row(stores: tuple[str, str, Path]) -> None:
    sqlite, postgres, _ = stores
    with Store.open(sqlite) as lite, Store.open(postgres) as pg:
        assert pg.dialect == "postgresql" and "abm-test" not in pg.location
        assert {"events", "leads", "webinar_spans", "crm_stages", "schema_version"} <= pg.tables()
        for table in ("events", "leads", "webinar_spans", "webinar_registrants", "crm_stages"):
            count = lite.scalar(f"SELECT COUNT(*) FROM {table}")
            assert count > 0 and pg.scalar(f"SELECT COUNT(*) FROM {table}") == count, table
        assert pg.scalar("SELECT SUM(value) FROM events") == pytest.approx(lite.scalar("SELECT SUM(value) FROM events"))
        assert pg.scalar("SELECT SUM(is_bot) FROM events") == lite.scalar("SELECT SUM(is_bot) FROM events")
        assert pg.scalar("SELECT COUNT(*) FROM events WHERE path LIKE ? AND '%' = '%'", ["%resources%"]) > 0
        rows = pg.stream("SELECT ts FROM events ORDER BY ts", size=10)  # a server-side cursor, left early
        assert isinstance(rows, Generator)  # so it can be closed before its end
        first = [next(rows)["ts"] for _ in range(3)]
        rows.close()
        assert first == [row["ts"] for row in lite.query("SELECT ts FROM events ORDER BY ts LIMIT 3")]
        assert pg.scalar("SELECT COUNT(*) FROM leads") == lite.scalar("SELECT COUNT(*) FROM leads")


@pytest.mark.parametrize(
    "report",
    [("accounts",), ("accounts", "--summary"), ("signals",), ("channels",), ("leads",), ("experiments",),
     ("webinar", "2026-10-demo")],
    ids=lambda r: "-".join(r),
)  # fmt: skip
def test_every_report_gives_the_same_json_on_both(stores: tuple[str, str, Path], report: tuple[str, ...]) -> None:
    sqlite, postgres, root = stores
    answers = []
    for db in (sqlite, postgres):
        result = run_abm("report", *report, "--db", db, "--accounts", ACCOUNTS, "--site", root, "--format", "json",
                         *PERIOD)  # fmt: skip
        assert result.exit_code == 0, result.stderr
        answers.append(json.loads(result.stdout))
    assert answers[0], "an empty report proves nothing"
    assert answers[1] == answers[0]


def test_dashboard_and_alerts_run_on_postgres(stores: tuple[str, str, Path], tmp_path: Path) -> None:
    sqlite, postgres, root = stores
    pages = []
    for db, name in ((sqlite, "lite.html"), (postgres, "pg.html")):
        result = run_abm("report", "dashboard", "--db", db, "--accounts", ACCOUNTS, "--site", root,
                         "--out", tmp_path / name, *PERIOD)  # fmt: skip
        assert result.exit_code == 0, result.stderr
        pages.append((tmp_path / name).read_text(encoding="utf-8"))
    assert "abm-test" not in pages[1]
    assert len(pages[1]) == pytest.approx(len(pages[0]), abs=50)  # only the "generated at" minute may differ
    dry_runs = [
        run_abm("alerts", "--db", db, "--accounts", ACCOUNTS, "--site", root, "--since", "2026-10-25", "--dry-run")
        for db in (sqlite, postgres)
    ]
    assert [r.exit_code for r in dry_runs] == [0, 0], dry_runs[1].stderr
    assert dry_runs[1].stdout == dry_runs[0].stdout and "tier1_visit" in dry_runs[0].stdout


def test_export_import_round_trip_between_sqlite_and_postgres(
    stores: tuple[str, str, Path], postgres_url: str, tmp_path: Path
) -> None:
    sqlite, postgres, _ = stores
    exported = {}
    for db, name in ((sqlite, "lite.jsonl"), (postgres, "pg.jsonl")):
        assert run_abm("export", "events", "--db", db, "--out", tmp_path / name).exit_code == 0
        exported[name] = (tmp_path / name).read_bytes()
    assert exported["pg.jsonl"] == exported["lite.jsonl"] and exported["pg.jsonl"].count(b"\n") > 1000
    result = run_abm("import", "events", tmp_path / "lite.jsonl", "--db", postgres_url)
    assert result.exit_code == 0, result.stderr
    assert run_abm("export", "events", "--db", postgres_url, "--out", tmp_path / "again.jsonl").exit_code == 0
    assert (tmp_path / "again.jsonl").read_bytes() == exported["lite.jsonl"]
    parquet = tmp_path / "events.parquet"
    assert run_abm("export", "events", "--db", postgres_url, "--out", parquet).exit_code == 0
    assert run_abm("export", "events", "--db", parquet, "--format", "jsonl").stdout_bytes == exported["lite.jsonl"]


def test_bad_rows_are_refused_before_anything_reaches_postgres(postgres_url: str, tmp_path: Path) -> None:
    source = tmp_path / "bad.jsonl"
    good = '{"ts": "2026-03-02T08:00:00.000Z", "kind": "pageview", "path": "/a"}'
    source.write_text(good + "\n" + '{"ts": "yesterday", "kind": "pageview"}\n', encoding="utf-8")
    result = run_abm("import", "events", source, "--db", postgres_url)
    assert result.exit_code == 1 and "bad.jsonl:2: ts: 'yesterday'" in result.stderr
    with Store.open(postgres_url) as store:
        assert store.scalar("SELECT COUNT(*) FROM events") == 0


def test_unreachable_postgres_is_a_clear_error_without_the_password(postgres_cluster: PostgresCluster) -> None:
    down = f"postgresql://abm:secret-pw@127.0.0.1:{postgres_cluster.port + 1}/nothing"
    with pytest.raises(UserError, match="cannot open the event store") as error:
        Store.open(down)
    assert "secret-pw" not in str(error.value) and "abm:***@127.0.0.1" in str(error.value)
    result = run_abm("report", "accounts", "--db", down)
    assert result.exit_code != 0 and "secret-pw" not in result.stderr + result.stdout
    wrong_database = postgres_cluster.url("no_such_database")
    with pytest.raises(UserError, match="no_such_database"):
        Store.open(wrong_database)
    with pytest.raises(UserError, match="--engine duckdb reads SQLite"):
        Store.open(postgres_cluster.url(), engine="duckdb")
