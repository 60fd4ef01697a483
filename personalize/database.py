"""The one owner of the event store: a `--db` value's target, connections, migrations and the inserts.

A `--db` value names a SQLite file (the default) or a PostgreSQL URL; `store_target` reads it once.
The edge's writer, its lead form and analytics all open, migrate and insert through this module.

Several edge processes or hosts share one PostgreSQL; everything else writes the same SQL for both.
A PostgreSQL connection (`personalize.postgres`) speaks like `sqlite3` and survives a database
restart; event batches go in by COPY there, by multi-row INSERT into SQLite, and both skip an
event_id the store has. psycopg is an optional dependency (``pip install 'abm-site[postgres]'``),
imported only for a PostgreSQL URL. Create the database with the C collation
(``CREATE DATABASE abm LC_COLLATE 'C' TEMPLATE template0``) so text sorts byte by byte as in SQLite;
exports then come out in the same order from both.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import lru_cache
from itertools import chain
from types import TracebackType
from typing import Any, NamedTuple, Protocol
from urllib.parse import urlsplit, urlunsplit

from personalize.errors import UserError
from personalize.event_ids import CONTENT_COLUMNS, ContentIds
from personalize.event_ids import with_event_ids as with_event_ids  # analytics' imports use it
from personalize.events import BACKFILL_EVENT_IDS, EVENT_COLUMNS, ID_FIELD, LEAD_FIELDS, LINK_FIELDS, MIGRATIONS
from personalize.postgres import PostgresConnection as PostgresConnection  # analytics' imports use it
from personalize.postgres import PostgresPool
from personalize.postgres import postgres_sql as postgres_sql

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


class StoreTarget(NamedTuple):
    """What a `--db` value names: a PostgreSQL URL, or a SQLite file path (``sqlite:///`` stripped)."""

    postgres: bool
    location: str


def store_target(db: str) -> StoreTarget:
    """The one reading of a `--db` value, for every command and the edge."""
    if db.startswith(POSTGRES_SCHEMES):
        return StoreTarget(True, db)
    return StoreTarget(False, db.removeprefix(SQLITE_PREFIX))


def is_postgres(db: str) -> bool:
    return store_target(db).postgres


def sqlite_path(db: str) -> str:
    return store_target(db).location


def describe(db: str) -> str:
    """The store for messages and logs: a PostgreSQL URL with its password hidden."""
    if not is_postgres(db):
        return sqlite_path(db)
    parts = urlsplit(db)
    if parts.password is None:
        return db
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=f"{parts.username or ''}:***@{host}"))


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
    target = store_target(db)
    if not target.postgres:
        return connect_sqlite(target.location, timeout=timeout, upgrade=upgrade)
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


def connect_sqlite(path: str, *, timeout: float = 5.0, upgrade: bool = True) -> sqlite3.Connection:
    """Open a SQLite event store in WAL mode; create or upgrade its tables unless ``upgrade`` is off
    (for a store this process already opened once, e.g. per lead)."""
    connection = sqlite3.connect(path, timeout=timeout, check_same_thread=False)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
    if upgrade:
        migrate(connection)
    return connection


def migrate(connection: Connection) -> int:
    """Apply the event-store migrations this store is missing; return its version now."""
    return apply_migrations(connection, "events", MIGRATIONS)


def apply_migrations(
    connection: Connection, component: str, migrations: Sequence[Sequence[str]]
) -> int:
    """Bring one component's tables up to ``len(migrations)``, recorded in ``schema_version``.

    Each wing versions its own tables under its own component name in the same store.
    """
    target = len(migrations)
    connection.execute(
        "CREATE TABLE IF NOT EXISTS schema_version (component TEXT PRIMARY KEY, version INTEGER NOT NULL)"
    )
    row = connection.execute(
        "SELECT version FROM schema_version WHERE component = ?", (component,)
    ).fetchone()
    current = row[0] if row else 0
    if current > target:
        raise UserError(
            f"the {component} tables of this store are at schema version {current}, newer than "
            f"this abm-site ({target}); upgrade abm-site before opening it"
        )
    with connection:
        for version in range(current, target):
            for statement in migrations[version]:
                if statement == BACKFILL_EVENT_IDS:
                    backfill_event_ids(connection)
                else:
                    connection.execute(statement)
        connection.execute(
            "INSERT INTO schema_version (component, version) VALUES (?, ?) "
            "ON CONFLICT (component) DO UPDATE SET version = excluded.version",
            (component, target),
        )
    return target


