"""The event spool: every accepted event is in a local file before its page is answered.

Each event is copied into the current segment of this process's own directory, a file mapped
into memory (``mmap``, shared): the copy lands in the OS page cache, which outlives the process,
so a ``kill -9`` of the edge loses nothing, and no system call is made per event. A power loss
can still cost what the page cache held and had not written back (Linux: up to
``vm.dirty_expire_centisecs``, 30 s by default, plus one writeback interval) of the segments not
yet committed to the store. Segments are preallocated (``posix_fallocate``), so a full disk is a
failed rotation (counted; the page is served and the event kept in memory) and never a SIGBUS.

Layout: ``<spool_dir>/<host>-<pid>-<random>/`` per edge process, holding a ``lock`` file (flock,
held for the process's life) and segments ``00000001.events`` … (a JSON header line naming the
format and the columns, then one line per event, tab-separated (`spool_lines`), then zeros up to
the segment's size). A full segment is rotated: cut to its used size, and the next one created.
The edge's writer process (`event_writer`) tails the segments as they fill and deletes each once
its rows are committed and a later one exists. A directory whose lock can be taken belongs to a
dead process: a writer takes it over under that lock and replays it (the store skips the
event_ids it has).

A reader needs no lock and no length field to tail a segment being written: the file starts as
zeros, a line never holds a NUL and every byte is written once, so every byte before the first
NUL is final, and every line ended by LF before it is whole.
"""

from __future__ import annotations

import fcntl
import logging
import mmap
import os
import secrets
import socket
import time
from collections.abc import Callable, Generator, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from personalize.database import store_target
from personalize.edge import spool_lines
from personalize.events import EVENT_COLUMNS

log = logging.getLogger("abm.edge.spool")

SUFFIX = ".events"
LOCK = "lock"
#: The size of a segment: small enough to replay in a moment, big enough to rotate rarely.
SEGMENT_BYTES = 4 << 20
#: After a failed rotation (disk full), the next attempt waits this long instead of retrying per event.
RETRY_SECONDS = 1.0
_HEADER = spool_lines.header()


def default_spool_root(db: str) -> Path:
    """Where the edges of a store spool when `spool_dir` is not set: beside a SQLite file, ./spool for PostgreSQL."""
    target = store_target(db)
    return Path("spool") if target.postgres else Path(target.location + ".spool")


