"""The shape of a report's result: a list of rows, or an object that holds its rows under a key.

Reports, their dashboard sections and the output formats all read rows the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def rows_of(result: Any, *keys: str) -> list[Mapping[str, Any]]:
    """The rows of a result that is a list of rows or an object holding them under one of keys."""
    if isinstance(result, list):
        return [row for row in result if isinstance(row, Mapping)]
    if isinstance(result, Mapping):
        for key in keys + ("rows",):
            if isinstance(result.get(key), list):
                return rows_of(result[key])
    return []
