"""The edge applies `retention_days` when it starts (and daily): old raw events are rolled up, pages keep coming."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from analytics.store import Store
from tests.edge.edge_client import root, rows, start_edge
from tests.kernel.test_retention import traffic

__all__ = ["root", "start_edge"]  # fixtures


def test_the_edge_rolls_old_events_up_when_it_starts(start_edge: Any, root: Path) -> None:
    db = str(root / "events.sqlite")
    with Store.open(db, create=True) as store:
        store.insert_events(traffic())
    edge = start_edge(retention_days=30)
    assert edge.get("/").status_code == 200
    deadline = time.monotonic() + 10
    while rows(db, "SELECT COUNT(*) AS n FROM daily_totals")[0]["n"] == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert rows(db, "SELECT SUM(visits) AS visits FROM daily_totals") == [{"visits": 3}]
    sessions = {event["session_id"] for event in edge.events()}
    assert "d" in sessions and not sessions & {"a", "b", "bot", "c"}  # the old ones live on as totals only