#: Rows per INSERT statement: 32 x 30 parameters stay under the 999 of SQLite builds before 3.32.
ROWS_PER_STATEMENT = 32
_INSERT_EVENT = f"INSERT INTO events ({', '.join(EVENT_COLUMNS)}) VALUES ({', '.join('?' * len(EVENT_COLUMNS))})"
#: An event already stored (a retried batch, a replayed spool, a re-imported export) is skipped.
_SKIP_STORED = f" ON CONFLICT ({ID_FIELD}) DO NOTHING"
_INSERT_LEAD = f"INSERT INTO leads ({', '.join(LEAD_FIELDS)}) VALUES ({', '.join('?' * len(LEAD_FIELDS))})"
#: A lead the edge takes: one already stored (a proxy re-sent its post to another edge) is skipped.
_INSERT_NEW_LEAD = _INSERT_LEAD + " ON CONFLICT (lead_id) DO NOTHING"


@lru_cache(maxsize=ROWS_PER_STATEMENT)
def _insert_events_sql(count: int) -> str:
    """One INSERT of ``count`` event rows."""
    return _INSERT_EVENT + f", ({', '.join('?' * len(EVENT_COLUMNS))})" * (count - 1) + _SKIP_STORED


def insert_events(connection: Connection, rows: Sequence[Sequence[Any]]) -> int:
    """Insert event rows (EVENT_COLUMNS order) in the caller's transaction; return how many were new (an
    event_id already stored is skipped). PostgreSQL takes them by COPY, SQLite by multi-row INSERTs."""
    if isinstance(connection, PostgresConnection):
        return connection.copy_skipping("events", EVENT_COLUMNS, rows, ID_FIELD)
    return insert_event_statements(connection, rows)


def insert_event_statements(connection: Connection, rows: Sequence[Sequence[Any]]) -> int:
    """`insert_events` by INSERT statements of ROWS_PER_STATEMENT rows each (SQLite's path; the COPY benchmark's baseline).

    One statement per chunk, not per row: each statement is a round of Python around SQLite's C,
    and the writer's CPU is taken from the same two cores as the pages'.
    """
    inserted = 0
    for start in range(0, len(rows), ROWS_PER_STATEMENT):
        chunk = rows[start : start + ROWS_PER_STATEMENT]
        cursor = connection.execute(_insert_events_sql(len(chunk)), list(chain.from_iterable(chunk)))
        inserted += max(cursor.rowcount, 0)
    return inserted


def backfill_event_ids(connection: Connection, chunk: int = 5000) -> None:
    """Give every event stored before version 5 its content id, in chunks by physical row key."""
    postgres = isinstance(connection, PostgresConnection)
    key, after = ("ctid", "(0,0)") if postgres else ("rowid", -(2**63))
    compare = "ctid > ?::tid" if postgres else "rowid > ?"
    columns = ", ".join(CONTENT_COLUMNS)
    update = f"UPDATE events SET {ID_FIELD} = ? WHERE {key} = ?" + ("::tid" if postgres else "")
    ids = ContentIds()
    while True:
        rows = connection.execute(
            f"SELECT {key}, {columns} FROM events WHERE {ID_FIELD} IS NULL AND {compare} ORDER BY {key} LIMIT {chunk}",
            (after,),
        ).fetchall()
        if not rows:
            return
        connection.executemany(update, [(ids(content), physical) for physical, *content in rows])
        after = str(rows[-1][0]) if postgres else rows[-1][0]


def insert_leads(connection: Connection, rows: Iterable[Mapping[str, Any]]) -> None:
    """Insert lead rows (every LEAD_FIELDS column, missing ones NULL) in the caller's transaction."""
    connection.executemany(_INSERT_LEAD, [[row.get(name) for name in LEAD_FIELDS] for row in rows])