def lock_directory(directory: Path) -> int | None:
    """An exclusive flock on the directory's lock file, or None if a live process holds it."""
    fd = os.open(directory / LOCK, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    return fd


def read_segment(path: Path) -> Iterator[tuple[Any, ...]]:
    """The rows of a closed segment in EVENT_COLUMNS order; a torn last line (power loss) is skipped and logged."""
    data = path.read_bytes()
    end = data.find(b"\0")  # an event line never holds a NUL: the zeros after the last event
    lines = (data if end < 0 else data[:end]).split(b"\n")
    if lines[-1]:  # no newline: cut off mid-copy, so its page was never answered
        log.warning("spool segment %s ends in a torn event; skipped", path)
    reader = SegmentReader.of(path, lines[0] + b"\n")
    if reader is not None:
        yield from reader.rows(lines[1:-1], first_line=2)


def written_lines(path: Path, offset: int) -> list[bytes]:
    """The whole lines written to a segment after byte `offset`, without their LF (the segment may be
    being written: see the module's note). A missing file has none."""
    try:
        with open(path, "rb") as file:
            file.seek(offset)
            data = file.read()
    except FileNotFoundError:
        return []
    end = data.find(b"\0")
    last = data.rfind(b"\n", 0, None if end < 0 else end)
    return data[:last].split(b"\n") if last >= 0 else []


@dataclass(frozen=True)
class SegmentReader:
    """Reads the event lines of one segment, in the columns its header names."""

    path: Path
    columns: list[str]
    decode: Callable[[bytes], list[Any]]

    @classmethod
    def of(cls, path: Path, header_line: bytes) -> SegmentReader | None:
        """The reader for a segment's header line; None (logged) when it is not one."""
        try:
            columns, decode = spool_lines.decoder(header_line)
        except (ValueError, KeyError, TypeError) as error:
            log.error("spool segment %s has no readable header (%s); skipped", path, error)
            return None
        return cls(path, columns, decode)

    def rows(self, lines: Iterable[bytes], first_line: int) -> Iterator[tuple[Any, ...]]:
        """Each line's row in EVENT_COLUMNS order; a line that is not an event is logged and skipped."""
        same = self.columns == list(EVENT_COLUMNS)
        for number, line in enumerate(lines, first_line):
            try:
                values = self.decode(line)
            except ValueError:
                log.error("spool segment %s line %d is not an event; skipped", self.path, number)
                continue
            if same:
                yield tuple(values)
            else:  # written by another version: map by name
                named = dict(zip(self.columns, values, strict=False))
                yield tuple(named.get(name) for name in EVENT_COLUMNS)


class Spool:
    """This process's spool directory: append events and rotate segments (its writer deletes them)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        name = f"{socket.gethostname()}-{os.getpid()}-{secrets.token_hex(3)}"
        staging = root / f".new-{name}"  # scanners skip dot names: nobody takes it over before it is locked
        staging.mkdir()
        lock = lock_directory(staging)
        assert lock is not None
        self._lock = lock
        self.directory = root / name
        staging.rename(self.directory)
        self.sequence = 0  # the current segment's number
        self._map: mmap.mmap | None = None
        self.size = 0  # bytes used in the current segment
        self.events = 0  # events in the current segment
        self.closed_events: dict[int, int] = {}  # events in each closed segment, by number (the owner prunes it)
        self.failures = 0  # events that could not be spooled (counted by the caller)
        self.last_error: str | None = None
        self._retry_at = 0.0
        self._open_segment()

    def _open_segment(self) -> None:
        """Create, preallocate and map the next segment; OSError (disk full) leaves none mapped."""
        self.sequence += 1
        path = self.directory / f"{self.sequence:08d}{SUFFIX}"
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.posix_fallocate(fd, 0, SEGMENT_BYTES)
            self._map = mmap.mmap(fd, SEGMENT_BYTES)
        except OSError:
            path.unlink(missing_ok=True)
            self.sequence -= 1
            raise
        finally:
            os.close(fd)
        self.current = path
        self._map[: len(_HEADER)] = _HEADER
        self.size = len(_HEADER)
        self.events = 0

    def append(self, data: bytes) -> bool:
        """Copy one record into the mapped segment (in the page cache now, no system call);
        False when the segment has no room for it (rotate, then try again) or none is mapped."""
        end = self.size + len(data)
        if self._map is None or end > SEGMENT_BYTES:
            return False
        self._map[self.size : end] = data
        self.size = end
        self.events += 1
        return True

    @property
    def mapped(self) -> bool:
        """A segment is open for appends (not so after a failed rotation, until the next succeeds)."""
        return self._map is not None

    def rotate(self) -> Path | None:
        """Close the current segment (its unused tail cut off) and map the next; return the closed one.

        A segment that cannot be created (disk full) is counted and retried after RETRY_SECONDS;
        meanwhile events are not spooled (the caller counts them).
        """
        closed = self._close_segment()
        if time.monotonic() < self._retry_at:
            return closed
        try:
            self._open_segment()
        except OSError as error:
            self.last_error = f"spool segment could not be created: {error}"
            self._retry_at = time.monotonic() + RETRY_SECONDS
            log.error("%s; events are not spooled until there is room", self.last_error)
        return closed

    def _close_segment(self) -> Path | None:
        if self._map is None:
            return None
        self._map.close()
        self._map = None
        os.truncate(self.current, self.size)
        self.closed_events[self.sequence] = self.events
        return self.current

    def segments(self) -> int:
        return sum(1 for _ in self.directory.glob(f"*{SUFFIX}"))

    def close(self) -> None:
        """Close the last segment and give the directory up: its writer then takes it over like a dead
        edge's, commits what is left and removes it."""
        self._close_segment()
        os.close(self._lock)


def orphan_segments(root: Path, *, skip: Path | None = None) -> Generator[Path]:
    """Segments of dead processes' directories under `root` (but `skip`), each directory taken over under
    its lock and removed after its last segment was handed out and (by the caller) deleted."""
    for directory in sorted(root.iterdir()) if root.is_dir() else ():
        if directory == skip or not directory.is_dir() or directory.name.startswith(".new-") and not _stale(directory):
            continue
        lock = lock_directory(directory)
        if lock is None:
            continue  # a live edge's
        try:
            yield from sorted(directory.glob(f"*{SUFFIX}"))
            if not any(directory.glob(f"*{SUFFIX}")):
                remove_directory(directory)
        finally:
            os.close(lock)


def remove_directory(directory: Path) -> None:
    """Remove a spool directory whose segments are all committed and deleted (its caller holds its lock);
    one that holds anything else is left for the operator, and logged."""
    (directory / LOCK).unlink(missing_ok=True)
    try:
        directory.rmdir()
    except OSError as error:
        log.warning("could not remove the spool directory %s (%s)", directory, error)


def _stale(directory: Path) -> bool:
    """A staging directory left by a process killed between mkdir and rename (its lock is free)."""
    lock = lock_directory(directory)
    if lock is None:
        return False
    os.close(lock)
    return True
