"""Any tabular export as numbered rows of cells: CSV or TSV in any encoding, or an Excel workbook.

Webinar tools write what their developers chose: UTF-8 with or without a BOM, UTF-16 LE or BE
(Teams, with or without a BOM), GB18030 (Excel on Chinese Windows), commas, tabs or semicolons, and
腾讯会议 / 钉钉 / 飞书 hand out ``.xlsx``. Importers see only ``(line, cells)``, the line being
the file's own line (or the sheet's row), so problems point where the user will look.
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, time, timedelta
from pathlib import Path

from personalize.accounts import decode
from personalize.errors import UserError

Rows = list[tuple[int, list[str]]]
XLSX_SUFFIXES = (".xlsx", ".xlsm")


def read_text(path: Path) -> str:
    """A report's text in whatever encoding the exporting tool chose (UTF-8, UTF-16, GB18030)."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise UserError(f"{path}: cannot read it ({error.strerror or error})") from error
    text = decode(_with_utf16_bom(data))
    if text is None:
        raise UserError(f"{path}: not UTF-8, UTF-16 or GB18030 text; export it again as CSV")
    return text.lstrip("\ufeff")


def _with_utf16_bom(data: bytes) -> bytes:
    """UTF-16 without a BOM gets one: ASCII-heavy UTF-16 has a zero in every other byte."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or len(data) < 4:
        return data
    head = data[:2000]
    even, odd = head[0::2].count(0), head[1::2].count(0)
    if odd > len(head) // 4 and even == 0:
        return b"\xff\xfe" + data
    if even > len(head) // 4 and odd == 0:
        return b"\xfe\xff" + data
    return data


def sniff_delimiter(text: str) -> str:
    """The separator the first lines use most: tab (Teams), semicolon (Excel in a European locale,
    where the comma is the decimal mark) or comma; comma on a tie."""
    head = text[:4000]
    return max(",;\t", key=lambda candidate: (head.count(candidate), candidate == ","))


def records(text: str, delimiter: str | None = None) -> Rows:
    """(line, cells) of every non-blank record, trailing empty cells (Zoom's padding) removed."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=delimiter or sniff_delimiter(text))
    out: Rows = []
    line = 0
    for cells in reader:
        start, line = line + 1, reader.line_num
        _keep(out, start, [cell.strip() for cell in cells])
    return out


def _keep(out: Rows, line: int, cells: list[str]) -> None:
    while cells and not cells[-1]:
        cells.pop()
    if cells:
        out.append((line, cells))


def read_rows(path: Path) -> Rows:
    """The rows of a CSV / TSV in any encoding, or of the first sheet of an ``.xlsx`` workbook."""
    if path.suffix.lower() in XLSX_SUFFIXES:
        return read_workbook(path)
    return records(read_text(path))


def read_workbook(path: Path) -> Rows:
    """The first sheet's rows; dates and times as ISO text, so they read like a CSV's."""
    from openpyxl import load_workbook  # only XLSX imports pay for it

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises zipfile, KeyError and its own errors for a broken file
        raise UserError(f"{path}: not a readable .xlsx workbook ({error}); export it again") from None
    try:
        sheet = book.worksheets[0]
        out: Rows = []
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            _keep(out, number, [_cell_text(value) for value in values])
        return out
    finally:
        book.close()


def _cell_text(value: object) -> str:
    """A cell as the text a CSV export would hold."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, timedelta):
        seconds = int(value.total_seconds())
        return f"{seconds // 3600:02}:{seconds % 3600 // 60:02}:{seconds % 60:02}"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()
