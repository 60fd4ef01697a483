"""Copy a whole event store to another (SQLite <-> PostgreSQL), resumable, and prove the copy is equal.

Moving the demo's SQLite file to the PostgreSQL several edges share, or back for a laptop: every
table is copied in a fixed order (all columns, NULLs first), in batches; each batch commits together
with the number of rows copied so far (`store_copy_progress` in the target), so a copy that was
interrupted continues where it stopped. At the end each table's row count and an order-independent
checksum of its rows must be equal on both sides.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Generator
from contextlib import closing
from dataclasses import dataclass
from typing import Any

from analytics.store import Store
from personalize.database import Connection, PostgresConnection, connect, describe, is_postgres
from personalize.errors import UserError

BATCH = 1000
PROGRESS = "store_copy_progress"
#: Bookkeeping of each store itself, not data to copy.
SKIPPED = frozenset({"schema_version", PROGRESS})


@dataclass(frozen=True)
class TableCheck:
    table: str
    rows: int
    checksum: str  # hex; equal on both sides when the rows are


def tables(connection: Connection) -> list[str]:
    if isinstance(connection, PostgresConnection):
        sql = "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
    else:
        sql = "SELECT name FROM sqlite_master WHERE type = 'table'"
    return sorted(row[0] for row in connection.execute(sql) if row[0] not in SKIPPED)


def columns(connection: Connection, table: str) -> list[str]:
    return [column[0] for column in connection.execute(f"SELECT * FROM {table} WHERE 1 = 0").description]


def _ordered(table: str, names: list[str]) -> str:
    order = ", ".join(f"{name} NULLS FIRST" for name in names)
    return f"SELECT {', '.join(names)} FROM {table} ORDER BY {order}"


def _rows(connection: Connection, sql: str, params: tuple[Any, ...] = ()) -> Generator[tuple[Any, ...], None, None]:
    """Rows as they are read, also from a PostgreSQL store larger than memory."""
    if isinstance(connection, PostgresConnection):
        with connection.server_cursor(sql, params) as cursor:
            while batch := cursor.fetchmany(BATCH):
                yield from (tuple(row) for row in batch)
        return
    yield from connection.execute(sql, params)


def _row_hash(row: tuple[Any, ...]) -> int:
    text = json.dumps([float(v) if isinstance(v, int | float) and not isinstance(v, bool) else v for v in row],
                      ensure_ascii=False, default=str)  # fmt: skip
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")


def check(connection: Connection, table: str, names: list[str]) -> TableCheck:
    """Row count and the sum of the rows' hashes (mod 2^64): the same rows give the same, in any order."""
    count, total = 0, 0
    for row in _rows(connection, f"SELECT {', '.join(names)} FROM {table}"):
        count += 1
        total = (total + _row_hash(row)) % 2**64
    return TableCheck(table, count, f"{total:016x}")


def _open(db: str, *, create: bool) -> Connection:
    """A connection to a store whose tables are all there (events and analytics ones, migrated)."""
    if not create and not is_postgres(db):
        Store.open(db).close()  # says so when there is no store at that path
    else:
        Store.open(db, create=True).close()
    connection = connect(db)
    connection.execute(
        f"CREATE TABLE IF NOT EXISTS {PROGRESS} (source TEXT NOT NULL, table_name TEXT NOT NULL, "
        "copied INTEGER NOT NULL, PRIMARY KEY (source, table_name))"
    )
    return connection


def _copied(target: Connection, source: str, table: str) -> int:
    row = target.execute(f"SELECT copied FROM {PROGRESS} WHERE source = ? AND table_name = ?", (source, table)).fetchone()
    if row is not None:
        return int(row[0])
    present = target.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
    if present:
        raise UserError(f"the target already holds {present} row(s) in {table} that are not from this copy; "
                        "copy into an empty store")  # fmt: skip
    return 0


def count_rows(db: str) -> int:
    connection = _open(db, create=False)
    try:
        return sum(int(connection.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]) for t in tables(connection))
    finally:
        connection.close()


def copy_store(
    source_db: str, target_db: str, *, advance: Callable[[int], None] = lambda n: None
) -> list[tuple[TableCheck, TableCheck]]:
    """Copy every table; return each table's (source, target) check. `advance(n)` after each committed batch."""
    if describe(source_db) == describe(target_db):
        raise UserError("--db and --to name the same store")
    source, target = _open(source_db, create=False), _open(target_db, create=True)
    label = describe(source_db)
    try:
        for table in tables(source):
            names = columns(source, table)
            if table not in tables(target) or set(names) - set(columns(target, table)):
                raise UserError(f"{describe(target_db)} has no table {table} with columns {', '.join(names)}; "
                                "upgrade abm-site where it was made")  # fmt: skip
            done = _copied(target, label, table)
            advance(done)
            insert = f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})"
            batch: list[tuple[Any, ...]] = []
            with closing(_rows(source, _ordered(table, names) + _skip(source, done))) as rows:  # closed before its store
                for row in rows:
                    batch.append(row)
                    if len(batch) == BATCH:
                        done = _commit(target, insert, batch, label, table, done)
                        advance(len(batch))
                        batch = []
            if batch or done == 0:
                done = _commit(target, insert, batch, label, table, done)
                advance(len(batch))
        return [(check(source, t, columns(source, t)), check(target, t, columns(source, t))) for t in tables(source)]
    finally:
        source.close()
        target.close()


def _skip(connection: Connection, rows: int) -> str:
    """Past the rows an earlier run copied (SQLite needs a LIMIT before OFFSET)."""
    return f" OFFSET {rows}" if isinstance(connection, PostgresConnection) else f" LIMIT -1 OFFSET {rows}"


def _commit(target: Connection, insert: str, batch: list[tuple[Any, ...]], source: str, table: str, done: int) -> int:
    """Write a batch and the new count of rows copied in one transaction: a resume never doubles nor skips."""
    with target:
        if batch:
            target.executemany(insert, batch)
        target.execute(
            f"INSERT INTO {PROGRESS} (source, table_name, copied) VALUES (?, ?, ?) "
            "ON CONFLICT (source, table_name) DO UPDATE SET copied = excluded.copied",
            (source, table, done + len(batch)),
        )
    return done + len(batch)
