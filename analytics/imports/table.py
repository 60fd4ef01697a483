"""A CRM's or ad platform's export as (line, cells) records, whether saved as CSV or as Excel.

Marketers get these files from a CRM or an ad console and often open and save them in Excel, so
both are read the same way: CSV in any encoding Excel or a CRM writes (UTF-8, GBK / GB18030,
UTF-16), XLSX through openpyxl (the first sheet; dates become ``YYYY-MM-DD HH:MM:SS``, whole
numbers lose their ``.0``). Line numbers are the file's line or the sheet's row, as the user sees them.
"""

from __future__ import annotations

import zipfile
from datetime import date, datetime
from pathlib import Path
from typing import Any

from analytics.imports.attendance import records
from analytics.imports.rows import read_text
from personalize.errors import UserError

EXCEL_SUFFIXES = (".xlsx", ".xlsm")


def read_table(path: Path) -> list[tuple[int, list[str]]]:
    """Every non-blank record of a CSV or XLSX file with its line (row) number."""
    if path.suffix.lower() in EXCEL_SUFFIXES:
        return _read_xlsx(path)
    if path.suffix.lower() == ".xls":
        raise UserError(f"{path}: old .xls workbooks are not read; save it as .xlsx or CSV in Excel")
    return records(read_text(path), ",")


def _read_xlsx(path: Path) -> list[tuple[int, list[str]]]:
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (OSError, zipfile.BadZipFile, KeyError, ValueError) as error:
        raise UserError(f"{path}: not a readable .xlsx workbook ({error}); save it again in Excel") from error
    try:
        sheet = workbook.worksheets[0]
        out = []
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            cells = [_cell_text(value) for value in values]
            while cells and not cells[-1]:
                cells.pop()
            if cells:
                out.append((number, cells))
        return out
    finally:
        workbook.close()


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()
