"""Event rows as the edge builds them: contract order, ids, timestamps."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from personalize.edge.event_rows import event_row, utc_now
from personalize.events import EVENT_COLUMNS as COLUMNS
from personalize.events import EVENT_FIELDS


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
