"""`retention_days`: old raw events become daily totals that the accounts report still counts."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from analytics.store import Store
from personalize.database import connect
from personalize.retention import apply_retention
from tests.analytics.abm_cli import run_abm
from tests.analytics.report_helpers import event

NOW = datetime.now(UTC).replace(microsecond=0)


def ts(days_ago: float, minutes: int = 0) -> str:
    return (NOW - timedelta(days=days_ago) + timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def traffic() -> list[dict]:
    """ACC-1: two visits 200 days ago (3 pageviews, a lead), one 2 days ago; plus a bot and an anonymous visit."""
    return [
        event(ts(200), session_id="a", account_id="ACC-1", utm_source="baidu", utm_medium="cpc"),
        event(ts(200, 1), session_id="a", account_id="ACC-1", path="/resources/b/"),
        event(ts(200, 2), "lead", session_id="a", account_id="ACC-1"),
        event(ts(200, 5), session_id="b", account_id="ACC-1"),
        event(ts(200, 6), session_id="bot", account_id="ACC-1", is_bot=True),
        event(ts(150), session_id="c"),
        event(ts(2), session_id="d", account_id="ACC-1"),
    ]


def accounts_report(db: str) -> dict:
    result = run_abm("report", "accounts", "--db", db, "--format", "json", "--since", ts(365)[:10],
                     "--until", (NOW + timedelta(days=1)).strftime("%Y-%m-%d"))  # fmt: skip
    assert result.exit_code == 0, result.output
    return {row["account_id"]: row for row in json.loads(result.stdout)}


def test_rolled_up_days_still_count_in_the_accounts_report(tmp_path: Path) -> None:
    db = str(tmp_path / "abm.sqlite")
    with Store.open(db, create=True) as store:
        store.insert_events(traffic())
    before = accounts_report(db)["ACC-1"]
    result = run_abm("retention", "apply", "--db", db, "--days", 30)
    assert result.exit_code == 0 and "6 raw event(s) deleted" in result.stdout, result.output
    with Store.open(db) as store:
        assert store.scalar("SELECT COUNT(*) FROM events") == 1
        totals = store.query("SELECT day, account_id, path, utm_source, pageviews, visits, leads FROM daily_totals "
                             "ORDER BY day, account_id, path, utm_source")  # fmt: skip
    assert sum(t["visits"] for t in totals) == 3 and sum(t["pageviews"] for t in totals) == 4
    assert sum(t["leads"] for t in totals) == 1
    after = accounts_report(db)["ACC-1"]
    assert (after["visits"], after["pageviews"]) == (before["visits"], before["pageviews"]) == (3, 4)


def test_retention_twice_rolls_nothing_twice(tmp_path: Path) -> None:
    db = str(tmp_path / "abm.sqlite")
    with Store.open(db, create=True) as store:
        store.insert_events(traffic())
    connection = connect(db)
    try:
        first, second = apply_retention(connection, 30), apply_retention(connection, 30)
        assert (first.deleted, second.deleted, second.totals) == (6, 0, 0)
        assert connection.execute("SELECT SUM(visits) FROM daily_totals").fetchone()[0] == 3
    finally:
        connection.close()
