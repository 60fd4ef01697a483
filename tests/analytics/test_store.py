"""The analytics Store on a real SQLite file, and DuckDB over the same file: same SQL, same rows."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from analytics import duck
from analytics import store as store_module
from analytics.store import ANALYTICS_SCHEMA_VERSION, Store
from personalize.errors import UserError
from personalize.events import SCHEMA_VERSION

EVENTS: list[dict[str, Any]] = [
    {"ts": "2026-03-02T09:00:00.000Z", "kind": "pageview", "visitor_id": "v1", "account_id": "ACC-1", "path": "/a/"},
    {"ts": "2026-03-02T09:01:00.000Z", "kind": "pageview", "visitor_id": "v2", "account_id": "ACC-1", "path": "/b/"},
    {"ts": "2026-03-03T10:00:00.000Z", "kind": "download", "visitor_id": "v1", "account_id": "ACC-1", "value": 2},
    {"ts": "2026-03-04T11:00:00.000Z", "kind": "pageview", "visitor_id": "v3", "account_id": "ACC-2", "is_bot": "true"},
    {"ts": "2026-03-05T12:00:00.000Z", "kind": "cta_click", "visitor_id": "v4", "extra": {"gclid": "x", "a": "中"}},
]

#: Portable report-like SQL: string time comparisons, 0/1 booleans, `* 1.0` division.
REPORT_SQL = """
SELECT account_id, COUNT(*) AS events, COUNT(DISTINCT visitor_id) AS people,
       SUM(is_bot) AS bots, SUM(COALESCE(value, 0)) AS value,
       COUNT(*) * 1.0 / COUNT(DISTINCT visitor_id) AS per_person, MAX(substr(ts, 1, 10)) AS last_day
