"""Content ids: the deterministic `event_id` of an event that has none.

Events stored before ids existed get one when their store is migrated, and rows of an imported file
without ids get one as they are read. Both derive it the same way from the row's content, so an
export taken before the upgrade, or the same file imported twice, never doubles a count.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any

from personalize.events import BOOLEAN_FIELDS, EVENT_COLUMNS, ID_FIELD, NUMERIC_FIELDS

_ID_INDEX = EVENT_COLUMNS.index(ID_FIELD)
#: The columns an event's content id is derived from: all but the id.
CONTENT_COLUMNS = tuple(name for name in EVENT_COLUMNS if name != ID_FIELD)


def _canonical(name: str, value: Any) -> Any:
    """A stored value spelled one way whatever wrote it (SQLite, PostgreSQL, an import, the edge)."""
    if value is None:
        return None
    if name in BOOLEAN_FIELDS:
        return int(bool(value))
    if name in NUMERIC_FIELDS:
        return float(value)
    if name == "extra":
        try:
            return json.loads(value)  # key order and spacing differ between the edge and an import
        except (TypeError, ValueError):
            return value
    return str(value)


def content_event_id(row: Sequence[Any], occurrence: int = 0) -> str:
    """A deterministic id for an event that has none (stored before ids, or imported from a file without):
    its time in milliseconds (so ids stay time-ordered) and a hash of every other value, with the
    ``occurrence``-th copy of identical content numbered apart, so identical rows stay distinct."""
    content = [_canonical(name, value) for name, value in zip(CONTENT_COLUMNS, row, strict=False)]
    digest = hashlib.sha256(json.dumps([occurrence, content], ensure_ascii=False, sort_keys=True).encode()).hexdigest()
    try:
        millis = int(datetime.fromisoformat(str(row[0])).timestamp() * 1000)
    except ValueError:
        millis = 0
    return f"{millis & 0xFFFFFFFFFFFF:012x}{digest[:20]}"


class ContentIds:
    """Content ids for rows without one; copies of one content are numbered in the order they come."""

    def __init__(self) -> None:
        self._seen: Counter[str] = Counter()

    def __call__(self, content: Sequence[Any]) -> str:
        first = content_event_id(content)
        occurrence = self._seen[first]
        self._seen[first] += 1
        return first if occurrence == 0 else content_event_id(content, occurrence)


def with_event_ids(rows: Iterable[Sequence[Any]]) -> Iterator[tuple[Any, ...]]:
    """Rows in EVENT_COLUMNS order, each without an id given its content id, so the same file imported
    twice, or an export taken before ids into a migrated store, never doubles a count."""
    ids = ContentIds()
    for row in rows:
        if row[_ID_INDEX] is None or row[_ID_INDEX] == "":
            row = (*row[:_ID_INDEX], ids(row), *row[_ID_INDEX + 1 :])
        yield tuple(row)
