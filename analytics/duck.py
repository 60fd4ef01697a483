"""DuckDB for large reads: over a SQLite store (through the extension wheel, else via Arrow) or a Parquet export.

Nothing is downloaded at run time: the sqlite_scanner extension comes as a wheel pinned to duckdb's
exact version, and when it is missing the tables are copied in through Arrow, so reports never break.
"""

from __future__ import annotations

import importlib.util
import sqlite3
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from personalize.errors import UserError
from personalize.events import BOOLEAN_FIELDS


def _connect() -> Any:
    import duckdb

    return duckdb.connect(config={"autoinstall_known_extensions": False})


def sqlite_extension_path() -> Path | None:
    """The sqlite_scanner extension shipped as a wheel for this exact duckdb version, if installed."""
    import duckdb

    spec = importlib.util.find_spec("duckdb_extension_sqlite_scanner")
    if spec is None or not spec.submodule_search_locations:
        return None
    base = Path(next(iter(spec.submodule_search_locations)))
    path = base / "extensions" / f"v{duckdb.__version__}" / "sqlite_scanner.duckdb_extension"
    return path if path.is_file() else None


def open_sqlite(location: str, connection: sqlite3.Connection) -> Any:
    """DuckDB over the SQLite file: attached through the extension wheel when it matches duckdb,
    else the tables copied in through Arrow (slower, same results) so reports never break."""
    duck = _connect()
    extension = sqlite_extension_path()
    if extension is not None:
        duck.execute(f"LOAD '{extension}'")
        duck.execute(f"ATTACH {_sql_list([location])[1:-1]} AS store (TYPE sqlite, READ_ONLY)")
        duck.execute("USE store")
        return duck
    import pyarrow as pa

    for (table,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall():
        cursor = connection.execute(f"SELECT * FROM {table}")
        names = [d[0] for d in cursor.description]
        types = {row[1]: row[2] for row in connection.execute(f"PRAGMA table_info({table})")}
        columns = list(zip(*cursor.fetchall(), strict=True)) or [()] * len(names)
        arrow = pa.table({n: pa.array(list(c), type=_arrow_type(types[n])) for n, c in zip(names, columns, strict=True)})
        duck.register(table, arrow)
    return duck


def _arrow_type(declared: str) -> Any:
    import pyarrow as pa

    declared = declared.upper()
    if declared.startswith("INTEGER"):
        return pa.int64()
    if declared.startswith(("REAL", "DOUBLE")):
        return pa.float64()
    return pa.string()


def _sql_list(paths: Sequence[str]) -> str:
    """A DuckDB list literal of file names (views cannot take bound parameters)."""
    return "[" + ", ".join("'" + p.replace("'", "''") + "'" for p in paths) + "]"


def open_parquet(path: Path, tables: Mapping[str, Sequence[str]], numeric: set[tuple[str, str]]) -> Any:
    """DuckDB views over a Parquet export: ``events`` (booleans as 0/1 like SQLite) and, for the other
    ``tables`` (name -> columns), ``<table>.parquet`` files beside it or empty tables."""
    files = [path] if path.is_file() else sorted(path.glob("*.parquet"))
    if not files:
        raise UserError(f"no event store at {path}: no Parquet files there; run `abm export events` first")
    duck = _connect()
    known = set(tables)
    others = {f.stem: f for f in files if f.stem in known}
    event_files = [str(f) for f in files if f.stem not in known]
    if not event_files:
        raise UserError(f"{path}: no events Parquet file")
    booleans = ", ".join(f"CAST({name} AS INTEGER) AS {name}" for name in sorted(BOOLEAN_FIELDS))
    duck.execute(f"CREATE VIEW events AS SELECT * REPLACE ({booleans}) FROM read_parquet({_sql_list(event_files)})")
    for table in sorted(known):
        if table in others:
            duck.execute(f"CREATE VIEW {table} AS SELECT * FROM read_parquet({_sql_list([str(others[table])])})")
        else:
            types = ", ".join(f"{c} {'DOUBLE' if (table, c) in numeric else 'VARCHAR'}" for c in tables[table])
            duck.execute(f"CREATE TABLE {table} ({types})")
    return duck
