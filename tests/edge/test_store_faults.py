"""Faults the edge survives: a dead edge's spool, the store removed or locked while serving, a missing .mmdb.

Pages keep being served, events wait in the spool and reach the store once it is back, exactly once
each; `/healthz` says what is wrong. A full store, a full spool disk and a dying writer are in
`test_event_writer` and `test_event_log`.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from personalize.database import connect_sqlite
from personalize.edge import spool_lines
from personalize.edge.app import create_app
from personalize.edge.event_log import EventLog
from personalize.edge.event_rows import event_row, utc_now
from personalize.edge.spool import Spool
from personalize.errors import ConfigError
from tests.edge.edge_client import Edge, root, start_edge
from tests.edge.edge_site import edge_settings

__all__ = ["root", "start_edge"]  # fixtures


def _row(number: int) -> tuple[object, ...]:
    return event_row({"ts": utc_now(), "kind": "pageview", "visitor_id": f"v{number}", "path": "/", "extra": "x" * 200})


def _count(db: Path) -> tuple[int, int]:
    with sqlite3.connect(db) as connection:
        return connection.execute("SELECT count(*), count(DISTINCT event_id) FROM events").fetchone()


def test_a_dead_process_spool_is_taken_over_and_a_live_one_is_not(tmp_path: Path) -> None:
    db = tmp_path / "e.sqlite"
    live = Spool(tmp_path / "spool")
    dead = Spool(tmp_path / "spool")
    rows = [_row(number) for number in range(30)]
    for row in rows:
        assert live.append(spool_lines.encode(row)) and dead.append(spool_lines.encode(row))  # the same events twice: stored once
    os.close(dead._lock)  # what the kernel does when that process dies
    log = EventLog.open(str(db), interval=0.05, spool_dir=tmp_path / "spool")
    log.start()
    assert log.flush(10)
    assert _count(db) == (30, 30) and log.status("replayed") == 30
    assert not dead.directory.exists() and live.current.exists()
    log.close()
    live.close()


def test_removing_the_database_file_while_serving_recreates_it(start_edge: Any) -> None:
    edge: Edge = start_edge()
    assert edge.get("/").status_code == 200 and len(edge.events()) == 1
    for suffix in ("", "-wal", "-shm"):
        Path(edge.settings.sqlite_path + suffix).unlink(missing_ok=True)
    for _ in range(5):
        assert edge.get("/").status_code == 200
    assert [row["kind"] for row in edge.events()] == ["pageview"] * 5  # in the new file, none lost to the old inode
    assert "removed" in edge.health()["events"]["last_error"]


def test_healthz_names_the_spool_and_the_last_error(start_edge: Any) -> None:
    edge: Edge = start_edge()
    blocker = connect_sqlite(edge.settings.sqlite_path)
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        assert edge.get("/").status_code == 200
        assert not edge.app.edge.events.flush(2.5)
        events = edge.health()["events"]
        assert events["spool_dir"].startswith(str(edge.settings.spool_root))
        assert events["spool_bytes"] > 0 and events["write_failures"] >= 1 and "locked" in events["last_error"]
    finally:
        blocker.rollback()
        blocker.close()
    assert len(edge.events()) == 1  # written once the lock is gone


def test_a_missing_or_corrupt_mmdb_at_start_up_is_a_clear_error(root: Path) -> None:
    corrupt = root / "corrupt.mmdb"
    corrupt.write_bytes(b"not a maxmind database" * 100)
    for path, says in ((root / "missing.mmdb", "does not exist"), (corrupt, "cannot be opened")):
        with pytest.raises(ConfigError) as error:
            create_app(edge_settings(root, geoip=[path]))
        message = str(error.value)
        assert message.startswith("cannot start the edge") and f"{path}" in message and says in message
