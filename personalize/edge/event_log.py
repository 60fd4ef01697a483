"""The edge's side of the events: each one goes into the spool before its page is answered.

A page never waits for the database. `put()` copies the event into this process's spool
(`personalize.edge.spool`: one copy into a mapped file, no system call; it survives a ``kill -9``)
and the writer process (`personalize.edge.event_writer`) moves it into the store. Only when the
spool cannot take it (its disk is full) is an event held in memory, up to `capacity` events, and
spooled as soon as there is room again; beyond that it is dropped and counted.

The writer is a child process fed nothing but wake-ups: it reads the spool itself and reports its
progress as JSON lines, which a thread here (blocked on the pipe, so it costs the pages nothing)
keeps as `status`. The same thread starts a new writer if one ever dies while the edge serves.
"""

from __future__ import annotations

import contextlib
import json
import logging
import subprocess
import sys
import threading
import time
from collections import deque
from pathlib import Path
from typing import IO, Any

from personalize.database import connect
from personalize.edge import spool_lines
from personalize.edge.event_writer import WAKE
from personalize.edge.spool import Spool, default_spool_root

log = logging.getLogger("abm.edge.events")

#: How long a writer whose edge has gone keeps retrying a failing store before it leaves the rest for the next edge.
LINGER_SECONDS = 10.0


