"""The event writer: a process beside each edge process that moves its spooled events into the store.

Why a process: the edge's event loop only copies each event into its spool (`spool`); inserting it
costs about as much CPU again, and in a thread of the edge that work shared the GIL with the pages.
Here it runs on another core at a lower priority (`NICENESS`): under a burst pages come first and
the spool holds the backlog, which the writer catches up on once the burst is over.

Every `interval` seconds, and at once when its edge asks (a flush), the writer makes one pass:
- the lines its edge appended since the last pass go in, up to `batch` rows per transaction, and
  each segment is deleted once it is committed and a later one exists;
- the directories of dead edge processes are taken over and replayed (`spool.orphan_segments`).
A locked, full, removed or unreachable store is counted and retried on the next pass from the same
line. Every event has an `event_id`; the store skips ids it has, so retries and replays never double.
After each pass the writer tells its edge where it got to: one JSON line on stdout (`EventWriter.status`).
When its edge closes its spool or dies (stdin ends), the writer takes the edge's directory over,
commits what is left (retrying for up to `linger` seconds while the store fails) and exits.

The edge starts it as ``python -m personalize.edge.event_writer`` and writes its settings as one JSON
line on stdin (the store's URL may hold a password: never on a command line).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import select
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from personalize.database import DATABASE_ERRORS, RETRYABLE, Connection, connect, insert_events, store_target
from personalize.edge.event_rows import utc_now
from personalize.edge.spool import (
    SUFFIX,
    SegmentReader,
    lock_directory,
    orphan_segments,
    read_segment,
    remove_directory,
    written_lines,
)

log = logging.getLogger("abm.edge.events")

#: The writer's CPU priority below its edge's (see the module's note).
NICENESS = 10
#: A flush request on the writer's stdin.
WAKE = b"f"


class EventWriter:
    """Moves the events of one edge's spool directory, and of dead edges' directories, into the store."""

    def __init__(
        self,
        connect: Callable[[], Connection],
        root: Path,
        own: Path | None,
        *,
        batch: int = 1000,
        store_file: str | None = None,
    ) -> None:
        self._connect = connect
        self.root = root
        self.own = own  # the edge's directory; None: replay dead edges' only
        self.batch = batch
        self.store_file = store_file  # a SQLite file: reopened if it is removed while serving
        self.written = 0
        self.dropped = 0  # rows the store refused on their own (they never would fit)
        self.duplicates = 0  # rows the store had already (a retry after an unknown commit, a replay)
        self.replayed = 0  # rows of dead edges' spools that were new to the store
        self.write_failures = 0
        self.last_error: str | None = None
        self.failing_since: str | None = None  # UTC time of the first failed write since the last good one
        self.replay_pending = True  # dead edges' spools not (all) replayed yet
        self._connection: Connection | None = None
        self._identity: tuple[int, int] | None = None
        self._offsets: dict[Path, int] = {}  # bytes of each own segment read and committed
        self._lines: dict[Path, int] = {}  # its event lines read and committed
        self._readers: dict[Path, SegmentReader | None] = {}
        self._progress = (1, 0)  # (first own segment not all committed, its lines committed)

    @classmethod
    def open(cls, db: str, root: Path, own: Path | None, **options: Any) -> EventWriter:
        target = store_target(db)
        store_file = None if target.postgres else target.location
        return cls(lambda: connect(db, timeout=1.0), root, own, store_file=store_file, **options)

    def status(self) -> dict[str, Any]:
        """What the edge shows in `/healthz` and waits on in a flush: `segment`, `lines` say that every own
        segment before `segment` and the first `lines` events of that one are in the store."""
        segment, lines = self._progress
        return {
            "segment": segment, "lines": lines, "written": self.written, "dropped": self.dropped,
            "duplicates": self.duplicates, "replayed": self.replayed, "replay_pending": self.replay_pending,
            "write_failures": self.write_failures, "failing_since": self.failing_since, "last_error": self.last_error,
        }  # fmt: skip

    def run_pass(self, *, final: bool = False) -> bool:
        """The edge's new lines, then dead edges' spools; False when the store (or the spool's disk) failed,
        to be retried by the next pass. `final`: the edge is gone, so all its segments are closed."""
        try:
            connection = self._usable()
            self._tail(connection, final=final)
            self._take_over(connection)
        except DATABASE_ERRORS as error:
            self.write_failures += 1
            self.failing_since = self.failing_since or utc_now()
            self.last_error = f"event store write failed: {error}"
            log.warning("event store write failed (%s); the events wait in the spool", error)
            return False
        except OSError as error:  # the spool's disk
            self.last_error = f"spool: {error}"
            log.error("event spool failed (%s)", error)
            return False
        self.failing_since = None
        return True

    def finish(self, linger: float) -> bool:
        """Commit what the closed or dead edge left, retrying for up to `linger` seconds, and remove its
        directory; True when all went in. Nothing is touched while the edge still holds its lock."""
        own = self.own
        deadline = time.monotonic() + linger
        lock = None
        while own is not None and own.is_dir() and (lock := lock_directory(own)) is None:
            if time.monotonic() > deadline:  # a dying edge's lock goes a moment after its pipe: this one lives
                log.error("the edge of %s still holds it; its writer leaves it alone", own)
                return False
            time.sleep(0.05)
        try:
            while not self.run_pass(final=True):
                if time.monotonic() > deadline:
                    log.error("the store is still failing; the events wait in %s for the next edge", own)
                    return False
                time.sleep(0.2)
            if own is not None:
                remove_directory(own)
        finally:
            if lock is not None:
                os.close(lock)
        return True

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def _file_identity(self) -> tuple[int, int] | None:
        try:
            stat = os.stat(self.store_file) if self.store_file else None
        except FileNotFoundError:
            return None
        return (stat.st_dev, stat.st_ino) if stat else None

    def _usable(self) -> Connection:
        """The connection; a new one (and a new, migrated file) if the SQLite file was removed,
        since rows written to a removed file are gone once its last connection closes."""
        if self._connection is not None and self.store_file and self._file_identity() != self._identity:
            self.last_error = f"the store file {self.store_file} was removed or replaced while serving; reopened"
            log.error("%s", self.last_error)
            self.close()
        if self._connection is None:
            self._connection = self._connect()
            self._identity = self._file_identity()
        return self._connection

    def _tail(self, connection: Connection, *, final: bool) -> None:
        """Commit the own segments' new lines; delete each segment that is done and closed."""
        if self.own is None:
            return
        segments = sorted(self.own.glob(f"*{SUFFIX}"))
        for index, path in enumerate(segments):
            self._progress = (int(path.stem), self._lines.get(path, 0))
            self._commit_new_lines(connection, path)
            if final or index + 1 < len(segments):  # closed: the edge made a later one (or is gone)
                path.unlink(missing_ok=True)
                self._progress = (int(path.stem) + 1, 0)
                for table in (self._offsets, self._lines, self._readers):
                    table.pop(path, None)

    def _commit_new_lines(self, connection: Connection, path: Path) -> None:
        offset = self._offsets.get(path, 0)
        lines = written_lines(path, offset)
        if not lines:
            return
        if offset == 0:
            self._readers[path] = SegmentReader.of(path, lines[0] + b"\n")
            offset += len(lines[0]) + 1
            lines = lines[1:]
            self._offsets[path] = offset
        reader = self._readers[path]
        done = self._lines.get(path, 0)
        for start in range(0, len(lines), self.batch):
            chunk = lines[start : start + self.batch]
            if reader is not None:
                self._commit(connection, list(reader.rows(chunk, first_line=done + 2)))
            done += len(chunk)
            offset += sum(map(len, chunk)) + len(chunk)
            self._offsets[path], self._lines[path] = offset, done
            self._progress = (int(path.stem), done)

    def _take_over(self, connection: Connection) -> None:
        """Replay the segments of dead edges' spools, one at a time (a failure retries the same one)."""
        self.replay_pending = True
        with contextlib.closing(orphan_segments(self.root, skip=self.own)) as segments:
            for path in segments:
                log.warning("replaying %s, left by an edge process that died", path)
                rows: list[tuple[Any, ...]] = []
                for row in read_segment(path):
                    rows.append(row)
                    if len(rows) == self.batch:
                        self._replay(connection, rows)
                        rows = []
                self._replay(connection, rows)
                path.unlink(missing_ok=True)
        self.replay_pending = False

    def _replay(self, connection: Connection, rows: list[tuple[Any, ...]]) -> None:
        before = self.written
        self._commit(connection, rows)
        self.replayed += self.written - before

    def _commit(self, connection: Connection, rows: Sequence[tuple[Any, ...]]) -> None:
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

    def _salvage(self, connection: Connection, rows: Sequence[tuple[Any, ...]]) -> None:
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


def _report(writer: EventWriter) -> None:
    try:
        sys.stdout.write(json.dumps(writer.status()) + "\n")
        sys.stdout.flush()
    except (BrokenPipeError, ValueError):  # the edge is gone: nobody to tell
        pass


def main() -> None:
    """Run as the edge's writer: settings on stdin's first line, then wake-ups until stdin ends."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s abm-event-writer: %(message)s")
    commands = sys.stdin.buffer
    config = json.loads(commands.readline())
    os.nice(NICENESS)
    writer = EventWriter.open(config["db"], Path(config["root"]), Path(config["own"]), batch=config["batch"])
    try:
        while True:
            if select.select([commands], [], [], config["interval"])[0] and not os.read(commands.fileno(), 4096):
                break  # stdin ended: the edge closed its spool, or died
            writer.run_pass()
            _report(writer)
        writer.finish(config["linger"])
        _report(writer)
    finally:
        writer.close()


if __name__ == "__main__":
    main()
