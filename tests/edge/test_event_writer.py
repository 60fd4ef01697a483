"""The bounded buffer and batching writer: batches, a locked store, overflow, shutdown."""

from __future__ import annotations

import sqlite3
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from personalize.database import ROWS_PER_STATEMENT, connect_sqlite
from personalize.edge.event_rows import event_row, utc_now
from personalize.edge.event_writer import EventLog
from personalize.events import EVENT_COLUMNS as COLUMNS
from personalize.events import EVENT_FIELDS


def _row(number: int) -> tuple[object, ...]:
    return event_row({"ts": utc_now(), "kind": "pageview", "visitor_id": f"v{number}", "path": "/"})


def _traced(log: EventLog, statements: list[str]) -> EventLog:
    """The log, its writer's SQL statements appended to ``statements``."""
    connect = log._connect

    def traced() -> sqlite3.Connection:
        connection = connect()
        assert isinstance(connection, sqlite3.Connection), "statements are traced on a SQLite store"
        connection.set_trace_callback(statements.append)
        return connection

    log._connect = traced
    return log


def _count(path: Path) -> int:
    with sqlite3.connect(path) as connection:
        return int(connection.execute("SELECT count(*) FROM events").fetchone()[0])


def test_rows_follow_the_contract_order() -> None:
    row = event_row({"kind": "lead", "ip_hash": "h", "value": 3.0})
    assert len(row) == len(COLUMNS) and COLUMNS[: len(EVENT_FIELDS)] == EVENT_FIELDS
    assert row[COLUMNS.index("kind")] == "lead" and row[COLUMNS.index("value")] == 3.0
    assert row[COLUMNS.index("ts")] is None
    assert utc_now().endswith("Z") and len(utc_now()) == len("2026-11-23T09:15:02.123Z")



def test_timestamps_are_the_current_utc_millisecond_across_seconds() -> None:
    """utc_now reuses the text of the current second and millisecond; it must never serve a stale one."""
    seen = set()
    deadline = time.monotonic() + 1.2  # crosses at least one whole second
    while time.monotonic() < deadline:
        before = datetime.now(UTC)
        before = before.replace(microsecond=before.microsecond // 1000 * 1000)  # the stamp has milliseconds
        stamp = utc_now()
        after = datetime.now(UTC)
        parsed = datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
        assert before <= parsed <= after, stamp
        seen.add(stamp[:19])
        time.sleep(0.0003)
    assert len(seen) >= 2

def test_events_are_written_in_batches(tmp_path: Path) -> None:
    db = tmp_path / "e.sqlite"
    statements: list[str] = []
    log = _traced(EventLog.open(str(db), batch=100, interval=0.05), statements)
    log.start()
    for number in range(1000):
        assert log.put(_row(number))
    assert log.flush(10)
    log.close()
    assert _count(db) == 1000 and log.written == 1000 and log.dropped == 0
    commits = [s for s in statements if s.strip().upper() == "COMMIT"]
    assert 10 <= len(commits) < 1000  # one transaction per batch, not per event



def test_rows_go_in_multi_row_statements_every_value_in_its_column(tmp_path: Path) -> None:
    """Up to ROWS_PER_STATEMENT rows per INSERT (the writer takes the GIL once per statement), a short last one."""
    db = tmp_path / "e.sqlite"
    statements: list[str] = []
    log = _traced(EventLog.open(str(db), batch=100, interval=0.05), statements)
    rows = [event_row({"ts": f"2026-11-23T09:15:{n % 60:02d}.000Z", "kind": "pageview", "visitor_id": f"v{n}",
                       "path": f"/p{n}/", "is_bot": n % 2, "value": n / 4}) for n in range(250)]
    for row in rows:
        assert log.put(row)
    log.start()
    assert log.flush(10)
    log.close()
    with sqlite3.connect(db) as connection:
        stored = connection.execute(f"SELECT {', '.join(COLUMNS)} FROM events ORDER BY rowid").fetchall()
    assert stored == rows
    inserts = [s for s in statements if s.lstrip().upper().startswith("INSERT")]
    assert len(inserts) == 10  # batches of 100, 100, 50: 32 + 32 + 32 + 4 twice, then 32 + 18
    assert max(s.count("), (") + 1 for s in inserts) == ROWS_PER_STATEMENT

def test_a_locked_store_delays_but_loses_nothing(tmp_path: Path) -> None:
    db = tmp_path / "e.sqlite"
    log = EventLog.open(str(db), batch=50, interval=0.05)
    log.start()
    blocker = connect_sqlite(str(db))
    blocker.execute("BEGIN EXCLUSIVE")
    for number in range(200):
        assert log.put(_row(number))  # never blocks the caller
    assert not log.flush(2.5)
    assert log.write_failures >= 1 and log.depth == 200 and log.written == 0
    blocker.rollback()
    blocker.close()
    assert log.flush(10)
    log.close()
    assert _count(db) == 200 and log.dropped == 0


def test_overflow_is_counted_not_blocking(tmp_path: Path) -> None:
    log = EventLog.open(str(tmp_path / "e.sqlite"), capacity=10)
    accepted = [log.put(_row(number)) for number in range(15)]  # writer not started: nothing drains
    assert accepted.count(True) == 10 and log.dropped == 5 and log.depth == 10


def test_shutdown_writes_what_is_queued(tmp_path: Path) -> None:
    db = tmp_path / "e.sqlite"
    log = EventLog.open(str(db), interval=60)  # only shutdown can write these in time
    log.start()
    for number in range(7):
        log.put(_row(number))
    log.close()
    assert _count(db) == 7


def test_unusable_store_fails_at_start(tmp_path: Path) -> None:
    with pytest.raises(sqlite3.Error):
        EventLog.open(str(tmp_path / "missing-dir" / "e.sqlite"))


def test_a_refused_row_is_dropped_and_the_rest_written(tmp_path: Path) -> None:
    db = tmp_path / "e.sqlite"
    log = EventLog.open(str(db), interval=0.05)
    log.start()
    log.put(_row(1))
    log.put(event_row({"kind": "pageview"}))  # no ts: the store's NOT NULL refuses it
    log.put(_row(2))
    assert log.flush(5)
    log.close()
    assert _count(db) == 2 and log.dropped == 1 and log.written == 2
