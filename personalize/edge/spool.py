"""The event spool: every accepted event is in a local file before its page is answered.

The in-memory buffer of `event_writer` dies with its process; the spool does not. Each event is
appended to the current segment of this process's own directory with one ``os.write`` on an
``O_APPEND`` descriptor (no fsync on the request path): once written it is in the kernel, so a
``kill -9`` of the edge loses nothing. A power loss can still cost what the OS page cache held
and had not written back (Linux: up to ``vm.dirty_expire_centisecs``, 30 s by default) of the
segments not yet committed to the store.

Layout: ``<spool_dir>/<host>-<pid>-<random>/`` per edge process, holding a ``lock`` file (flock,
held for the process's life) and segments ``00000001.events`` … (a JSON header line naming the
columns, then one JSON array per event). The writer rotates a segment once it is big and deletes
it once its rows are committed. A directory whose lock can be taken belongs to a dead process:
a starting edge takes it over under that lock and replays it (the store skips event_ids it has).
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import secrets
import socket
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from personalize.events import EVENT_COLUMNS

log = logging.getLogger("abm.edge.spool")

SUFFIX = ".events"
LOCK = "lock"
#: A segment this big is rotated: small enough to replay in a moment, big enough to rotate rarely.
SEGMENT_BYTES = 4 << 20
_HEADER = (json.dumps({"columns": list(EVENT_COLUMNS)}) + "\n").encode()
_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


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
    with path.open("rb") as lines:
        header = lines.readline()
        try:
            columns = json.loads(header)["columns"]
        except (ValueError, KeyError, TypeError):
            log.error("spool segment %s has no header; skipped", path)
            return
        for number, line in enumerate(lines, 2):
            try:
                values = json.loads(line)
            except ValueError:
                log.error("spool segment %s line %d is torn; skipped", path, number)
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
        self._fd = -1
        self.size = 0
        self.failures = 0
        self.last_error: str | None = None
        self._open_segment()

    def _open_segment(self) -> None:
        self._sequence += 1
        self.current = self.directory / f"{self._sequence:08d}{SUFFIX}"
        self._fd = os.open(self.current, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        os.write(self._fd, _HEADER)
        self.size = len(_HEADER)

    def append(self, row: Sequence[Any]) -> bool:
        """Write one event into the kernel (one write call); False (counted) if the disk refused it."""
        data = (_dumps(row) + "\n").encode()
        try:
            os.write(self._fd, data)
        except OSError as error:
            self.failures += 1
            self.last_error = f"spool write failed: {error}"
            return False
        self.size += len(data)
        return True

    def rotate(self) -> Path:
        """Close the current segment and start the next; return the closed one's path."""
        closed = self.current
        os.close(self._fd)
        try:
            self._open_segment()
        except OSError as error:  # disk full: keep appending to the old segment rather than lose events
            self.failures += 1
            self.last_error = f"spool rotation failed: {error}"
            self._sequence -= 1
            self.current = closed
            self._fd = os.open(closed, os.O_WRONLY | os.O_APPEND)
            raise
        return closed

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
        os.close(self._fd)
        if self.size == len(_HEADER):
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
