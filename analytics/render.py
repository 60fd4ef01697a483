"""A report's result -> text for a terminal (rich table), a file (CSV, JSON) or a browser (HTML).

Results are a list of row dicts or an object (dict) holding scalars and lists of rows. JSON is the
result as is (UTF-8, keys in English). CSV is one table: the rows of a list result, or for an object
the rows under its `rows_key` (e.g. the webinar's buckets); nested values become JSON text. HTML is
the dashboard's single-report page (`analytics.dashboard.render_report_html`).

Times: JSON and CSV are for other tools and keep the stored UTC timestamps (ISO 8601 with Z), so a
file means the same wherever it is opened. A table is read by people: every stored timestamp in it
is shown in the period's zone, and its last line names the period's local days and that zone.
"""

from __future__ import annotations

import io
import json
from collections.abc import Mapping, Sequence
from datetime import tzinfo
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.table import Table

from analytics.period import STORED_TS, local_text, period_line
from analytics.spreadsheet import csv_writer, safe_cell

if TYPE_CHECKING:
    from analytics.period import Period

FORMATS = ("table", "csv", "json", "html")


def render(
    result: Any,
    fmt: str,
    *,
    name: str,
    title: str = "",
    columns: Sequence[tuple[str, str]] = (),
    rows_key: str | None = None,
    footer: str | None = None,
    period: Period | None = None,
) -> str:
    if fmt == "json":
        return json.dumps(result, ensure_ascii=False, indent=2, default=str) + "\n"
    if fmt == "csv":
        return to_csv(_main_rows(result, rows_key))
    if fmt == "html":
        from analytics.dashboard import render_report_html

        return render_report_html(name, result, period=period)
    if fmt == "table":
        footer = "\n".join(line for line in (footer, period_line(period)) if line)
        zone = period.zone if period is not None else None
        return to_table(result, title=title, columns=columns, rows_key=rows_key, footer=footer or None, zone=zone)
    raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")


def _main_rows(result: Any, rows_key: str | None) -> list[dict[str, Any]]:
    if isinstance(result, list):
        return result
    if rows_key and isinstance(result.get(rows_key), list):
        return list(result[rows_key])
    return [{key: value for key, value in result.items() if not isinstance(value, (list, dict))}]


def to_csv(rows: list[dict[str, Any]]) -> str:
    """Every key of every row as a column, in first-seen order; lists and objects as JSON text; no formulas."""
    header: dict[str, None] = {}
    for row in rows:
        header.update(dict.fromkeys(row))
    buffer = io.StringIO()
    writer = csv_writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow([_cell(row.get(key)) for key in header])
    return buffer.getvalue()


def _cell(value: Any) -> Any:
    if isinstance(value, (list, dict)):
        return safe_cell(json.dumps(value, ensure_ascii=False, default=str))
    return "" if value is None else safe_cell(value)


def _text(value: Any, zone: tzinfo | None = None) -> str:
    if value is None or value == "":
        return "–"
    if zone is not None and isinstance(value, str) and STORED_TS.match(value):
        return local_text(value, zone)
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return f"{value:,.2f}".rstrip("0").rstrip(".") if abs(value) >= 0.01 or value == 0 else f"{value:.2g}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


#: Chinese words for the keys of object results (webinar follow-up lists, experiment arms) in tables;
#: JSON keeps the English keys. A key missing here is shown as it is.
LABELS = {
    "webinar": "研讨会", "title": "标题", "slug": "标识", "start": "开始", "duration": "时长（分钟）", "registrants": "报名",
    "attendees": "出席", "no_shows": "未出席", "early_leavers": "提前离开", "people": "参会者",
    "peak_drop_start_minute": "流失最多的时段（分钟起）", "name": "姓名", "email": "邮箱", "company": "公司",
    "account_id": "账户", "account_name": "账户名称", "registered": "已报名", "minutes": "在场分钟",
    "last_left": "最后离开", "arms": "分组", "arm": "分组", "accounts": "账户数", "conversions": "转化账户",
    "rate": "转化率", "lift": "提升", "ci_low": "置信区间下限", "ci_high": "置信区间上限", "p_value": "p 值",
    "srm_p_value": "样本比例检验 p 值", "warning": "提示", "difference": "转化率差", "diff_ci_low": "差值区间下限",
    "diff_ci_high": "差值区间上限", "z": "z 值", "mixed_accounts": "两组都出现的账户", "holdout": "对照组比例",
}  # fmt: skip


def _label(key: str) -> str:
    return LABELS.get(key, key)


def _table(rows: list[Mapping[str, Any]], columns: Sequence[tuple[str, str]], title: str, zone: tzinfo | None) -> Table:
    if not columns:
        keys: dict[str, None] = {}
        for row in rows:
            keys.update(dict.fromkeys(k for k, v in row.items() if not isinstance(v, (list, dict))))
        columns = [(key, _label(key)) for key in keys]
    table = Table(title=title or None, title_justify="left")
    for _, header in columns:
        table.add_column(header, overflow="fold")
    for row in rows:
        table.add_row(*(_text(row.get(key), zone) for key, _ in columns))
    return table


def to_table(
    result: Any,
    *,
    title: str = "",
    columns: Sequence[tuple[str, str]] = (),
    rows_key: str | None = None,
    footer: str | None = None,
    width: int = 160,
    zone: tzinfo | None = None,
) -> str:
    """A rich table (or, for an object, its scalars and then one table per list of rows).

    With a zone, stored UTC timestamps are shown as local times (the footer names the zone).
    """
    out = io.StringIO()
    console = Console(file=out, width=width, force_terminal=False, color_system=None)
    if isinstance(result, list):
        console.print(_table(result, columns, title, zone) if result else f"{title}：本期没有数据")
    else:
        console.print(title)
        for key, value in result.items():
            if not isinstance(value, (list, dict)):
                console.print(f"  {_label(key)}: {_text(value, zone)}")
        for key, value in result.items():
            if isinstance(value, list) and value and isinstance(value[0], Mapping):
                console.print(_table(value, columns if key == rows_key else (), _label(key), zone))
            elif isinstance(value, list):
                console.print(f"  {_label(key)}: {_text(', '.join(map(str, value)))}")
    if footer:
        console.print(footer)
    return out.getvalue()
