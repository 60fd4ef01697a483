"""Cells that a spreadsheet shows as text: CSV outputs never run a visitor's `=HYPERLINK(...)`.

Visitors write UTM values, referrers and form fields; marketers open our CSVs in Excel or WPS,
which run a cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return as a formula.
As OWASP describes, such a cell is written with a leading single quote; a plain number such as
`-3.5` stays a number. The quote is added reversibly (`read_cell` takes it off again), so an
`abm export events` CSV imports back to the very values that were exported. JSON and Parquet
carry the values as stored. Lines end in CRLF (RFC 4180): the csv module then quotes a cell holding
a bare carriage return, which would otherwise end the row for every reader.
"""

from __future__ import annotations

import csv
from typing import IO, Any, Final

#: First characters a spreadsheet takes as the start of a formula.
TRIGGERS: Final = frozenset("=+-@\t\r")
QUOTE: Final = "'"


def csv_writer(out: IO[str]) -> Any:
    """The one way the project opens a CSV for writing (rows of cells passed through `safe_cell`)."""
    return csv.writer(out, lineterminator="\r\n")


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return text.strip() == text and text.lower().lstrip("+-") not in ("inf", "infinity", "nan")


def _looks_like_formula(text: str) -> bool:
    """True when the text, past any quotes already leading it, starts a formula (quoted ones included)."""
    bare = text.lstrip(QUOTE)
    return bool(bare) and bare[0] in TRIGGERS and not _is_number(bare)


def safe_cell(value: Any) -> Any:
    """The value as a CSV/XLSX cell: text that would start a formula gets one leading quote."""
    if isinstance(value, str) and _looks_like_formula(value):
        return QUOTE + value
    return value


def read_cell(text: str) -> str:
    """The value `safe_cell` was given, from the cell it wrote (a CSV read back)."""
    if text.startswith(QUOTE) and _looks_like_formula(text):
        return text[1:]
    return text
