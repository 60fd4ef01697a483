"""PostgreSQL with sqlite3's manners, for `personalize.database`: a connection, bulk inserts by COPY, a pool.

`PostgresConnection` wraps a psycopg connection: ``?`` placeholders, ``with connection:`` is one
transaction, whole-number sums come back as ints, and a connection the server dropped is replaced
on next use, so a writer survives a database restart. `copy_skipping` bulk-inserts by ``COPY`` into
a per-session staging table and one ``INSERT ... SELECT ... ON CONFLICT DO NOTHING``: the rows cross
as one stream instead of one statement per few dozen rows, and a key already stored is still
skipped. `PostgresPool` keeps a few connections open for short, frequent writes (the lead form).
psycopg (and psycopg_pool) are imported only here, and only for a PostgreSQL URL.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from types import TracebackType
from typing import Any

from personalize.errors import UserError

APPLICATION_NAME = "abm-site"
_PLACEHOLDER = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|\?|%")


def psycopg_module() -> Any:
    try:
        import psycopg
    except ImportError:
        raise UserError("a PostgreSQL event store needs psycopg: pip install 'abm-site[postgres]'") from None
    return psycopg


@lru_cache(maxsize=512)
def postgres_sql(sql: str) -> str:
    """``?`` -> ``%s`` outside quoted text, ``%`` -> ``%%`` everywhere (psycopg's own escape)."""

    def swap(match: re.Match[str]) -> str:
        token = match.group()
        if token == "?":
            return "%s"
        return token.replace("%", "%%")

    return _PLACEHOLDER.sub(swap, sql)


def _connect_options(timeout: float) -> dict[str, Any]:
    return {"autocommit": True, "connect_timeout": max(2, round(timeout)), "application_name": APPLICATION_NAME}


def _configure(connection: Any) -> None:
    """What every connection of ours gets: NUMERIC read back as SQLite returns it."""
    connection.adapters.register_loader("numeric", _number_loader(psycopg_module()))


class PostgresConnection:
    """A psycopg connection with sqlite3's manners (see the module docstring).

    Given ``borrowed`` (a pool's connection), it neither reconnects nor closes it: the pool does.
    """

    dialect = "postgresql"

    def __init__(self, url: str, *, timeout: float = 5.0, borrowed: Any = None) -> None:
        self._psycopg = psycopg_module()
        self.url = url
        self.timeout = timeout
        self._connection: Any = borrowed
        self._borrowed = borrowed is not None
        self._transaction: Any = None
        self._staged: dict[str, Any] = {}  # table -> the session its staging table was created in
        self._live()  # fail now (bad URL, server down, wrong password), not on first use

    def _live(self) -> Any:
        """The open connection; a new one if the server dropped the old one between transactions."""
        if self._connection is not None and not self._connection.closed:
            return self._connection
        if self._transaction is not None or self._borrowed:
            raise self._psycopg.OperationalError("the connection was lost during a transaction")
        connection = self._psycopg.connect(self.url, **_connect_options(self.timeout))
        _configure(connection)
        self._connection = connection
        return connection

    def execute(self, sql: str, parameters: Sequence[Any] = (), /) -> Any:
        return self._live().execute(postgres_sql(sql), tuple(parameters))

    def executemany(self, sql: str, parameters: Iterable[Sequence[Any]], /) -> Any:
        cursor = self._live().cursor()
        cursor.executemany(postgres_sql(sql), [tuple(row) for row in parameters])
        return cursor

    def copy_skipping(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]], key: str) -> int:
        """Insert rows by COPY, skipping those whose ``key`` the table has; return how many were new.

        One transaction (the caller's, or its own): the staging table is emptied at its commit.
        """
        if self._transaction is None:
            with self:
                return self.copy_skipping(table, columns, rows, key)
        staging = f"abm_staging_{table}"
        names = ", ".join(columns)
        connection = self._live()
        cursor = connection.cursor()
        if self._staged.get(table) is not connection:  # a temporary table lives as long as its session
            cursor.execute(
                f"CREATE TEMPORARY TABLE IF NOT EXISTS {staging} (LIKE {table} INCLUDING DEFAULTS) ON COMMIT DELETE ROWS"
            )
            self._staged[table] = connection
        with cursor.copy(f"COPY {staging} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        cursor.execute(f"INSERT INTO {table} ({names}) SELECT {names} FROM {staging} ON CONFLICT ({key}) DO NOTHING")
        return max(cursor.rowcount, 0)

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
        if kind is not None:
            self._staged.clear()  # a staging table made in this transaction is rolled back with it
        if self._connection.closed:  # the server went away: nothing to commit or roll back
            return
        try:
            transaction.__exit__(kind, error, trace)
        except BaseException:
            self._staged.clear()
            raise

    def close(self) -> None:
        if self._connection is not None and not self._borrowed:
            self._connection.close()


class PostgresPool:
    """A few open connections, lent one at a time (`psycopg_pool`): a lead costs no connect or TLS handshake.

    Each is checked before it is lent, so after a database restart the dead ones are replaced. A
    connection that cannot be made is retried for `timeout` seconds and then given up, so a later
    borrower starts a fresh attempt at once instead of waiting out a long backoff; a borrower waits
    `timeout` seconds at most, then gets psycopg_pool's PoolTimeout (a psycopg.OperationalError).
    """

    def __init__(self, url: str, *, size: int, timeout: float = 3.0, name: str = "abm") -> None:
        psycopg_module()
        try:
            from psycopg_pool import ConnectionPool
        except ImportError:
            raise UserError("a PostgreSQL event store needs psycopg_pool: pip install 'abm-site[postgres]'") from None
        self.url = url
        self.timeout = timeout
        self._pool = ConnectionPool(
            url, min_size=1, max_size=size, kwargs=_connect_options(timeout), configure=_configure,
            check=ConnectionPool.check_connection, timeout=timeout, reconnect_timeout=timeout, name=name, open=True,
        )  # fmt: skip

    @contextmanager
    def connection(self) -> Iterator[PostgresConnection]:
        """A connection of the pool for one unit of work; back in the pool afterwards (discarded if broken)."""
        with self._pool.connection(timeout=self.timeout) as borrowed:
            yield PostgresConnection(self.url, timeout=self.timeout, borrowed=borrowed)

    def close(self) -> None:
        self._pool.close(timeout=self.timeout)


def _number_loader(psycopg: Any) -> type:
    """NUMERIC (PostgreSQL's SUM of bigints, AVG) as SQLite returns it: int when whole, else float."""

    class NumberLoader(psycopg.adapt.Loader):
        def load(self, data: Any) -> int | float:
            text = bytes(data).decode()
            return int(text) if text.lstrip("-").isdigit() else float(text)

    return NumberLoader
