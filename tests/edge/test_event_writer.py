"""The writer, in this process: it tails a real spool into a real SQLite store in batches."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from personalize.database import ROWS_PER_STATEMENT, connect, connect_sqlite
from personalize.edge import spool_lines
from personalize.edge.event_rows import event_row, utc_now
from personalize.edge.event_writer import EventWriter
from personalize.edge.spool import Spool
from personalize.events import EVENT_COLUMNS as COLUMNS


def _row(number: int) -> tuple[object, ...]:
    return event_row({"ts": utc_now(), "kind": "pageview", "visitor_id": f"v{number}", "path": "/", "extra": "x" * 200})


def _count(path: Path) -> int:
    with sqlite3.connect(path) as connection:
        return int(connection.execute("SELECT count(*) FROM events").fetchone()[0])


@pytest.fixture
def spool(tmp_path: Path) -> Spool:
    return Spool(tmp_path / "spool")


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """A migrated, empty store."""
    path = tmp_path / "e.sqlite"
    connect(str(path)).close()
    return path


def _writer(db: Path, spool: Spool, connect: Callable[[], sqlite3.Connection] | None = None, batch: int = 1000) -> EventWriter:
    writer = EventWriter.open(str(db), spool.root, spool.directory, batch=batch)
    if connect is not None:
        writer._connect = connect
    return writer


def _traced(db: Path, statements: list[str]) -> Callable[[], sqlite3.Connection]:
    """Connections to `db` whose SQL statements are appended to ``statements``."""

    def traced() -> sqlite3.Connection:
        connection = connect_sqlite(str(db))
        connection.set_trace_callback(statements.append)
        return connection

    return traced


def test_events_are_written_in_batches(db: Path, spool: Spool) -> None:
    statements: list[str] = []
    for number in range(1000):
        assert spool.append(spool_lines.encode(_row(number)))
    writer = _writer(db, spool, _traced(db, statements), batch=100)
    assert writer.run_pass()
    assert _count(db) == 1000 and writer.written == 1000 and writer.dropped == 0
    commits = [s for s in statements if s.strip().upper() == "COMMIT"]
    assert len(commits) == 10  # one transaction per batch, not per event
    assert writer.status()["segment"] == spool.sequence and writer.status()["lines"] == 1000


def test_rows_go_in_multi_row_statements_every_value_in_its_column(tmp_path: Path, spool: Spool) -> None:
    """Up to ROWS_PER_STATEMENT rows per INSERT, a short last one; every value read back from the spool as written."""
    db = tmp_path / "e.sqlite"
    statements: list[str] = []
    rows = [event_row({"ts": f"2026-11-23T09:15:{n % 60:02d}.000Z", "kind": "pageview", "visitor_id": f"v{n}",
                       "path": f"/p{n}/\t新", "is_bot": n % 2, "value": n / 4}) for n in range(250)]  # fmt: skip
    for row in rows:
        assert spool.append(spool_lines.encode(row))
    writer = _writer(db, spool, _traced(db, statements), batch=100)
    assert writer.run_pass()
    with sqlite3.connect(db) as connection:
        stored = connection.execute(f"SELECT {', '.join(COLUMNS)} FROM events ORDER BY rowid").fetchall()
    assert stored == rows
    inserts = [s for s in statements if s.lstrip().upper().startswith("INSERT")]
    assert len(inserts) == 10  # batches of 100, 100, 50: 32 + 32 + 32 + 4 twice, then 32 + 18
    assert max(s.count("), (") + 1 for s in inserts) == ROWS_PER_STATEMENT


def test_a_segment_is_tailed_while_written_and_deleted_once_a_later_one_exists(db: Path, spool: Spool) -> None:
    writer = _writer(db, spool)
    for number in range(5):
        spool.append(spool_lines.encode(_row(number)))
    assert writer.run_pass() and _count(db) == 5
    first = spool.current
    assert first.exists() and writer.status()["segment"] == 1 and writer.status()["lines"] == 5
    for number in range(5, 8):
        spool.append(spool_lines.encode(_row(number)))
    spool.rotate()
    for number in range(8, 10):
        spool.append(spool_lines.encode(_row(number)))
    assert writer.run_pass() and _count(db) == 10 and writer.duplicates == 0  # each line read once
    assert not first.exists() and spool.current.exists()
    assert (writer.status()["segment"], writer.status()["lines"]) == (2, 2)


def test_a_line_being_copied_is_read_only_once_whole(tmp_path: Path, spool: Spool) -> None:
    """The reader stops at the first NUL: a line whose bytes are not all in the segment yet waits."""
    db = tmp_path / "e.sqlite"
    writer = _writer(db, spool)
    spool.append(spool_lines.encode(_row(1)))
    line = spool_lines.encode(_row(2))
    start = spool.size
    mapped = spool._map
    assert mapped is not None
    mapped[start + 10 : start + len(line)] = line[10:]  # the copy's tail landed first, its head not yet
    assert writer.run_pass() and _count(db) == 1
    mapped[start : start + 10] = line[:10]
    spool.size, spool.events = start + len(line), spool.events + 1
    assert writer.run_pass() and _count(db) == 2 and writer.status()["lines"] == 2


def test_a_full_database_keeps_events_until_there_is_room(db: Path, spool: Spool) -> None:
    limited_connections: list[sqlite3.Connection] = []

    def limited() -> sqlite3.Connection:  # PRAGMA max_page_count holds per connection
        connection = connect_sqlite(str(db))
        pages = connection.execute("PRAGMA page_count").fetchone()[0]
        connection.execute(f"PRAGMA max_page_count = {pages + 5}")
        limited_connections.append(connection)
        return connection

    for number in range(2000):
        assert spool.append(spool_lines.encode(_row(number)))
    writer = _writer(db, spool, limited, batch=100)
    assert not writer.run_pass()
    assert writer.write_failures == 1 and writer.last_error is not None and "full" in writer.last_error
    assert writer.failing_since is not None and writer.status()["lines"] < 2000
    limited_connections[-1].execute("PRAGMA max_page_count = 1073741823")  # room again
    assert writer.run_pass() and writer.failing_since is None
    with sqlite3.connect(db) as connection:
        assert connection.execute("SELECT count(*), count(DISTINCT event_id) FROM events").fetchone() == (2000, 2000)
    assert writer.dropped == 0 and writer.status()["lines"] == 2000


def test_a_refused_row_is_dropped_and_the_rest_written(db: Path, spool: Spool) -> None:
    spool.append(spool_lines.encode(_row(1)))
    spool.append(spool_lines.encode(event_row({"kind": "pageview"})))  # no ts: the store's NOT NULL refuses it
    spool.append(spool_lines.encode(_row(2)))
    writer = _writer(db, spool)
    assert writer.run_pass()
    assert _count(db) == 2 and writer.dropped == 1 and writer.written == 2 and writer.status()["lines"] == 3


def test_finish_commits_the_rest_and_removes_the_directory_but_never_a_live_edges(db: Path, spool: Spool) -> None:
    writer = _writer(db, spool)
    spool.append(spool_lines.encode(_row(1)))
    assert not writer.finish(linger=0.2)  # the edge still holds its lock: nothing is touched
    assert spool.current.exists() and _count(db) == 0
    spool.append(spool_lines.encode(_row(2)))
    spool.close()
    assert writer.finish(linger=0)
    assert _count(db) == 2 and not spool.directory.exists()
