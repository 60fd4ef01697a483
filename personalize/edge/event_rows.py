"""An event as the edge writes it: its row in table order, its id and its UTC timestamp.

Built on the request path, so each piece is cheap: the timestamp text is reused within a
millisecond and an id's time and process parts within a millisecond too.
"""

from __future__ import annotations

import hashlib
import itertools
import os
import secrets
import time
from collections.abc import Mapping
from typing import Any

from personalize.events import BOOLEAN_FIELDS, EVENT_COLUMNS, ID_FIELD

_second: list[Any] = [None, ""]  # the last whole second formatted, reused within that second
_stamp: list[Any] = [None, ""]  # the last millisecond's text: under load several pages share one


def utc_now() -> str:
    """UTC ISO 8601 with milliseconds and a trailing Z (the events contract)."""
    millis = int(time.time() * 1000)
    if _stamp[0] != millis:
        second, milli = divmod(millis, 1000)
        if _second[0] != second:
            _second[:] = [second, time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second))]
        _stamp[:] = [millis, f"{_second[1]}.{milli:03d}Z"]
    return _stamp[1]


_ids: list[Any] = []  # [this process's random instance text, a counter, the last millisecond, its id prefix]


def _reseed() -> None:
    """A fresh instance part and counter: a forked worker must never repeat its parent's ids."""
    _ids[:] = [secrets.token_hex(4), itertools.count(secrets.randbits(40)), None, ""]


_reseed()
os.register_at_fork(after_in_child=_reseed)


def new_event_id() -> str:
    """A time-ordered unique id (32 hex digits, like a UUIDv7): milliseconds, this process, a counter.

    The first two parts are formatted once per millisecond: under load several events share them.
    """
    millis = int(time.time() * 1000)
    if _ids[2] != millis:
        _ids[2:] = [millis, f"{millis:012x}{_ids[0]}"]
    return f"{_ids[3]}{next(_ids[1]) & 0xFFFFFFFFFFFF:012x}"


def request_event_id(request_id: str, kind: str) -> str:
    """The id of a request's event when a trusted proxy numbered the request (X-Request-Id): nginx retrying
    a page on another edge after the first died mid-answer yields the same id, so the store keeps one."""
    return hashlib.sha256(f"{request_id}\0{kind}".encode()).hexdigest()[:32]


#: Every column with its empty value, in table order: a row is a copy updated with the event's fields.
EMPTY_ROW: dict[str, Any] = {name: 0 if name in BOOLEAN_FIELDS else None for name in EVENT_COLUMNS}


def event_row(fields: Mapping[str, Any]) -> tuple[Any, ...]:
    """An event as a row in table order; missing fields are NULL (flags: 0), unknown fields refused."""
    row = EMPTY_ROW.copy()
    row.update(fields)
    if row[ID_FIELD] is None:
        row[ID_FIELD] = new_event_id()
    if len(row) != len(EVENT_COLUMNS):
        raise ValueError(f"not event fields: {sorted(set(row) - set(EVENT_COLUMNS))}")
    return tuple(row.values())
