"""The one class that talks to the event store for analytics.

Reports are plain SQL with ``?`` placeholders that must give the same answers on SQLite and on
DuckDB. DuckDB reads the same SQLite file through its ``sqlite_scanner`` extension, loaded from
the ``duckdb-extension-sqlite-scanner`` wheel (never downloaded at run time), or reads a Parquet
export of the events. Portable SQL, briefly: timestamps are ISO strings compared as strings
(``ts >= ?``), day = ``substr(ts, 1, 10)``; divide with ``* 1.0`` (DuckDB's ``/`` on integers is
float division, SQLite's is integer division); booleans are integers 0/1 on both engines.

The analytics-owned tables (webinar registrants and spans, CRM stages, opportunities and lead follow-ups,
ad spend, sent alerts) have their own
versioned migrations, recorded as component ``analytics`` in the edge's ``schema_version`` table.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from itertools import islice
from pathlib import Path
from typing import Any, Final

from analytics import duck
from analytics.period import iso
from personalize.database import (
    DATABASE_ERRORS,
    Connection,
    PostgresConnection,
    apply_migrations,
    connect,
    connect_sqlite,
    describe,
    insert_events,
    insert_leads,
    migrate_locked,
    store_target,
    with_event_ids,
)
from personalize.errors import UserError
from personalize.events import (
    BOOLEAN_FIELDS,
    EVENT_COLUMNS,
    EVENT_KINDS,
    LEAD_FIELDS,
    LINK_FIELDS,
    NUMERIC_FIELDS,
)

ANALYTICS_SCHEMA_VERSION: Final = 3
BATCH: Final = 5000

#: Analytics-owned tables: name -> columns (all TEXT unless listed in _COLUMN_TYPES).
ANALYTICS_TABLES: Final = {
    "webinar_registrants": (
        "webinar", "name", "email", "company", "account_id", "registered_at", "source", "title", "phone", "answers",
    ),
    "webinar_spans": (
        "webinar", "name", "email", "company", "account_id", "join_ts", "leave_ts", "role", "source",
    ),
    "crm_stages": ("account_id", "stage", "amount", "updated_at", "source"),
    "alerts_sent": ("alert_key", "kind", "account_id", "payload", "sent_at"),
    # version 3: the CRM's opportunities and lead follow-ups (abm import crm), ad spend (abm import spend)
    "crm_opportunities": (
        "opportunity_id", "account_id", "crm_stage", "stage", "outcome", "amount", "created_at", "closed_at",
        "owner", "source",
    ),
    "lead_followups": ("lead_key", "lead_id", "email", "followed_up_at", "result", "source"),
    "spend": ("first_day", "last_day", "utm_source", "utm_medium", "utm_campaign", "channel", "cost", "source"),
}  # fmt: skip
_COLUMN_TYPES: Final = {
    ("crm_stages", "amount"): "DOUBLE PRECISION",
    ("alerts_sent", "alert_key"): "TEXT PRIMARY KEY",
    ("crm_opportunities", "opportunity_id"): "TEXT PRIMARY KEY",
    ("crm_opportunities", "amount"): "DOUBLE PRECISION",
    ("lead_followups", "lead_key"): "TEXT PRIMARY KEY",
    ("spend", "cost"): "DOUBLE PRECISION",
}


#: Columns added after version 1: (version they came with, table, column); all TEXT.
_ADDED_COLUMNS: Final = (
    # what registrants said on the form (job title, phone, the custom questions as a JSON object)
    (2, "webinar_registrants", "title"),
    (2, "webinar_registrants", "phone"),
    (2, "webinar_registrants", "answers"),
)


def _create_table(table: str) -> str:
    """The table as version 1 created it (later columns come from their own migrations)."""
    added = {column for _, name, column in _ADDED_COLUMNS if name == table}
    columns = ", ".join(f"{c} {_COLUMN_TYPES.get((table, c), 'TEXT')}" for c in ANALYTICS_TABLES[table] if c not in added)
    return f"CREATE TABLE IF NOT EXISTS {table} ({columns})"


def _add_columns(version: int) -> tuple[str, ...]:
    return tuple(f"ALTER TABLE {table} ADD COLUMN {column} TEXT" for v, table, column in _ADDED_COLUMNS if v == version)


#: ANALYTICS_MIGRATIONS[i] takes the analytics tables from version i to i + 1.
ANALYTICS_MIGRATIONS: Final = (
    (
        *(_create_table(table) for table in ("webinar_registrants", "webinar_spans", "crm_stages", "alerts_sent")),
        "CREATE INDEX IF NOT EXISTS webinar_spans_webinar ON webinar_spans (webinar)",
        "CREATE INDEX IF NOT EXISTS webinar_registrants_webinar ON webinar_registrants (webinar)",
        "CREATE INDEX IF NOT EXISTS crm_stages_account ON crm_stages (account_id)",
    ),
    _add_columns(2),
    (
        *(_create_table(table) for table in ("crm_opportunities", "lead_followups", "spend")),
        "CREATE INDEX IF NOT EXISTS crm_opportunities_account ON crm_opportunities (account_id)",
        "CREATE INDEX IF NOT EXISTS spend_source ON spend (source)",
    ),
)
assert len(ANALYTICS_MIGRATIONS) == ANALYTICS_SCHEMA_VERSION

_TRUE: Final = {True, "1", "true", "True", "TRUE", "yes"}
_FALSE: Final = {False, "0", "false", "False", "FALSE", "no", "", None}


def migrate_analytics(connection: Connection) -> int:
    """Create or upgrade the analytics-owned tables; return their schema version."""
    return apply_migrations(connection, "analytics", ANALYTICS_MIGRATIONS)


def event_row(row: Mapping[str, Any]) -> tuple[Any, ...]:
    """One event as a tuple in column order; ValueError names the field that is wrong.

    Unknown keys are an error (a misspelt field would otherwise be lost silently); missing
    fields are NULL, booleans 0/1, ``extra`` a JSON object string.
    """
    unknown = set(row) - set(EVENT_COLUMNS)
    if unknown:
        raise ValueError(f"unknown field(s) {', '.join(sorted(unknown))}")
    ts, kind = _stored_ts(row.get("ts")), row.get("kind")
    if kind not in EVENT_KINDS:
        raise ValueError(f"kind: {kind!r} is not one of {', '.join(EVENT_KINDS)}")
    return (ts, *(_event_value(name, row.get(name)) for name in EVENT_COLUMNS[1:]))


def _stored_ts(ts: Any) -> str:
    """The store's spelling of an ISO 8601 time with an offset (other tools write 10:00:00Z or +08:00).

    Reports compare timestamps as text, so every stored one must be spelled the same way.
    """
    try:
        moment = datetime.fromisoformat(ts) if isinstance(ts, str) else None
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise ValueError(f"ts: {ts!r} is not ISO 8601 with a UTC offset, like 2026-11-23T09:15:02.123Z")
    return ts if len(ts) == 24 and ts[10] == "T" and ts[-1] == "Z" else iso(moment)  # spelled right already


def _event_value(name: str, value: Any) -> Any:
    if name in BOOLEAN_FIELDS:
        if value in _TRUE:
            return 1
        if value in _FALSE:
            return 0
        raise ValueError(f"{name}: {value!r} is not a boolean (true/false, 1/0)")
    if value is None or value == "":
        return None
    if name in NUMERIC_FIELDS:
        try:
            return float(value)
        except (TypeError, ValueError):
            raise ValueError(f"{name}: {value!r} is not a number") from None
    if name == "extra":
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except json.JSONDecodeError:
                raise ValueError(f"extra: {value!r} is not JSON") from None
        if not isinstance(value, dict):
            raise ValueError("extra: must be a JSON object")
        return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return str(value)


def _check_columns(table: str, row: Mapping[str, Any], columns: Sequence[str]) -> None:
    unknown = set(row) - set(columns)
    if unknown:
        raise UserError(f"table {table} has no column(s) {', '.join(sorted(unknown))}")


def _dicts(cursor: Any, size: int) -> Iterator[dict[str, Any]]:
    names = [d[0] for d in cursor.description or ()]
    while rows := cursor.fetchmany(size):
        yield from (dict(zip(names, row, strict=True)) for row in rows)


def _batches(items: Iterable[Any], size: int = BATCH) -> Iterator[list[Any]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


class Store:
    """An event store opened for analytics: SQLite for everything, DuckDB for large reads."""

    def __init__(self, location: str, dialect: str, sqlite: Connection | None, duck: Any = None):
        self.location = location
        self.dialect = dialect
        self._sqlite = sqlite
        self._duck = duck

    @classmethod
    def open(cls, db: str | Path, *, engine: str = "sqlite", create: bool = False) -> Store:
        """Open a SQLite store (path or ``sqlite:///path``), a PostgreSQL URL or a Parquet events export.

        A ``.parquet`` file or a directory of them implies DuckDB and is read-only.
        """
        target = store_target(str(db))
        if target.postgres:
            return cls._open_postgres(str(db), engine)
        location = target.location
        path = Path(location)
        if engine not in ("sqlite", "duckdb"):
            raise UserError(f"unknown engine {engine!r}; use sqlite or duckdb")
        if location.endswith(".parquet") or path.is_dir():
            return cls(location, "duckdb", None, duck.open_parquet(path, _parquet_tables(), _NUMERIC))
        if not path.exists() and not create:
            raise UserError(f"no event store at {location}; run `abm serve` or `abm demo traffic` first")
        if create:
            path.parent.mkdir(parents=True, exist_ok=True)
        try:
            connection = connect_sqlite(location)
        except sqlite3.DatabaseError as error:
            raise UserError(f"{location} is not a usable SQLite event store ({error})") from error
        try:
            migrate_analytics(connection)
        except UserError:
            connection.close()
            raise
        reader = duck.open_sqlite(location, connection) if engine == "duckdb" else None
        return cls(location, engine, connection, reader)

    @classmethod
    def _open_postgres(cls, url: str, engine: str) -> Store:
        """The shared store of several edges; reports run in PostgreSQL itself (no DuckDB)."""
        if engine != "sqlite":
            raise UserError(f"--engine {engine} reads SQLite files and Parquet exports; drop it for PostgreSQL")
        try:
            connection = connect(url)
        except DATABASE_ERRORS as error:
            raise UserError(f"cannot open the event store {describe(url)} ({error})") from error
        try:
            migrate_locked(connection, migrate_analytics)
        except BaseException:
            connection.close()
            raise
        return cls(describe(url), "postgresql", connection)

    # --- reading -------------------------------------------------------------------------

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        """Rows as dicts; ``?`` placeholders on both engines."""
        return list(self.stream(sql, params))

    def stream(self, sql: str, params: Sequence[Any] = (), *, size: int = BATCH) -> Iterator[dict[str, Any]]:
        """Rows as dicts, fetched ``size`` at a time (exports of stores larger than memory)."""
        if isinstance(self._sqlite, PostgresConnection):
            with self._sqlite.server_cursor(sql, params) as cursor:
                yield from _dicts(cursor, size)
            return
        if self._duck is not None:
            cursor = self._duck.execute(sql, list(params))
        else:
            assert self._sqlite is not None
            cursor = self._sqlite.execute(sql, tuple(params))
        yield from _dicts(cursor, size)

    def scalar(self, sql: str, params: Sequence[Any] = ()) -> Any:
        rows = self.query(sql, params)
        return next(iter(rows[0].values())) if rows else None

    def tables(self) -> set[str]:
        if self._duck is not None:
            return {row[0] for row in self._duck.execute("SHOW TABLES").fetchall()}
        assert self._sqlite is not None
        if self.dialect == "postgresql":
            sql = "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
        else:
            sql = "SELECT name FROM sqlite_master WHERE type IN ('table', 'view')"
        rows = self._sqlite.execute(sql)
        return {row[0] for row in rows}

    # --- writing (always through SQLite; DuckDB sees the same file) -------------------------

    def insert_events(self, rows: Iterable[Mapping[str, Any]]) -> int:
        """Validate and append events in batches; return how many were new.

        A bad row raises UserError and writes nothing of its batch. An event whose event_id is stored
        already is skipped; one without an id gets its content id, so the same file never counts twice.
        """
        count = 0
        ids = with_event_ids(self._validated(rows))
        for batch in _batches(ids):
            with self._writer() as connection:
                count += insert_events(connection, batch)
        return count

    @staticmethod
    def _validated(rows: Iterable[Mapping[str, Any]]) -> Iterator[tuple[Any, ...]]:
        for row in rows:
            try:
                yield event_row(row)
            except ValueError as error:
                raise UserError(f"bad event: {error}") from error

    def insert_rows(self, table: str, rows: Iterable[Mapping[str, Any]]) -> int:
        """Append rows to any table of the store (leads, webinar_spans, ...) in batches."""
        return self.replace_rows(table, rows, key={})

    def replace_rows(self, table: str, rows: Iterable[Mapping[str, Any]], *, key: Mapping[str, Any]) -> int:
        """Delete the rows matching ``key`` (column -> value) and insert ``rows``, atomically.

        This is how an import is idempotent: the same file for the same webinar replaces itself.
        """
        columns = self._columns(table)
        _check_columns(table, key, columns)
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})"
        count = 0
        with self._writer() as connection:
            if key:
                where = " AND ".join(f"{column} = ?" for column in key)
                connection.execute(f"DELETE FROM {table} WHERE {where}", tuple(key.values()))
            for batch in _batches(rows):
                for row in batch:
                    _check_columns(table, row, columns)
                if table == "leads":  # the contract's table: its inserts are the kernel's
                    insert_leads(connection, batch)
                else:
                    connection.executemany(sql, [tuple(row.get(c) for c in columns) for row in batch])
                count += len(batch)
        return count

    def upsert_rows(self, table: str, rows: Sequence[Mapping[str, Any]], *, key: str) -> int:
        """Replace rows by their id column ``key`` (a re-imported opportunity replaces itself), atomically."""
        columns = self._columns(table)
        _check_columns(table, {key: None}, columns)
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})"
        with self._writer() as connection:
            for batch in _batches(rows):
                for row in batch:
                    _check_columns(table, row, columns)
                ids = [row[key] for row in batch]
                connection.execute(f"DELETE FROM {table} WHERE {key} IN ({', '.join('?' for _ in ids)})", tuple(ids))
                connection.executemany(sql, [tuple(row.get(c) for c in columns) for row in batch])
        return len(rows)

    def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run one writing statement (e.g. ``INSERT ... ON CONFLICT DO NOTHING``); return rows changed."""
        with self._writer() as connection:
            return connection.execute(sql, tuple(params)).rowcount

    def close(self) -> None:
        if self._duck is not None:
            self._duck.close()
        if self._sqlite is not None:
            self._sqlite.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _columns(self, table: str) -> list[str]:
        if table == "events":
            return list(EVENT_COLUMNS)
        if table == "leads":
            return list(LEAD_FIELDS)
        if table == "links":
            return list(LINK_FIELDS)
        if table in ANALYTICS_TABLES:
            return list(ANALYTICS_TABLES[table])
        raise UserError(f"no table {table!r} in the event store")

    @contextmanager
    def _writer(self) -> Iterator[Connection]:
        if self._sqlite is None:
            raise UserError(f"{self.location} is a Parquet export and read-only; import it into a SQLite store")
        with self._sqlite:
            yield self._sqlite


#: Columns read as numbers from a Parquet export (the DOUBLE PRECISION ones).
_NUMERIC: Final = {key for key, kind in _COLUMN_TYPES.items() if kind == "DOUBLE PRECISION"}


def _parquet_tables() -> dict[str, Sequence[str]]:
    """The tables besides events that a Parquet export may hold, with their columns."""
    return {"leads": LEAD_FIELDS, **ANALYTICS_TABLES}
