"""Open the event store a `--db` value names: a SQLite file (the default) or a PostgreSQL URL.

Several edge processes or hosts share one PostgreSQL; everything else writes the same SQL for both.
A PostgreSQL connection is wrapped to speak like `sqlite3`: ``?`` placeholders, ``with connection:``
is one transaction, booleans and whole-number sums come back as Python ints, and a connection the
server dropped is replaced on next use, so a writer survives a database restart. psycopg is an
optional dependency (``pip install 'abm-site[postgres]'``), imported only for a PostgreSQL URL.
Create the database with the C collation (``CREATE DATABASE abm LC_COLLATE 'C' TEMPLATE template0``)
so text sorts byte by byte as in SQLite; exports then come out in the same order from both.
"""

from __future__ import annotations

import logging
import re
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from types import TracebackType
from typing import Any, Protocol
from urllib.parse import urlsplit, urlunsplit

from personalize.errors import UserError
from personalize.events import connect_sqlite, migrate

log = logging.getLogger("abm.store")

POSTGRES_SCHEMES = ("postgresql://", "postgres://")
SQLITE_PREFIX = "sqlite:///"
#: pg_advisory_lock key held while migrating, so edges starting at once never race ("abm" in ASCII).
MIGRATION_LOCK = 0x61626D


class Connection(Protocol):
    """What the edge and analytics use of a connection: sqlite3's own interface."""

    def execute(self, sql: str, parameters: Sequence[Any] = ..., /) -> Any: ...
    def executemany(self, sql: str, parameters: Iterable[Sequence[Any]], /) -> Any: ...
    def close(self) -> None: ...
    def __enter__(self) -> Any: ...
    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None, /
    ) -> bool | None: ...


def is_postgres(db: str) -> bool:
    return db.startswith(POSTGRES_SCHEMES)


def sqlite_path(db: str) -> str:
    return db.removeprefix(SQLITE_PREFIX)


def describe(db: str) -> str:
    """The store for messages and logs: a PostgreSQL URL with its password hidden."""
    if not is_postgres(db):
        return sqlite_path(db)
    parts = urlsplit(db)
    if parts.password is None:
        return db
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=f"{parts.username or ''}:***@{host}"))


def _psycopg() -> Any:
    try:
        import psycopg
    except ImportError:
        raise UserError(
            "a PostgreSQL event store needs psycopg: pip install 'abm-site[postgres]'"
        ) from None
    return psycopg


def _errors() -> tuple[tuple[type[Exception], ...], tuple[type[Exception], ...]]:
    """(errors worth retrying later, every database error) of the installed drivers."""
    try:
        import psycopg
    except ImportError:
        return (sqlite3.OperationalError,), (sqlite3.Error,)
    retry = (sqlite3.OperationalError, psycopg.OperationalError, psycopg.InterfaceError)
    return retry, (sqlite3.Error, psycopg.Error)


#: Locked, busy, disk full, server down: the rows wait and are written later.
RETRYABLE, DATABASE_ERRORS = _errors()


def connect(db: str, *, timeout: float = 5.0, upgrade: bool = True) -> Connection:
    """Open the store (a SQLite file is created); its event tables are created or upgraded.

    ``upgrade=False`` only connects: for a store this process has already opened once, so a
    frequent short connection (one per lead) skips the migration check and its lock.
    """
    if not is_postgres(db):
        return connect_sqlite(sqlite_path(db), timeout=timeout, upgrade=upgrade)
    connection = PostgresConnection(db, timeout=timeout)
    if not upgrade:
        return connection
    try:
        migrate_locked(connection, migrate)
        if connection.execute("SELECT 'a' < 'B'").fetchone()[0]:  # bytes: 'B' (0x42) < 'a' (0x61)
            log.warning("%s sorts text by a locale, not byte by byte; exports may be ordered unlike SQLite's", describe(db))
    except BaseException:
        connection.close()
        raise
    return connection


def migrate_locked(connection: Connection, apply: Callable[[Any], int]) -> int:
    """Run migrations; on PostgreSQL under an advisory lock, since CREATE ... IF NOT EXISTS races there."""
    if not isinstance(connection, PostgresConnection):
        return apply(connection)
    connection.execute("SELECT pg_advisory_lock(?)", (MIGRATION_LOCK,))
    try:
        return apply(connection)
    finally:
        connection.execute("SELECT pg_advisory_unlock(?)", (MIGRATION_LOCK,))


_PLACEHOLDER = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|\?|%")


@lru_cache(maxsize=512)
def postgres_sql(sql: str) -> str:
    """``?`` -> ``%s`` outside quoted text, ``%`` -> ``%%`` everywhere (psycopg's own escape)."""

    def swap(match: re.Match[str]) -> str:
        token = match.group()
        if token == "?":
            return "%s"
        return token.replace("%", "%%")

    return _PLACEHOLDER.sub(swap, sql)


class PostgresConnection:
    """A psycopg connection with sqlite3's manners (see the module docstring)."""

    dialect = "postgresql"

    def __init__(self, url: str, *, timeout: float = 5.0) -> None:
        self._psycopg = _psycopg()
        self.url = url
        self.timeout = timeout
        self._connection: Any = None
        self._transaction: Any = None
        self._live()  # fail now (bad URL, server down, wrong password), not on first use

    def _live(self) -> Any:
        """The open connection; a new one if the server dropped the old one between transactions."""
        if self._connection is not None and not self._connection.closed:
            return self._connection
        if self._transaction is not None:
            raise self._psycopg.OperationalError("the connection was lost during a transaction")
        connection = self._psycopg.connect(
            self.url, autocommit=True, connect_timeout=max(2, round(self.timeout)), application_name="abm-site"
        )
        connection.adapters.register_loader("numeric", _number_loader(self._psycopg))
        self._connection = connection
        return connection

    def execute(self, sql: str, parameters: Sequence[Any] = (), /) -> Any:
        return self._live().execute(postgres_sql(sql), tuple(parameters))

    def executemany(self, sql: str, parameters: Iterable[Sequence[Any]], /) -> Any:
        cursor = self._live().cursor()
        cursor.executemany(postgres_sql(sql), [tuple(row) for row in parameters])
        return cursor

    @contextmanager
    def server_cursor(self, sql: str, parameters: Sequence[Any] = ()) -> Iterator[Any]:
        """A cursor that fetches from the server as it is read (exports of stores larger than memory)."""
        with self:
            cursor = self._connection.cursor(name="abm_stream")
            try:
                cursor.execute(postgres_sql(sql), tuple(parameters))
                yield cursor
            finally:
                cursor.close()

    def __enter__(self) -> PostgresConnection:
        transaction = self._live().transaction()
        transaction.__enter__()
        self._transaction = transaction
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None, /
    ) -> None:
        transaction, self._transaction = self._transaction, None
        if self._connection.closed:  # the server went away: nothing to commit or roll back
            return
        transaction.__exit__(kind, error, trace)

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()


def _number_loader(psycopg: Any) -> type:
    """NUMERIC (PostgreSQL's SUM of bigints, AVG) as SQLite returns it: int when whole, else float."""

    class NumberLoader(psycopg.adapt.Loader):
        def load(self, data: Any) -> int | float:
            text = bytes(data).decode()
            return int(text) if text.lstrip("-").isdigit() else float(text)

    return NumberLoader
