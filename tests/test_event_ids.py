"""Event ids: a store from before them migrates with content ids, retries and re-imports never double.

Both stores run the same migration: SQLite (rowid) and PostgreSQL (ctid).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from analytics.imports.event_export import export_events, import_events
from analytics.store import Store
from personalize.database import Connection, connect, connect_sqlite, insert_events
from personalize.edge.event_rows import event_row
from personalize.events import EVENT_COLUMNS, ID_FIELD, MIGRATIONS
from tests.postgres import postgres_cluster, postgres_url

__all__ = ["postgres_cluster", "postgres_url"]  # fixtures
OLD_COLUMNS = EVENT_COLUMNS[:-1]
OLD_ROWS: list[dict[str, Any]] = [
    {"ts": "2026-11-23T09:15:02.123Z", "kind": "pageview", "visitor_id": "v1", "path": "/", "extra": '{"b":1,"a":2}'},
    {"ts": "2026-11-23T09:15:02.123Z", "kind": "pageview", "visitor_id": "v1", "path": "/", "extra": '{"b":1,"a":2}'},
    {"ts": "2026-11-23T09:16:00.000Z", "kind": "engagement", "visitor_id": "v2", "path": "/x/", "value": 12},
]


def _old_store(connection: Connection) -> None:
    """A store at schema version 2 (before event ids), holding two identical events and another."""
    connection.execute("CREATE TABLE schema_version (component TEXT PRIMARY KEY, version INTEGER NOT NULL)")
    with connection:
        for statement in (*MIGRATIONS[0], *MIGRATIONS[1]):
            connection.execute(statement)
        connection.execute("INSERT INTO schema_version (component, version) VALUES ('events', 2)")
        for row in OLD_ROWS:
            values = [row.get(name, 0 if name in ("is_bot", "is_preview") else None) for name in OLD_COLUMNS]
            connection.execute(f"INSERT INTO events ({', '.join(OLD_COLUMNS)}) VALUES ({', '.join('?' * len(OLD_COLUMNS))})", values)


def _old_export(path: Path) -> Path:
    """What `abm export events` wrote before ids: no event_id column."""
    lines = [json.dumps({**{name: None for name in OLD_COLUMNS}, "is_bot": False, "is_preview": False, **row,
                         "extra": json.loads(row["extra"]) if "extra" in row else None}) for row in OLD_ROWS]
    path.write_text("\n".join(lines) + "\n")
    return path


def _migrated(db: str, tmp_path: Path) -> None:
    connection = connect(db)  # migrates to the current version
    ids = [row[0] for row in connection.execute(f"SELECT {ID_FIELD} FROM events ORDER BY {ID_FIELD}").fetchall()]
    connection.close()
    assert len(ids) == 3 and len(set(ids)) == 3 and all(len(i) == 32 for i in ids)
    with Store.open(db) as store:
        assert import_events(store, _old_export(tmp_path / "old.jsonl"), "jsonl")[0] == 0  # the content ids match
        out = tmp_path / "new.jsonl"
        with out.open("wb") as stream:
            assert export_events(store, stream, "jsonl") == 3
        assert import_events(store, out, "jsonl")[0] == 0
        assert store.scalar("SELECT count(*) FROM events") == 3
    exported = [json.loads(line)[ID_FIELD] for line in out.read_text().splitlines()]
    assert sorted(exported) == ids


def test_a_sqlite_store_from_before_ids_migrates_and_never_doubles(tmp_path: Path) -> None:
    db = tmp_path / "old.sqlite"
    connection = connect_sqlite(str(db), upgrade=False)
    _old_store(connection)
    connection.close()
    _migrated(str(db), tmp_path)


def test_a_postgres_store_from_before_ids_migrates_and_never_doubles(tmp_path: Path, postgres_url: str) -> None:
    connection = connect(postgres_url, upgrade=False)
    _old_store(connection)
    connection.close()
    _migrated(postgres_url, tmp_path)


def test_a_file_without_ids_imported_twice_counts_once(tmp_path: Path) -> None:
    with Store.open(tmp_path / "e.sqlite", create=True) as store:
        assert import_events(store, _old_export(tmp_path / "old.jsonl"), "jsonl")[0] == 3
        assert import_events(store, tmp_path / "old.jsonl", "jsonl")[0] == 0
        assert store.scalar("SELECT count(*) FROM events") == 3


def test_a_batch_retried_after_an_unknown_commit_is_stored_once(postgres_url: str) -> None:
    rows: list[Any] = [event_row({"ts": "2026-11-23T09:15:02.123Z", "kind": "pageview", "path": f"/{n}/"}) for n in range(40)]
    connection = connect(postgres_url)
    try:
        for attempt in range(2):  # the first commit happened, but its answer was lost: the writer retries
            with connection:
                assert insert_events(connection, rows) == (40 if attempt == 0 else 0)
        assert connection.execute("SELECT count(*) FROM events").fetchone()[0] == 40
    finally:
        connection.close()
