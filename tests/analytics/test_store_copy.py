"""`abm migrate`: a store copied SQLite -> PostgreSQL -> SQLite row for row, resumed after an interruption,
never into a store that holds other rows."""

from __future__ import annotations

from pathlib import Path

import pytest

from analytics.store import Store
from analytics.store_copy import BATCH, copy_store
from personalize.errors import UserError
from tests.analytics.abm_cli import run_abm
from tests.postgres import PostgresCluster, postgres_cluster

__all__ = ["postgres_cluster"]  # fixture
REPO = Path(__file__).resolve().parents[2]
ACCOUNTS = REPO / "demo" / "accounts.csv"


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A SQLite store of 5 days of demo traffic (a few thousand events over several tables)."""
    db = str(tmp_path_factory.mktemp("copy") / "demo.sqlite")
    result = run_abm("demo", "traffic", "--db", db, "--days", 5, "--seed", 5, "--until", "2026-11-01",
                     "--accounts", ACCOUNTS)  # fmt: skip
    assert result.exit_code == 0, result.stderr
    return db


def counts(db: str) -> dict[str, int]:
    with Store.open(db) as store:
        return {table: int(store.scalar(f"SELECT COUNT(*) FROM {table}"))
                for table in ("events", "leads", "webinar_registrants", "webinar_spans")}  # fmt: skip


def test_sqlite_to_postgres_and_back_is_row_for_row(demo_store: str, postgres_cluster: PostgresCluster,
                                                    tmp_path: Path) -> None:
    postgres, back = postgres_cluster.create_database(), str(tmp_path / "back.sqlite")
    there = run_abm("migrate", "--db", demo_store, "--to", postgres)
    assert there.exit_code == 0, there.stderr
    assert "every table checked" in there.stdout and "DIFFERS" not in there.stdout
    assert "abm-test" not in there.stdout + there.stderr, "the password must not be printed"
    again = run_abm("migrate", "--db", postgres, "--to", back)
    assert again.exit_code == 0, again.stderr
    assert counts(back) == counts(postgres) == counts(demo_store)
    assert counts(demo_store)["events"] > BATCH  # several batches were copied
    with Store.open(demo_store) as one, Store.open(back) as other:
        sql = "SELECT * FROM leads ORDER BY lead_id"
        assert one.query(sql) == other.query(sql)


def test_an_interrupted_copy_continues_where_it_stopped(demo_store: str, tmp_path: Path) -> None:
    target = str(tmp_path / "copy.sqlite")
    batches: list[int] = []

    def interrupt(rows: int) -> None:
        batches.append(rows)
        if sum(batches) > BATCH:  # the second committed batch: stop like a killed process
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        copy_store(demo_store, target, advance=interrupt)
    assert 0 < counts(target)["events"] < counts(demo_store)["events"]
    checks = copy_store(demo_store, target)
    assert all(source == copy for source, copy in checks), [c for c in checks if c[0] != c[1]]
    assert counts(target) == counts(demo_store)


def test_a_target_with_other_rows_is_refused_and_left_alone(demo_store: str, tmp_path: Path) -> None:
    target = str(tmp_path / "busy.sqlite")
    result = run_abm("demo", "traffic", "--db", target, "--days", 1, "--seed", 9, "--until", "2026-11-01")
    assert result.exit_code == 0, result.stderr
    before = counts(target)
    with pytest.raises(UserError, match="already holds .* row"):
        copy_store(demo_store, target)
    assert counts(target) == before
    same = run_abm("migrate", "--db", demo_store, "--to", f"sqlite:///{demo_store}")
    assert same.exit_code != 0 and "the same store" in same.stderr
