"""Events in and out of the store as JSON Lines, CSV or Parquet (backfills, warehouses, migrations).

Every format carries exactly the contract's ``EVENT_FIELDS`` in order, then the ``EXTRA_FIELDS``
(``extra``: a JSON object of raw campaign parameters and event details; ``value``: a number whose
meaning depends on the kind). Booleans are ``true``/``false``, empty cells are NULL; CSV cells that
would start a spreadsheet formula carry a leading quote (``analytics/spreadsheet.py``), taken off on
import. Export order is fixed (by every column), so export -> import into an empty store -> export gives the same bytes.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any, Final

from analytics.imports.rows import RowProblem, accept
from analytics.spreadsheet import csv_writer, read_cell, safe_cell
from analytics.store import BATCH, Store, event_row
from personalize.errors import UserError
from personalize.events import BOOLEAN_FIELDS, EVENT_COLUMNS, NUMERIC_FIELDS

FORMATS: Final = ("jsonl", "csv", "parquet")
_SUFFIXES: Final = {".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl", ".csv": "csv", ".parquet": "parquet"}

Progress = Callable[[int], None]


def format_of(path: Path, given: str | None = None) -> str:
    """The format named by ``--format`` or else by the file's suffix."""
    fmt = given or _SUFFIXES.get(path.suffix.lower())
    if fmt not in FORMATS:
        raise UserError(f"{path}: cannot tell the format; name the file .jsonl, .csv or .parquet")
    return fmt


# --- export --------------------------------------------------------------------------------


def count_events(store: Store, since: str | None = None, until: str | None = None) -> int:
    where, params = _window(since, until)
    return int(store.scalar(f"SELECT COUNT(*) FROM events{where}", params))


def export_events(
    store: Store, out: IO[bytes], fmt: str, *, since: str | None = None, until: str | None = None,
    progress: Progress | None = None,
) -> int:
    """Write the events of ``since <= ts < until`` to a binary stream; return how many."""
    where, params = _window(since, until)
    order = ", ".join(f"{name} NULLS FIRST" for name in EVENT_COLUMNS)
    rows = store.stream(f"SELECT {', '.join(EVENT_COLUMNS)} FROM events{where} ORDER BY {order}", params)
    writer = {"jsonl": _write_jsonl, "csv": _write_csv, "parquet": _write_parquet}[fmt]
    return writer(rows, out, progress or (lambda n: None))


def _window(since: str | None, until: str | None) -> tuple[str, list[str]]:
    conditions = [c for c, v in (("ts >= ?", since), ("ts < ?", until)) if v]
    return (" WHERE " + " AND ".join(conditions) if conditions else ""), [v for v in (since, until) if v]


def _plain(row: dict[str, Any]) -> dict[str, Any]:
    """A stored row in its export shape: booleans as booleans, ``extra`` as an object."""
    out = dict(row)
    for name in BOOLEAN_FIELDS:
        out[name] = bool(out[name])
    if out["extra"] is not None:
        out["extra"] = json.loads(out["extra"])
    return out


def _write_jsonl(rows: Iterator[dict[str, Any]], out: IO[bytes], progress: Progress) -> int:
    count = 0
    for row in rows:
        out.write(json.dumps(_plain(row), ensure_ascii=False, separators=(",", ":")).encode() + b"\n")
        count += 1
        if count % BATCH == 0:
            progress(BATCH)
    progress(count % BATCH)
    return count


def _write_csv(rows: Iterator[dict[str, Any]], out: IO[bytes], progress: Progress) -> int:
    text = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=True)
    writer = csv_writer(text)
    writer.writerow(EVENT_COLUMNS)
    count = 0
    for row in rows:
        writer.writerow([_csv_cell(name, row[name]) for name in EVENT_COLUMNS])
        count += 1
        if count % BATCH == 0:
            progress(BATCH)
    progress(count % BATCH)
    text.detach()
    return count


def _csv_cell(name: str, value: Any) -> str:
    if name in BOOLEAN_FIELDS:
        return "true" if value else "false"
    return "" if value is None else safe_cell(str(value))