FROM events WHERE ts >= ? AND ts < ? AND account_id IS NOT NULL
GROUP BY account_id ORDER BY account_id
"""


@pytest.fixture
def db(tmp_path: Path) -> str:
    path = tmp_path / "events.sqlite"
    with Store.open(path, create=True) as store:
        assert store.insert_events(EVENTS) == len(EVENTS)
    return str(path)


def test_missing_store_says_what_to_run(tmp_path: Path) -> None:
    with pytest.raises(UserError, match=r"no event store at .*abm demo traffic"):
        Store.open(tmp_path / "nope.sqlite")
    assert not (tmp_path / "nope.sqlite").exists()


def test_create_makes_every_table_and_records_the_analytics_version(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "new.sqlite"
    with Store.open(f"sqlite:///{path}", create=True) as store:
        assert store.dialect == "sqlite"
        assert {"events", "leads", "webinar_registrants", "webinar_spans", "crm_stages", "alerts_sent"} <= store.tables()
    with Store.open(path) as store:  # reopening migrates nothing twice
        versions = store.query("SELECT component, version FROM schema_version ORDER BY component")
    assert versions == [{"component": "analytics", "version": ANALYTICS_SCHEMA_VERSION}, {"component": "events", "version": SCHEMA_VERSION}]


def test_a_newer_analytics_schema_is_refused(db: str) -> None:
    connection = sqlite3.connect(db)
    with connection:
        connection.execute("UPDATE schema_version SET version = 99 WHERE component = 'analytics'")
    connection.close()
    with pytest.raises(UserError, match="newer than this abm-site"):
        Store.open(db)


def test_not_a_database_is_a_user_error(tmp_path: Path) -> None:
    path = tmp_path / "junk.sqlite"
    path.write_bytes(b"this is not sqlite at all" * 100)
    with pytest.raises(UserError, match="not a usable SQLite event store"):
        Store.open(path)


def test_events_are_normalized(db: str) -> None:
    with Store.open(db) as store:
        rows = store.query("SELECT kind, is_bot, is_preview, value, extra FROM events ORDER BY ts")
    assert [r["is_bot"] for r in rows] == [0, 0, 0, 1, 0]
    assert [r["is_preview"] for r in rows] == [0] * 5
    assert rows[2]["value"] == 2.0
    assert rows[4]["extra"] == '{"a":"中","gclid":"x"}'


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ({"ts": "2026-03-02T09:00:00.000Z", "kind": "visit"}, "kind: 'visit'"),
        ({"ts": "2026-03-02 09:00:00", "kind": "pageview"}, "ts: "),
        ({"kind": "pageview"}, "ts: None"),
        ({"ts": "2026-03-02T09:00:00.000Z", "kind": "pageview", "is_bot": "maybe"}, "is_bot: 'maybe'"),
        ({"ts": "2026-03-02T09:00:00.000Z", "kind": "pageview", "value": "lots"}, "value: 'lots'"),
        ({"ts": "2026-03-02T09:00:00.000Z", "kind": "pageview", "extra": "[1]"}, "extra: must be a JSON object"),
        ({"ts": "2026-03-02T09:00:00.000Z", "kind": "pageview", "acount_id": "x"}, "unknown field.*acount_id"),
    ],
)
def test_bad_events_are_refused_and_nothing_of_the_batch_is_written(db: str, bad: dict, message: str) -> None:
    with Store.open(db) as store:
        with pytest.raises(UserError, match=message):
            store.insert_events([EVENTS[0], bad])
        assert store.scalar("SELECT COUNT(*) FROM events") == len(EVENTS)


def test_sqlite_and_duckdb_give_the_same_rows(db: str) -> None:
    params = ["2026-03-01", "2026-04-01"]
    with Store.open(db) as sqlite_store, Store.open(db, engine="duckdb") as duck_store:
        assert duck_store.dialect == "duckdb"
        expected = sqlite_store.query(REPORT_SQL, params)
        assert duck_store.query(REPORT_SQL, params) == expected
        assert duck_store.tables() >= {"events", "leads", "webinar_spans", "crm_stages"}
    assert expected == [
        {"account_id": "ACC-1", "events": 3, "people": 2, "bots": 0, "value": 2.0, "per_person": 1.5, "last_day": "2026-03-03"},
        {"account_id": "ACC-2", "events": 1, "people": 1, "bots": 1, "value": 0.0, "per_person": 1.0, "last_day": "2026-03-04"},
    ]


def test_duckdb_uses_the_installed_extension_and_sees_later_writes(db: str) -> None:
    assert duck.sqlite_extension_path() is not None, "duckdb-extension-sqlite-scanner must match duckdb"
    with Store.open(db, engine="duckdb") as store:
        store.insert_events([{**EVENTS[0], "ts": "2026-03-09T00:00:00.000Z"}])
        assert store.scalar("SELECT COUNT(*) FROM events") == len(EVENTS) + 1


def test_duckdb_without_the_extension_reads_through_arrow(db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(duck, "sqlite_extension_path", lambda: None)
    params = ["2026-03-01", "2026-04-01"]
    with Store.open(db) as sqlite_store, Store.open(db, engine="duckdb") as duck_store:
        assert duck_store.query(REPORT_SQL, params) == sqlite_store.query(REPORT_SQL, params)
        assert duck_store.scalar("SELECT COUNT(*) FROM crm_stages") == 0


def test_unknown_engine(db: str) -> None:
    with pytest.raises(UserError, match="unknown engine 'postgres'"):
        Store.open(db, engine="postgres")


def test_replace_rows_is_idempotent_per_key(db: str) -> None:
    spans = [
        {"webinar": "w1", "name": "A", "join_ts": "2026-03-02T06:00:00.000Z", "leave_ts": "2026-03-02T07:00:00.000Z"},
        {"webinar": "w1", "name": "B", "join_ts": "2026-03-02T06:10:00.000Z", "leave_ts": "2026-03-02T06:20:00.000Z"},
    ]
    other = [{"webinar": "w2", "name": "C", "join_ts": "2026-03-02T06:00:00.000Z", "leave_ts": "2026-03-02T06:01:00.000Z"}]
    with Store.open(db) as store:
        store.insert_rows("webinar_spans", other)
        for _ in range(2):
            assert store.replace_rows("webinar_spans", spans, key={"webinar": "w1"}) == 2
        rows = store.query("SELECT webinar, name FROM webinar_spans ORDER BY webinar, name")
    assert rows == [{"webinar": "w1", "name": "A"}, {"webinar": "w1", "name": "B"}, {"webinar": "w2", "name": "C"}]


def test_insert_rows_refuses_unknown_tables_and_columns(db: str) -> None:
    with Store.open(db) as store:
        with pytest.raises(UserError, match="no table 'visits'"):
            store.insert_rows("visits", [{"a": 1}])
        with pytest.raises(UserError, match="crm_stages has no column.*colour"):
            store.insert_rows("crm_stages", [{"account_id": "ACC-1", "colour": "red"}])
        assert store.scalar("SELECT COUNT(*) FROM crm_stages") == 0


def test_execute_supports_send_once_bookkeeping(db: str) -> None:
    sql = "INSERT INTO alerts_sent (alert_key, kind, sent_at) VALUES (?, ?, ?) ON CONFLICT (alert_key) DO NOTHING"
    with Store.open(db) as store:
        assert store.execute(sql, ("surge:ACC-1:2026-10", "surge", "2026-03-02T00:00:00.000Z")) == 1
        assert store.execute(sql, ("surge:ACC-1:2026-10", "surge", "2026-03-02T00:00:00.000Z")) == 0


def test_a_version_1_store_gains_the_registration_columns_and_keeps_its_rows(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    connection = sqlite3.connect(path)
    store_module.apply_migrations(connection, "analytics", store_module.ANALYTICS_MIGRATIONS[:1])  # as version 1 left it
    with connection:
        connection.execute("INSERT INTO webinar_registrants (webinar, name, source) VALUES ('w', 'Old Li', 'zoom')")
    connection.close()
    with Store.open(path) as store:
        assert store.scalar("SELECT version FROM schema_version WHERE component = 'analytics'") == ANALYTICS_SCHEMA_VERSION == 3
        store.insert_rows("webinar_registrants", [{"webinar": "w", "name": "New Wang", "title": "CIO", "answers": "{}"}])
        rows = store.query("SELECT name, title, phone, answers FROM webinar_registrants ORDER BY name")
    assert rows == [{"name": "New Wang", "title": "CIO", "phone": None, "answers": "{}"},
                    {"name": "Old Li", "title": None, "phone": None, "answers": None}]