_INSERT_DELIVERY = (
    "INSERT INTO lead_deliveries (lead_id, webhook_id, status, attempts, next_attempt_at, created_at) "
    "VALUES (?, ?, 'pending', 0, ?, ?)"
)


def write_lead(db: str, row: Mapping[str, Any], webhook_ids: Sequence[str] = (), *, timeout: float = 3.0) -> bool:
    """Insert one lead and a pending delivery per webhook (the outbox), committed together before returning;
    any of DATABASE_ERRORS means neither was stored. False: the store had this lead_id already (a proxy's
    retry of a post whose first edge stored it and died before answering), and nothing was added.

    The store was opened and migrated once at start-up, so this only connects.
    """
    connection = connect(db, timeout=timeout, upgrade=False)
    try:
        return _store_lead(connection, row, webhook_ids)
    finally:
        connection.close()


def _store_lead(connection: Connection, row: Mapping[str, Any], webhook_ids: Sequence[str]) -> bool:
    with connection:
        cursor = connection.execute(_INSERT_NEW_LEAD, [row.get(name) for name in LEAD_FIELDS])
        if cursor.rowcount == 0:  # stored before, with its deliveries
            return False
        due = row.get("ts")  # the lead's own time: due at once
        connection.executemany(_INSERT_DELIVERY, [(row["lead_id"], webhook, due, due) for webhook in webhook_ids])
    return True


class LeadWriter:
    """`write_lead` for a process that takes many leads: on PostgreSQL over a pool of at most `pool_size`
    connections (opened on the first lead, so a process that never takes one never connects), on SQLite
    one short connection per lead as before. `close()` at shutdown."""

    def __init__(self, db: str, *, pool_size: int = 4, timeout: float = 3.0) -> None:
        self.db = db
        self.pool_size = pool_size
        self.timeout = timeout
        self._pool: PostgresPool | None = None
        self._lock = threading.Lock()

    def write(self, row: Mapping[str, Any], webhook_ids: Sequence[str] = ()) -> bool:
        """Like `write_lead`: committed before it returns (False: it was stored before), or a DATABASE_ERRORS
        error and nothing stored."""
        if not is_postgres(self.db):
            return write_lead(self.db, row, webhook_ids, timeout=self.timeout)
        with self._lock:
            if self._pool is None:
                self._pool = PostgresPool(self.db, size=self.pool_size, timeout=self.timeout, name="abm-leads")
            pool = self._pool
        with pool.connection() as connection:
            return _store_lead(connection, row, webhook_ids)

    def close(self) -> None:
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.close()


_INSERT_LINK = (
    f"INSERT INTO links ({', '.join(LINK_FIELDS)}) VALUES ({', '.join('?' * len(LINK_FIELDS))}) "
    f"ON CONFLICT (link_id) DO UPDATE SET {', '.join(f'{n} = excluded.{n}' for n in LINK_FIELDS[1:])}"
)


def record_link(db: str, row: Mapping[str, Any]) -> None:
    """Store one share link `abm link` made (every LINK_FIELDS column, missing ones NULL).

    The same token made twice is one link: its row is replaced, never doubled.
    """
    connection = connect(db)
    try:
        with connection:
            connection.execute(_INSERT_LINK, [row.get(name) for name in LINK_FIELDS])
    finally:
        connection.close()


def existing_tables(connection: Connection) -> set[str]:
    """The tables of this store (other wings create theirs lazily: erasure and retention ask first)."""
    if isinstance(connection, PostgresConnection):
        sql = "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
    else:
        sql = "SELECT name FROM sqlite_master WHERE type = 'table'"
    return {row[0] for row in connection.execute(sql).fetchall()}


def migrate_locked(connection: Connection, apply: Callable[[Any], int]) -> int:
    """Run migrations; on PostgreSQL under an advisory lock, since CREATE ... IF NOT EXISTS races there."""
    if not isinstance(connection, PostgresConnection):
        return apply(connection)
    connection.execute("SELECT pg_advisory_lock(?)", (MIGRATION_LOCK,))
    try:
        return apply(connection)
    finally:
        connection.execute("SELECT pg_advisory_unlock(?)", (MIGRATION_LOCK,))
