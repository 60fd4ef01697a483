"""Text cells that a spreadsheet shows as text: no formula from a visitor's UTM tag, referrer or form field.

Marketers open the CSV files the project writes in Excel or WPS, and visitors control many of the
values in them. A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return would
be read as a formula (``=HYPERLINK(...)``); OWASP's defence is a leading single quote, which the
spreadsheet shows as text. Plain numbers (``-3.5``) stay numbers. A value that already starts with a
quote gets one more, so `read_cell` gives back exactly what `safe_cell` was given (the event export
is re-imported). JSON and Parquet keep the values as stored.
"""

from __future__ import annotations

import re
from typing import Any

TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "'")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def safe_cell(value: Any) -> Any:
    """The value to write into a CSV cell."""
    if isinstance(value, str) and value.startswith(TRIGGERS) and not _NUMBER.match(value):
        return "'" + value
    return value


def read_cell(text: str) -> str:
    """A cell of a CSV this project wrote, as the value it held."""
    if text.startswith("'") and text[1:].startswith(TRIGGERS) and not _NUMBER.match(text[1:]):
        return text[1:]
    return text
