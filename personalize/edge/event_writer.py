"""Events go through a bounded in-memory buffer to a writer thread that inserts them in batches.

A page never waits for the database: `put()` only appends to a deque. The writer inserts up to
`batch` rows per transaction every `interval` seconds (sooner when a batch is full) and on
shutdown. A locked or failing store is counted and logged; the rows stay in the buffer and are
retried. When the buffer is full, new events are dropped and counted, never blocking a page.
Big batches cost the writer less per row (fewer commits, index pages written once); the inserts
themselves are `personalize.database`'s.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from typing import Any

from personalize.database import DATABASE_ERRORS, RETRYABLE, Connection, connect, insert_events
from personalize.events import BOOLEAN_FIELDS, EVENT_COLUMNS

log = logging.getLogger("abm.edge.events")

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


#: Every column with its empty value, in table order: a row is a copy updated with the event's fields.
EMPTY_ROW: dict[str, Any] = {name: 0 if name in BOOLEAN_FIELDS else None for name in EVENT_COLUMNS}


def event_row(fields: Mapping[str, Any]) -> tuple[Any, ...]:
    """An event as a row in table order; missing fields are NULL (flags: 0), unknown fields refused."""
    row = EMPTY_ROW.copy()
    row.update(fields)
    if len(row) != len(EVENT_COLUMNS):
        raise ValueError(f"not event fields: {sorted(set(row) - set(EVENT_COLUMNS))}")
    return tuple(row.values())


class EventLog:
    """The bounded buffer and its batching writer thread."""

    def __init__(
        self,
        connect: Callable[[], Connection],
        *,
        capacity: int = 100_000,
        batch: int = 1000,
        interval: float = 0.5,
    ) -> None:
        self._connect = connect
        self._buffer: deque[tuple[Any, ...]] = deque()
        self.capacity = capacity
        self.batch = batch
        self.interval = interval
        self.written = 0
        self.dropped = 0
        self.write_failures = 0
        self._inflight = 0  # rows taken from the buffer whose transaction has not committed yet
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._idle = threading.Condition()
        self._thread: threading.Thread | None = None

    @classmethod
    def open(cls, db: str, **options: Any) -> EventLog:
        """An event log writing to a SQLite path or PostgreSQL URL (opened and migrated now, so a bad store fails at start-up)."""
        connect(db).close()
        return cls(lambda: connect(db, timeout=1.0), **options)

    @property
    def depth(self) -> int:
        return len(self._buffer)

    def put(self, row: tuple[Any, ...]) -> bool:
        """Queue one event row; False (and counted) when the buffer is full."""
        buffer = self._buffer
        if len(buffer) >= self.capacity:
            self.dropped += 1
            return False
        buffer.append(row)
        if len(buffer) == self.batch:
            self._wake.set()
        return True

    def start(self) -> None:
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="abm-event-writer", daemon=True)
            self._thread.start()

    def flush(self, timeout: float = 5.0) -> bool:
        """Wait until every queued event is written; False if that did not happen in time."""
        deadline = time.monotonic() + timeout
        self._wake.set()
        with self._idle:
            while self._buffer or self._inflight:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._wake.set()
                self._idle.wait(min(remaining, 0.05))
        return True

    def close(self, timeout: float = 5.0) -> None:
        """Stop the writer after a last flush; events still unwritten then are counted as dropped."""
        if self._thread is None:
            return
        self.flush(timeout)
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout)
        self._thread = None
        if self._buffer:
            lost = len(self._buffer)
            self.dropped += lost
            self._buffer.clear()
            log.error("shut down with %d events unwritten (store unavailable); counted as dropped", lost)

    def _run(self) -> None:
        connection: Connection | None = None
        while not self._stop.is_set():
            self._wake.wait(self.interval)
            self._wake.clear()
            try:
                if connection is None:
                    connection = self._connect()
                self._drain(connection)
            except DATABASE_ERRORS as error:
                self.write_failures += 1
                log.warning("event store write failed (%s); %d events wait in the buffer", error, self.depth)
                time.sleep(self.interval)
            with self._idle:
                self._idle.notify_all()
        if connection is not None:
            connection.close()

    def _drain(self, connection: Connection) -> None:
        buffer = self._buffer
        while buffer:
            self._inflight = count = min(self.batch, len(buffer))
            rows = [buffer.popleft() for _ in range(count)]
            try:
                with connection:
                    insert_events(connection, rows)
                self.written += count
            except RETRYABLE:  # locked, busy, disk full, server down: worth retrying later
                buffer.extendleft(reversed(rows))
                raise
            except DATABASE_ERRORS:  # a row the store refuses: keep the others, count the rest
                self._salvage(connection, rows)
            finally:
                self._inflight = 0

    def _salvage(self, connection: Connection, rows: list[tuple[Any, ...]]) -> None:
        """Insert a refused batch row by row; rows refused on their own are dropped (they never would fit)."""
        for row in rows:
            try:
                with connection:
                    insert_events(connection, [row])
                self.written += 1
            except DATABASE_ERRORS as error:
                self.dropped += 1
                log.error("event refused by the store and dropped (%s): %r", error, row[:5])
