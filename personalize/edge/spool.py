"""The event spool: every accepted event is in a local file before its page is answered.

The in-memory buffer of `event_writer` dies with its process; the spool does not. Each event is
copied into the current segment of this process's own directory, a file mapped into memory
(``mmap``, shared): the copy lands in the OS page cache, which outlives the process, so a
``kill -9`` of the edge loses nothing, and no system call is made per event (a ``write`` would
give up the GIL, and the writer thread would take it for up to a switch interval). A power loss
can still cost what the page cache held and had not written back (Linux: up to
``vm.dirty_expire_centisecs``, 30 s by default, plus one writeback interval) of the segments not
yet committed to the store. Segments are preallocated (``posix_fallocate``), so a full disk is a
failed rotation (counted; the page is served and the event kept in memory) and never a SIGBUS.

Layout: ``<spool_dir>/<host>-<pid>-<random>/`` per edge process, holding a ``lock`` file (flock,
held for the process's life) and segments ``00000001.events`` … (a JSON header line naming the
format and the columns, then one line per event, tab-separated (`spool_lines`), then zeros up to
the segment's size). A full segment is rotated; the writer deletes it once its rows are committed. A directory whose lock can be taken
belongs to a dead process: a starting edge takes it over under that lock and replays it (the
store skips the event_ids it has).
"""

from __future__ import annotations

import fcntl
import logging
import mmap
import os
import secrets
import socket
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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


@dataclass
class Segment:
    """A closed segment of this process: deleted once every row in it is committed.

    ``replay``: some of its rows never reached the memory buffer (it was full), so the writer
    reads the whole file back into the store before deleting it.
    """

    path: Path
    replay: bool = False


def _lock(directory: Path) -> int | None:
    """An exclusive flock on the directory's lock file, or None if a live process holds it."""
    fd = os.open(directory / LOCK, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    return fd


def read_segment(path: Path) -> Iterator[tuple[Any, ...]]:
    """The rows of a segment in EVENT_COLUMNS order; a torn last line (power loss) is skipped and logged."""
    data = path.read_bytes()
    end = data.find(b"\0")  # an event line never holds a NUL: the zeros after the last event
    lines = (data if end < 0 else data[:end]).split(b"\n")
    try:
        columns, decode = spool_lines.decoder(lines[0])
    except (ValueError, KeyError, TypeError) as error:
        log.error("spool segment %s has no readable header (%s); skipped", path, error)
        return
    if lines[-1]:  # no newline: cut off mid-copy, so its page was never answered
        log.warning("spool segment %s ends in a torn event; skipped", path)
    for number, line in enumerate(lines[1:-1], 2):
        try:
            values = decode(line)
        except ValueError:
            log.error("spool segment %s line %d is not an event; skipped", path, number)
            continue
        if columns == list(EVENT_COLUMNS):
            yield tuple(values)
        else:  # written by another version: map by name
            named = dict(zip(columns, values, strict=False))
            yield tuple(named.get(name) for name in EVENT_COLUMNS)


class Spool:
    """This process's spool directory: append events, rotate and delete segments, take over dead ones."""

    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        name = f"{socket.gethostname()}-{os.getpid()}-{secrets.token_hex(3)}"
        staging = root / f".new-{name}"  # scanners skip dot names: nobody takes it over before it is locked
        staging.mkdir()
        lock = _lock(staging)
        assert lock is not None
        self._lock = lock
        self.directory = root / name
        staging.rename(self.directory)
        self._sequence = 0
        self._map: mmap.mmap | None = None
        self.size = 0  # bytes used in the current segment
        self.failures = 0  # events that could not be spooled (counted by the caller)
        self.last_error: str | None = None
        self._retry_at = 0.0
        self._open_segment()

    def _open_segment(self) -> None:
        """Create, preallocate and map the next segment; OSError (disk full) leaves none mapped."""
        self._sequence += 1
        path = self.directory / f"{self._sequence:08d}{SUFFIX}"
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.posix_fallocate(fd, 0, SEGMENT_BYTES)
            self._map = mmap.mmap(fd, SEGMENT_BYTES)
        except OSError:
            path.unlink(missing_ok=True)
            self._sequence -= 1
            raise
        finally:
            os.close(fd)
        self.current = path
        self._map[: len(_HEADER)] = _HEADER
        self.size = len(_HEADER)

    @staticmethod
    def record(row: Sequence[Any]) -> bytes:
        """An event as one line of a segment (`spool_lines`)."""
        return spool_lines.encode(row)

    def append(self, data: bytes) -> bool:
        """Copy one record into the mapped segment (in the page cache now, no system call);
        False when the segment has no room for it (rotate, then try again) or none is mapped."""
        end = self.size + len(data)
        if self._map is None or end > SEGMENT_BYTES:
            return False
        self._map[self.size : end] = data
        self.size = end
        return True

    @property
    def mapped(self) -> bool:
        """A segment is open for appends (not so after a failed rotation, until the next succeeds)."""
        return self._map is not None

    @property
    def empty(self) -> bool:
        return self.size <= len(_HEADER)

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
        return self.current

    def segments(self) -> int:
        return sum(1 for _ in self.directory.glob(f"*{SUFFIX}"))

    @staticmethod
    def remove(path: Path) -> None:
        path.unlink(missing_ok=True)

    def orphans(self) -> Iterator[Path]:
        """Segments of dead processes' directories, each directory taken over under its lock and removed
        after its last segment was handed out (and, by the caller, committed)."""
        for directory in sorted(self.root.iterdir()):
            if directory == self.directory or not directory.is_dir() or directory.name.startswith(".new-") and not _stale(directory):
                continue
            lock = _lock(directory)
            if lock is None:
                continue  # a live edge's
            try:
                yield from sorted(directory.glob(f"*{SUFFIX}"))
                (directory / LOCK).unlink(missing_ok=True)
                directory.rmdir()
            except OSError as error:
                log.warning("could not remove the taken-over spool %s (%s)", directory, error)
            finally:
                os.close(lock)

    def close(self) -> None:
        """Remove this process's directory if every segment is gone (the writer committed them)."""
        if self._close_segment() is not None and self.empty:
            self.current.unlink(missing_ok=True)
        try:
            if not any(self.directory.glob(f"*{SUFFIX}")):
                (self.directory / LOCK).unlink(missing_ok=True)
                self.directory.rmdir()
        finally:
            os.close(self._lock)


def _stale(directory: Path) -> bool:
    """A staging directory left by a process killed between mkdir and rename (its lock is free)."""
    lock = _lock(directory)
    if lock is None:
        return False
    os.close(lock)
    return True
