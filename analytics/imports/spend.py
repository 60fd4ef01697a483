"""Ad and campaign spend (CNY) per day or month and UTM tags, for the ROI report (`abm import spend`).

Columns: ``date`` (a day, ``2026-11-03``, or a month, ``2026-11`` / ``2026年11月``), any of
``utm_source`` / ``utm_medium`` / ``utm_campaign`` (an empty tag matches every value), an optional
``channel`` and ``cost`` (费用 / 花费 / 消耗 / 成本; ``¥`` and thousands separators are fine). A
month is stored as its first and last day, and the ROI report spreads it evenly over those days.
Re-importing a file of the same name replaces its rows.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from analytics.channels_map import CHANNELS_ZH
from analytics.imports.cells import parse_amount, parse_days
from analytics.imports.registration import Header
from analytics.imports.rows import RowProblem
from analytics.imports.sheets import read_rows

DATE = ("date", "day", "month", "日期", "月份", "时间", "日期/月份")
UTM = {
    "utm_source": ("utm_source", "source", "来源", "媒体", "平台"),
    "utm_medium": ("utm_medium", "medium", "媒介"),
    "utm_campaign": ("utm_campaign", "campaign", "活动", "推广计划", "计划", "campaign name"),
}
CHANNEL = ("channel", "渠道")
COST = ("cost", "spend", "费用", "花费", "消耗", "成本", "金额", "cost (cny)", "费用(元)", "消耗(元)")


def read_spend(path: Path) -> tuple[list[dict[str, Any]], list[RowProblem]]:
    """Rows for the `spend` table and the problems of every bad row."""
    file = str(path)
    table = read_rows(path)
    if not table:
        return [], [RowProblem(file, 1, "", "the file is empty; expected a header with date, utm_source and cost")]
    (_, cells), *body = table
    header = Header(cells)
    if not header.has(*DATE) or not header.has(*COST) or not any(header.has(*names) for names in UTM.values()):
        return [], [RowProblem(file, 1, "", "the header needs date (日期), cost (费用) and at least one of "
                                            "utm_source, utm_medium, utm_campaign")]  # fmt: skip
    rows: list[dict[str, Any]] = []
    problems: list[RowProblem] = []
    for line, row in body:
        def bad(column: str, message: str, line: int = line) -> None:
            problems.append(RowProblem(file, line, column, message))

        days = cost = None
        try:
            days = parse_days(header.cell(row, *DATE))
        except ValueError as error:
            bad("date", str(error))
        try:
            cost = parse_amount(header.cell(row, *COST))
        except ValueError as error:
            bad("cost", str(error))
        tags = {name: header.cell(row, *names) or None for name, names in UTM.items()}
        if not any(tags.values()):
            bad("utm_source", "no utm_source, utm_medium or utm_campaign; which traffic did this pay for?")
        channel = header.cell(row, *CHANNEL) or None
        if channel and channel not in CHANNELS_ZH:
            bad("channel", f"{channel!r} is not one of {', '.join(CHANNELS_ZH)}")
        if days and cost is not None and any(tags.values()) and (not channel or channel in CHANNELS_ZH):
            rows.append({"first_day": days[0].isoformat(), "last_day": days[1].isoformat(), **tags, "channel": channel,
                         "cost": cost, "source": f"spend:{path.name}"})  # fmt: skip
    return rows, problems
