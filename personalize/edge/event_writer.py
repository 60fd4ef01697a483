"""Events go through a spool file and a bounded in-memory buffer to a writer thread that inserts them in batches.

A page never waits for the database: `put()` writes the event to this process's spool
(`personalize.edge.spool`, one copy into a mapped file, no system call: it survives a ``kill -9``) and appends it to a deque.
The writer inserts up to `batch` rows per transaction every `interval` seconds (sooner when a batch
is full) and on shutdown, rotates spool segments and deletes them once their rows are committed,
and at start-up replays the spools of dead edge processes. A locked, full, removed or unreachable
store is counted and logged; the rows stay in the buffer (and the spool) and are retried. When the
buffer is full, new events still go to the spool and are read back from it once the store keeps up.
Every event has an `event_id`; the store skips ids it has, so retries and replays never double.
Big batches cost the writer less per row (fewer commits, index pages written once); the inserts
themselves are `personalize.database`'s.
"""

from __future__ import annotations

import itertools
import logging
import os
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from personalize.database import DATABASE_ERRORS, RETRYABLE, Connection, connect, insert_events, store_target
from personalize.edge.event_rows import utc_now
from personalize.edge.spool import Segment, Spool, read_segment

log = logging.getLogger("abm.edge.events")


class EventLog:
    """The spool, the bounded buffer and its batching writer thread."""

    def __init__(
        self,
        connect: Callable[[], Connection],
        *,
        capacity: int = 100_000,
        batch: int = 1000,
        interval: float = 0.5,
        spool: Spool | None = None,
        store_file: str | None = None,
    ) -> None:
        self._connect = connect
        self._buffer: deque[tuple[Any, ...] | Segment] = deque()
        self.capacity = capacity
        self.batch = batch
        self.interval = interval
        self.spool = spool
        self.store_file = store_file  # a SQLite file: reopened if it is removed while serving
        self.written = 0
        self.dropped = 0
        self.duplicates = 0  # rows the store had already (a retry after an unknown commit, a replay)
        self.spooled_only = 0  # accepted while the buffer was full: read back from the spool later
        self.replayed = 0  # rows read back from a spool that were new to the store
        self.write_failures = 0
        self.last_error: str | None = None
        self.failing_since: str | None = None  # UTC time of the first failed write since the last good one
        self._inflight = 0  # rows taken from the buffer whose transaction has not committed yet
        self._overflowed = False  # the current spool segment holds rows the buffer does not
        self._orphans: Iterator[Path] | None = None  # dead edges' segments still to replay
        self._orphan: Path | None = None
        self._identity: tuple[int, int] | None = None
        self._lock = threading.Lock()  # spool and buffer in the same order
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._idle = threading.Condition()
        self._thread: threading.Thread | None = None

    @classmethod
    def open(cls, db: str, *, spool_dir: Path | None = None, **options: Any) -> EventLog:
        """An event log writing to a SQLite path or PostgreSQL URL (opened and migrated now, so a bad store fails at start-up)."""
        connect(db).close()
        target = store_target(db)
        spool = Spool(spool_dir) if spool_dir is not None else None
        store_file = None if target.postgres else target.location
        return cls(lambda: connect(db, timeout=1.0), spool=spool, store_file=store_file, **options)

    @property
    def depth(self) -> int:
        """Events not yet in the store: queued, or taken by a transaction that has not committed (a retry
        against a locked store holds its batch out of the queue for up to the lock timeout)."""
        return len(self._buffer) + self._inflight

    def put(self, row: tuple[Any, ...]) -> bool:
        """Spool and queue one event row; False (and counted) when it could be neither queued nor spooled."""
        buffer = self._buffer
        spool = self.spool
        data = spool.record(row) if spool is not None else b""
        with self._lock:
            spooled = spool is not None and (
                spool.append(data) or (not spool.empty and self._rotate_locked() and spool.append(data))
            )
            if spool is not None and not spooled:
                spool.failures += 1
            if len(buffer) >= self.capacity:
                if spooled:
                    self._overflowed = True
                    self.spooled_only += 1
                    return True
                self.dropped += 1
                return False
            buffer.append(row)
        if len(buffer) == self.batch:
            self._wake.set()
        return True

    def start(self) -> None:
        """Start the writer; it first replays the spools of dead edge processes."""
        if self._thread is None:
            if self.spool is not None:
                self._orphans = self.spool.orphans()
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="abm-event-writer", daemon=True)
            self._thread.start()

    @property
    def replay_pending(self) -> bool:
        """Dead edges' spools are still being read into the store."""
        return self._orphans is not None

    def _busy(self) -> bool:
        return bool(self._buffer or self._inflight or self._overflowed or self.replay_pending)

    def flush(self, timeout: float = 5.0) -> bool:
        """Wait until every queued event (and every dead edge's spool) is written; False if not in time."""
        deadline = time.monotonic() + timeout
        self._wake.set()
        with self._idle:
            while self._busy():
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._wake.set()
                self._idle.wait(min(remaining, 0.05))
        return True

    def close(self, timeout: float = 5.0) -> None:
        """Stop the writer after a last flush. Unwritten events stay in the spool for the next start
        (without a spool they are counted as dropped)."""
        if self._thread is None:
            return
        if self.flush(timeout) and self.spool is not None:
            self._rotate()  # the last segment too: committed, it is deleted
            self.flush(timeout)
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout)
        self._thread = None
        unwritten = sum(1 for item in self._buffer if type(item) is tuple)
        self._buffer.clear()
        if self.spool is not None:
            self.spool.close()
            if unwritten:
                log.error("shut down with %d events unwritten (store unavailable); they wait in %s for the next start",
                          unwritten, self.spool.directory)
        elif unwritten:
            self.dropped += unwritten
            log.error("shut down with %d events unwritten (store unavailable); counted as dropped", unwritten)

    def _run(self) -> None:
        connection: Connection | None = None
        while not self._stop.is_set():
            self._wake.wait(self.interval)
            self._wake.clear()
            try:
                connection = self._usable(connection)
                self._take_over(connection)
                self._drain(connection)
                if self._should_rotate():
                    self._rotate()
                    self._drain(connection)
                self.failing_since = None
            except DATABASE_ERRORS as error:
                self.write_failures += 1
                self.failing_since = self.failing_since or utc_now()
                self.last_error = f"event store write failed: {error}"
                log.warning("event store write failed (%s); %d events wait in the buffer", error, self.depth)
                time.sleep(self.interval)
            except OSError as error:  # the spool's disk
                self.last_error = f"spool: {error}"
                log.error("event spool failed (%s)", error)
                time.sleep(self.interval)
            with self._idle:
                self._idle.notify_all()
        if connection is not None:
            connection.close()

    def _file_identity(self) -> tuple[int, int] | None:
        try:
            stat = os.stat(self.store_file) if self.store_file else None
        except FileNotFoundError:
            return None
        return (stat.st_dev, stat.st_ino) if stat else None

    def _usable(self, connection: Connection | None) -> Connection:
        """The writer's connection; a new one (and a new, migrated file) if the SQLite file was removed,
        since rows written to a removed file are gone once its last connection closes."""
        if connection is not None and self.store_file and self._file_identity() != self._identity:
            self.last_error = f"the store file {self.store_file} was removed or replaced while serving; reopened"
            log.error("%s", self.last_error)
            connection.close()
            connection = None
        if connection is None:
            connection = self._connect()
            self._identity = self._file_identity()
        return connection

    def _should_rotate(self) -> bool:
        """A segment holding rows the buffer does not is closed (and read back) once the buffer is empty."""
        return self.spool is not None and self._overflowed and not self._buffer

    def _rotate(self) -> None:
        with self._lock:
            self._rotate_locked()

    def _rotate_locked(self) -> bool:
        """Close the current segment; its marker follows its last row through the buffer. True if a new
        segment is mapped."""
        assert self.spool is not None
        closed = self.spool.rotate()
        if closed is not None:
            self._buffer.append(Segment(closed, replay=self._overflowed))
            self._overflowed = False
        return self.spool.mapped

    def _take_over(self, connection: Connection) -> None:
        """Replay the segments of dead edges' spools, one at a time (a failure retries the same one)."""
        while self._orphans is not None:
            if self._orphan is None:
                self._orphan = next(self._orphans, None)
                if self._orphan is None:
                    self._orphans = None
                    return
                log.warning("replaying %s, left by an edge process that died", self._orphan)
            self._replay(connection, self._orphan)
            Spool.remove(self._orphan)
            self._orphan = None

    def _replay(self, connection: Connection, path: Path) -> None:
        rows: list[tuple[Any, ...]] = []
        for row in itertools.chain(read_segment(path), [None]):
            if row is not None:
                rows.append(row)
            if rows and (row is None or len(rows) == self.batch):
                before = self.written
                self._commit(connection, rows)
                self.replayed += self.written - before
                rows = []

    def _drain(self, connection: Connection) -> None:
        buffer = self._buffer
        while buffer:
            count = min(self.batch, len(buffer))
            items = [buffer.popleft() for _ in range(count)]
            self._inflight = count
            rows = [item for item in items if type(item) is tuple]
            markers = [item for item in items if type(item) is Segment]
            committed = False
            try:
                self._commit(connection, rows)
                committed = True
                while markers:  # every row of a segment precedes its marker: all committed now
                    self._finish(connection, markers[0])
                    markers.pop(0)
            except RETRYABLE:  # locked, busy, disk full, server down: worth retrying later
                buffer.extendleft(reversed(markers if committed else items))
                raise
            finally:
                self._inflight = 0

    def _finish(self, connection: Connection, segment: Segment) -> None:
        if segment.replay:
            self._replay(connection, segment.path)
        Spool.remove(segment.path)

    def _commit(self, connection: Connection, rows: list[tuple[Any, ...]]) -> None:
        """Insert rows in one transaction; the store skips event_ids it has (a retry whose commit was lost)."""
        if not rows:
            return
        try:
            with connection:
                new = insert_events(connection, rows)
        except RETRYABLE:
            raise
        except DATABASE_ERRORS:  # a row the store refuses: keep the others, count the rest
            self._salvage(connection, rows)
            return
        self.written += new
        self.duplicates += len(rows) - new

    def _salvage(self, connection: Connection, rows: list[tuple[Any, ...]]) -> None:
        """Insert a refused batch row by row; rows refused on their own are dropped (they never would fit)."""
        for row in rows:
            try:
                with connection:
                    self.written += insert_events(connection, [row])
            except RETRYABLE:
                raise
            except DATABASE_ERRORS as error:
                self.dropped += 1
                log.error("event refused by the store and dropped (%s): %r", error, row[:5])


def event_health(events: EventLog) -> dict[str, Any]:
    """What `/healthz` says about the events: where they wait, what failed last."""
    spool = events.spool
    return {
        "spool_dir": str(spool.directory) if spool else None,
        "spool_segments": spool.segments() if spool else 0,
        "spool_bytes": spool.size if spool else 0,
        "spool_failures": spool.failures if spool else 0,
        "spooled_only": events.spooled_only,
        "replayed": events.replayed,
        "replay_pending": events.replay_pending,
        "duplicates_skipped": events.duplicates,
        "write_failures": events.write_failures,
        "store_failing_since": events.failing_since,  # set: the store cannot be written now (last_error says why)
        "last_error": (spool.last_error if spool and spool.last_error else None) or events.last_error,
    }