class EventLog:
    """The spool, the memory that stands in for it while it has no room, and the writer process."""

    def __init__(self, db: str, spool: Spool, *, capacity: int = 100_000, batch: int = 1000, interval: float = 0.5) -> None:
        self.db = db
        self.spool = spool
        self.capacity = capacity
        self.batch = batch
        self.interval = interval
        self._dropped = 0  # events neither spooled nor held in memory
        self.writer_restarts = 0
        self._held: deque[tuple[Any, ...]] = deque()  # events the spool had no room for, oldest first
        self._status: dict[str, Any] = {"segment": 1, "lines": 0, "replay_pending": True}
        self._changed = threading.Condition()
        self._process: subprocess.Popen[bytes] | None = None
        self._reader: threading.Thread | None = None
        self._closing = False

    @classmethod
    def open(cls, db: str, *, spool_dir: Path | None = None, **options: Any) -> EventLog:
        """An event log for a SQLite path or PostgreSQL URL (opened and migrated now, so a bad store fails at start-up)."""
        connect(db).close()
        return cls(db, Spool(spool_dir if spool_dir is not None else default_spool_root(db)), **options)

    def put(self, row: tuple[Any, ...]) -> bool:
        """Spool one event row; False (and counted) when it could be neither spooled nor held in memory."""
        if not self._held and self.spool.append(spool_lines.encode(row)):
            return True
        return self._put_slow(row)

    def _put_slow(self, row: tuple[Any, ...]) -> bool:
        """The current segment is full, or the spool has no room: spool what is held, then this event, or hold it."""
        if self._spool_held() and self.spool.append(spool_lines.encode(row)):
            return True
        self.spool.failures += 1
        if len(self._held) >= self.capacity:
            self._dropped += 1
            return False
        self._held.append(row)
        return True

    def _spool_held(self) -> bool:
        """Rotate (a failed rotation is retried only after a while) and spool the events held, oldest first;
        True when none is held any more."""
        spool = self.spool
        spool.rotate()
        held = self._held
        while held and spool.append(spool_lines.encode(held[0])):
            held.popleft()
        return not held

    def start(self) -> None:
        """Start the writer process; it first replays the spools of dead edge processes."""
        if self._process is None:
            self._closing = False
            self._spawn()

    def _spawn(self) -> None:
        process = subprocess.Popen(
            [sys.executable, "-m", "personalize.edge.event_writer"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, start_new_session=True,  # Ctrl-C is the edge's to handle
        )  # fmt: skip
        assert process.stdin is not None and process.stdout is not None
        config = {"db": self.db, "root": str(self.spool.root), "own": str(self.spool.directory),
                  "batch": self.batch, "interval": self.interval, "linger": LINGER_SECONDS}
        process.stdin.write(json.dumps(config).encode() + b"\n")
        process.stdin.flush()
        self._process = process
        self._reader = threading.Thread(target=self._listen, args=(process,), name="abm-event-writer", daemon=True)
        self._reader.start()

    def _listen(self, process: subprocess.Popen[bytes]) -> None:
        """Keep the writer's reports; when it ends while the edge serves, start a new one."""
        stdout: IO[bytes] = process.stdout  # type: ignore[assignment]
        with stdout:
            for line in stdout:
                status = json.loads(line)
                with self._changed:
                    self._status = status
                    self._prune(status["segment"])
                    self._changed.notify_all()
        process.wait()
        if not self._closing:
            with contextlib.suppress(OSError):
                process.stdin.close()  # type: ignore[union-attr]
            self.writer_restarts += 1
            log.error("the event writer exited with %s; starting a new one", process.returncode)
            time.sleep(self.interval)
            self._spawn()

    def _prune(self, segment: int) -> None:
        closed = self.spool.closed_events
        for number in list(closed):  # a copy: the event loop adds to it meanwhile
            if number < segment:
                del closed[number]

    @property
    def depth(self) -> int:
        """Events not yet in the store: spooled past the writer's last report, or held in memory."""
        segment, lines = self._status["segment"], self._status["lines"]
        counts = {**self.spool.closed_events, self.spool.sequence: self.spool.events}
        spooled = sum(count for number, count in counts.items() if number > segment)
        return spooled + max(0, counts.get(segment, 0) - lines) + len(self._held)

    def _wake(self) -> None:
        process = self._process
        if process is not None and process.stdin is not None:
            try:
                process.stdin.write(WAKE)
                process.stdin.flush()
            except (BrokenPipeError, ValueError):
                pass  # it is being replaced

    def flush(self, timeout: float = 5.0) -> bool:
        """Wait until every event so far (and every dead edge's spool) is in the store; False if not in time."""
        deadline = time.monotonic() + timeout
        if self._held:
            self._spool_held()
        with self._changed:
            while self.depth or self._status["replay_pending"]:
                remaining = deadline - time.monotonic()
                if remaining <= 0 or self._process is None:
                    return False
                self._wake()
                self._changed.wait(min(remaining, self.interval))
        return True

    def close(self, timeout: float = 5.0) -> None:
        """Flush, close the spool and let the writer commit the rest and exit. Events the store could not
        take wait in the spool for the next start."""
        if self._process is None:
            return
        self.flush(timeout)
        unwritten = self.depth
        self._closing = True
        self.spool.close()  # the directory is given up: the writer takes it over, commits it and removes it
        process, self._process = self._process, None
        assert process.stdin is not None
        process.stdin.close()
        try:
            process.wait(timeout + LINGER_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
        if self._reader is not None:
            self._reader.join(timeout)
        held = len(self._held)
        if held:
            self._dropped += held
            log.error("shut down with %d events the spool had no room for; counted as dropped", held)
        if unwritten > held:
            log.error("shut down with %d events unwritten (store unavailable); they wait in %s for the next start",
                      unwritten - held, self.spool.root)

    def status(self, name: str, default: Any = 0) -> Any:
        """One figure of the writer's last report."""
        return self._status.get(name, default)

    @property
    def written(self) -> int:
        return int(self.status("written"))

    @property
    def dropped(self) -> int:
        """Events lost: neither spooled nor held, or refused by the store on their own."""
        return self._dropped + int(self.status("dropped"))

    @property
    def writer_pid(self) -> int | None:
        process = self._process
        return process.pid if process is not None else None

    @property
    def held(self) -> int:
        """Events in memory because the spool had no room for them."""
        return len(self._held)

    @property
    def write_failures(self) -> int:
        return int(self.status("write_failures"))

    @property
    def last_error(self) -> str | None:
        error: str | None = self.status("last_error", None)
        return error


def event_health(events: EventLog) -> dict[str, Any]:
    """What `/healthz` says about the events: where they wait, what failed last."""
    spool = events.spool
    return {
        "spool_dir": str(spool.directory),
        "spool_segments": spool.segments(),
        "spool_bytes": spool.size,
        "spool_failures": spool.failures,
        "held_in_memory": events.held,
        "replayed": events.status("replayed"),
        "replay_pending": events.status("replay_pending", True),
        "duplicates_skipped": events.status("duplicates"),
        "write_failures": events.write_failures,
        "writer_pid": events.writer_pid,
        "writer_restarts": events.writer_restarts,
        "store_failing_since": events.status("failing_since", None),  # set: the store cannot be written now
        "last_error": spool.last_error or events.last_error,
    }
