"""The edge's event log with its real writer process: flush, a locked store, a full spool disk, a dying writer, shutdown."""

from __future__ import annotations

import errno
import os
import sqlite3
from pathlib import Path
from typing import NoReturn

import pytest

from personalize.database import connect_sqlite
from personalize.edge import spool as spool_module
from personalize.edge.event_log import EventLog
from personalize.edge.event_rows import event_row, utc_now


def _row(number: int) -> tuple[object, ...]:
    return event_row({"ts": utc_now(), "kind": "pageview", "visitor_id": f"v{number}", "path": "/"})


def _count(path: Path) -> int:
    with sqlite3.connect(path) as connection:
        return int(connection.execute("SELECT count(*) FROM events").fetchone()[0])


def test_events_reach_the_store_through_the_writer_process(tmp_path: Path) -> None:
    db = tmp_path / "e.sqlite"
    log = EventLog.open(str(db), batch=100, interval=0.05)
    log.start()
    writer = log.writer_pid
    assert writer is not None and writer != os.getpid()
    for number in range(3000):
        assert log.put(_row(number))
    assert log.flush(10) and log.depth == 0
    assert _count(db) == 3000 and log.written == 3000 and log.dropped == 0
    log.close()
    assert not log.spool.directory.exists()  # committed, then removed by the writer
    with pytest.raises(ProcessLookupError):
        os.kill(writer, 0)  # the writer is gone with its edge


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
    assert log.last_error is not None and "locked" in log.last_error
    blocker.rollback()
    blocker.close()
    assert log.flush(10)
    log.close()
    assert _count(db) == 200 and log.dropped == 0


def test_a_spool_without_room_holds_events_in_memory_then_spools_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "e.sqlite"
    log = EventLog.open(str(db), capacity=10, interval=0.05)
    log.start()

    def disk_full(fd: int, offset: int, length: int) -> NoReturn:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(spool_module.os, "posix_fallocate", disk_full)
    log.spool.rotate()  # the next segment cannot be made: nothing is mapped now
    accepted = [log.put(_row(number)) for number in range(15)]  # never blocks, never raises
    assert accepted.count(True) == 10 and log.dropped == 5 and log.held == 10 and log.depth == 10
    assert log.spool.failures == 15 and "could not be created" in str(log.spool.last_error)
    monkeypatch.undo()  # room again
    log.spool._retry_at = 0.0  # (instead of waiting RETRY_SECONDS)
    assert log.put(_row(15))
    assert log.held == 0 and log.flush(10)
    log.close()
    assert _count(db) == 11 and log.dropped == 5


def test_a_writer_that_dies_is_replaced_and_loses_nothing(tmp_path: Path) -> None:
    db = tmp_path / "e.sqlite"
    log = EventLog.open(str(db), interval=0.05)
    log.start()
    for number in range(100):
        log.put(_row(number))
    assert log.flush(10)
    first = log.writer_pid
    assert first is not None
    os.kill(first, 9)
    for number in range(100, 150):
        log.put(_row(number))
    assert log.flush(10)
    assert log.writer_pid != first and log.writer_restarts == 1
    log.close()
    assert _count(db) == 150


def test_shutdown_writes_what_is_queued(tmp_path: Path) -> None:
    db = tmp_path / "e.sqlite"
    log = EventLog.open(str(db), interval=60)  # no pass before shutdown: only the close can write these in time
    log.start()
    for number in range(7):
        log.put(_row(number))
    log.close()
    assert _count(db) == 7


def test_unusable_store_fails_at_start(tmp_path: Path) -> None:
    with pytest.raises(sqlite3.Error):
        EventLog.open(str(tmp_path / "missing-dir" / "e.sqlite"))
