"""Opening the store: the first open creates the tables, the frequent short ones (per lead) only connect."""

from __future__ import annotations

from pathlib import Path

from personalize.database import connect, write_lead
from personalize.events import LEAD_FIELDS


def _tables(db: Path) -> set[str]:
    connection = connect(str(db), upgrade=False)
    try:
        return {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    finally:
        connection.close()


def test_only_the_upgrading_open_creates_tables(tmp_path: Path) -> None:
    db = tmp_path / "abm.sqlite"
    assert _tables(db) == set()
    connect(str(db)).close()
    assert {"events", "leads", "schema_version"} <= _tables(db)


def test_a_lead_lands_in_a_store_the_edge_opened(tmp_path: Path) -> None:
    db = str(tmp_path / "abm.sqlite")
    connect(db).close()  # what the edge's event log does at start-up
    row = dict.fromkeys(LEAD_FIELDS, None) | {"lead_id": "L-1", "email": "li@hengrui.example", "visitor_id": "v-1"}
    write_lead(db, row)
    connection = connect(db, upgrade=False)
    try:
        assert connection.execute("SELECT lead_id, email, visitor_id FROM leads").fetchall() == [
            ("L-1", "li@hengrui.example", "v-1")
        ]
    finally:
        connection.close()
