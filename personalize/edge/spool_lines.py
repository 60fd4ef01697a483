"""How an event is written in a spool segment: one line of tab-separated fields (format 2).

A segment starts with a JSON header line, ``{"format": 2, "columns": [...]}``, naming the columns in
the order of the fields on every line after it. Each event line holds one field per column,
separated by TAB and ended by LF, UTF-8. A NULL is ``\\N``; in text, backslash, TAB, LF, CR and NUL
are written ``\\\\``, ``\\t``, ``\\n``, ``\\r``, ``\\0`` (as PostgreSQL's COPY text format), so a line
never holds a NUL (the zeros after the last event mark a segment's end) nor a raw line break (a line
without its LF was torn by a crash mid-copy). Numbers are written as Python's ``str`` and read back
by their column: ``is_bot``/``is_preview`` as integers, ``value`` as a float, the rest as text.

Format 1 (a header without ``"format"``, then one JSON array per line) is still read, so segments
left by an older edge are replayed. Format 2 costs a page about a fifth of the JSON encoder's work:
one join of the row's values, and escaping only for the rare row that needs it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from typing import Any, Final

from personalize.events import BOOLEAN_FIELDS, EVENT_COLUMNS, NUMERIC_FIELDS

FORMAT: Final = 2
NULL: Final = "\\N"
_ESCAPES: Final = {"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r", "\0": "\\0"}
_UNESCAPES: Final = {value: key for key, value in _ESCAPES.items()}
_SPECIAL: Final = re.compile("[\\\\\t\n\r\0]")
_ESCAPED: Final = re.compile(r"\\(.)", re.DOTALL)


def header(columns: Sequence[str] = EVENT_COLUMNS) -> bytes:
    """The first line of a segment: the format and the columns of every line after it."""
    return (json.dumps({"format": FORMAT, "columns": list(columns)}) + "\n").encode()


def _text(value: Any) -> str:
    """One field, escaped (the slow path: only rows holding a special character come here)."""
    if value is None:
        return NULL
    if type(value) is bool:
        value = int(value)
    return _SPECIAL.sub(lambda match: _ESCAPES[match.group()], value if type(value) is str else str(value))


def _compile_fast(columns: Sequence[str]) -> Callable[[Sequence[Any]], str]:
    """The line of a row whose text fields are str or None and numbers int/float or None, unescaped:
    one unrolled expression per column, as `recorder` compiles its row builder."""
    names = [f"f{index}" for index in range(len(columns))]
    fields = [
        f"NULL if {name} is None else str(int({name}))" if column in BOOLEAN_FIELDS
        else f"NULL if {name} is None else str({name})" if column in NUMERIC_FIELDS
        else f"NULL if {name} is None else {name}"
        for name, column in zip(names, columns, strict=True)
    ]  # fmt: skip
    code = f"def fast(row):\n    {', '.join(names)}, = row\n    return '\\t'.join(({', '.join(fields)},))\n"
    namespace: dict[str, Any] = {"NULL": NULL}
    exec(compile(code, f"<spool line of {len(columns)} columns>", "exec"), namespace)  # noqa: S102 (our own text)
    fast: Callable[[Sequence[Any]], str] = namespace["fast"]
    return fast


_fast = _compile_fast(EVENT_COLUMNS)
_TABS: Final = len(EVENT_COLUMNS) - 1


def encode(row: Sequence[Any]) -> bytes:
    """An event (EVENT_COLUMNS order) as one line. The unescaped join is kept when it provably needs no
    escape: as many tabs as separators, no LF/CR/NUL, and one backslash per NULL (none of the values')."""
    try:
        line = _fast(row)
    except (TypeError, ValueError):  # a text field holding a number, say: every field its own way
        line = ""
    if (
        not line or line.count("\t") != _TABS or "\n" in line or "\r" in line or "\0" in line
        or line.count("\\") != row.count(None)
    ):  # fmt: skip
        line = "\t".join(map(_text, row))
    return (line + "\n").encode()


def _field(text: str, column: str) -> Any:
    if "\\" in text:
        if text == NULL:
            return None
        text = _ESCAPED.sub(lambda match: _UNESCAPES.get(match.group(), match.group(1)), text)
    if column in BOOLEAN_FIELDS:
        return int(text)
    if column in NUMERIC_FIELDS:
        return float(text)
    return text


def decoder(header_line: bytes) -> tuple[list[str], Callable[[bytes], list[Any]]]:
    """The columns a segment's header names and the function that reads one of its event lines
    (ValueError for a line that is not one); ValueError, KeyError or TypeError for a bad header."""
    facts = json.loads(header_line)
    columns = [str(name) for name in facts["columns"]]
    if facts.get("format", 1) == 1:
        return columns, _json_line
    if facts["format"] != FORMAT:
        raise ValueError(f"spool format {facts['format']!r} is newer than this edge's ({FORMAT})")

    integers = [index for index, column in enumerate(columns) if column in BOOLEAN_FIELDS]
    floats = [index for index, column in enumerate(columns) if column in NUMERIC_FIELDS]

    def tab_line(line: bytes) -> list[Any]:
        """The writer's hot loop: where the only backslashes are NULLs' (nearly every line), no field is
        unescaped one by one."""
        text = line.decode()
        texts = text.split("\t")
        if len(texts) != len(columns):
            raise ValueError(f"{len(texts)} fields for {len(columns)} columns")
        if text.count("\\") != texts.count(NULL):
            return [_field(text, column) for text, column in zip(texts, columns, strict=True)]
        values: list[Any] = [None if field == NULL else field for field in texts]
        for index in integers:
            if values[index] is not None:
                values[index] = int(values[index])
        for index in floats:
            if values[index] is not None:
                values[index] = float(values[index])
        return values

    return columns, tab_line


def _json_line(line: bytes) -> list[Any]:
    values = json.loads(line)
    if not isinstance(values, list):
        raise ValueError("not a JSON array")
    return values