def _arrow_schema() -> Any:
    import pyarrow as pa

    def kind(name: str) -> Any:
        return pa.bool_() if name in BOOLEAN_FIELDS else pa.float64() if name in NUMERIC_FIELDS else pa.string()

    return pa.schema([(name, kind(name)) for name in EVENT_COLUMNS])


def _write_parquet(rows: Iterator[dict[str, Any]], out: IO[bytes], progress: Progress) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = _arrow_schema()
    count = 0
    with pq.ParquetWriter(out, schema, compression="zstd") as writer:
        batch: list[dict[str, Any]] = []
        for row in rows:
            batch.append({**row, **{name: bool(row[name]) for name in BOOLEAN_FIELDS}})
            if len(batch) == BATCH * 20:
                writer.write_table(pa.Table.from_pylist(batch, schema=schema))
                count, batch = count + len(batch), []
                progress(BATCH * 20)
        if batch or not count:
            writer.write_table(pa.Table.from_pylist(batch, schema=schema))
            count += len(batch)
            progress(len(batch))
    return count


# --- import --------------------------------------------------------------------------------


def read_events(path: Path, fmt: str) -> Iterator[tuple[int, dict[str, Any] | RowProblem]]:
    """(line, raw row or problem) for every row; the line is the file's line (Parquet: row + 1)."""
    if not path.is_file():
        raise UserError(f"{path}: no such file")
    reader = {"jsonl": _read_jsonl, "csv": _read_csv, "parquet": _read_parquet}[fmt]
    return reader(path)


def _read_jsonl(path: Path) -> Iterator[tuple[int, dict[str, Any] | RowProblem]]:
    with path.open(encoding="utf-8-sig") as lines:
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as error:
                yield number, RowProblem(str(path), number, "", f"not JSON ({error.msg})")
                continue
            yield number, row if isinstance(row, dict) else RowProblem(str(path), number, "", "not a JSON object")


def _read_csv(path: Path) -> Iterator[tuple[int, dict[str, Any] | RowProblem]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if header is None:
            return
        unknown = [name for name in header if name not in EVENT_COLUMNS]
        if unknown or "ts" not in header:
            message = f"unknown column(s) {', '.join(unknown)}" if unknown else "no ts column"
            yield 1, RowProblem(str(path), 1, "", f"{message}; the header must use the event field names")
            return
        line = reader.line_num
        for cells in reader:
            start, line = line + 1, reader.line_num
            if len(cells) != len(header):
                yield start, RowProblem(str(path), start, "", f"{len(cells)} cells, the header has {len(header)}")
                continue
            yield start, dict(zip(header, map(read_cell, cells), strict=True))


def _read_parquet(path: Path) -> Iterator[tuple[int, dict[str, Any] | RowProblem]]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(path)
    except (pa.ArrowInvalid, OSError) as error:
        raise UserError(f"{path}: not a readable Parquet file ({error})") from error
    number = 1
    for batch in parquet.iter_batches(batch_size=BATCH):
        for row in batch.to_pylist():
            number += 1
            yield number - 1, row


def import_events(
    store: Store, path: Path, fmt: str, *, skip_bad_rows: bool = False, progress: Progress | None = None
) -> tuple[int, str]:
    """Check every row first, then append the good ones; return (imported, what was skipped)."""
    problems = [problem for line, row in read_events(path, fmt) if (problem := _problem(path, line, row))]
    skipped = accept(path, problems, skip_bad_rows=skip_bad_rows)
    bad_lines = {problem.line for problem in problems}
    advance = progress or (lambda n: None)

    def good_rows() -> Iterator[dict[str, Any]]:
        for count, (line, row) in enumerate(read_events(path, fmt), 1):
            if count % BATCH == 0:
                advance(BATCH)
            if line not in bad_lines and isinstance(row, dict):
                yield row

    return store.insert_events(good_rows()), skipped


def _problem(path: Path, line: int, row: dict[str, Any] | RowProblem) -> RowProblem | None:
    if isinstance(row, RowProblem):
        return row
    try:
        event_row(row)
    except ValueError as error:
        return RowProblem(str(path), line, "", str(error))
    return None
