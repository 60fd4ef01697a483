"""Cells as CRMs and ad consoles write them: amounts in yuan (¥1,200,000, 120万, 1.2亿), dates and months.

Each parser raises ValueError with a message for the row problem (the caller adds file, line and
column), so every importer reads money and dates the same way.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, datetime, tzinfo

from analytics.imports.dates import MONTHFIRST, read_time
from analytics.period import iso

#: Chinese and shorthand multipliers at the end of an amount: 120万, 1.2亿, 5千, 30w, 8k.
_UNITS = {"万": 1e4, "亿": 1e8, "千": 1e3, "w": 1e4, "k": 1e3}
_NOISE = re.compile(r"[,，\s¥￥]|CNY|RMB|元|人民币", re.IGNORECASE)
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%m/%d/%Y")
_MONTH = re.compile(r"^(\d{4})\s*(?:[-/.]|年)\s*(\d{1,2})\s*月?$")


def parse_amount(text: str) -> float:
    """A non-negative amount in yuan."""
    cleaned = _NOISE.sub("", text)
    factor = 1.0
    if cleaned and cleaned[-1].lower() in _UNITS:
        factor, cleaned = _UNITS[cleaned[-1].lower()], cleaned[:-1]
    try:
        value = float(cleaned) * factor
    except ValueError:
        raise ValueError(f"{text!r} is not an amount; write it like 1200000, ¥1,200,000, 120万 or 1.2亿") from None
    if value < 0 or value != value:
        raise ValueError(f"{text!r} is not an amount (negative)")
    return value


def parse_day(text: str) -> date:
    """A calendar day: 2026-11-03, 2026/11/03, 2026年11月3日, or the day of a date-time."""
    cleaned = text.strip()
    for pattern in DATE_FORMATS:
        try:
            return datetime.strptime(cleaned.split(" ")[0].split("T")[0], pattern).date()
        except ValueError:
            continue
    raise ValueError(f"{text!r} is not a date like 2026-11-03 or 2026年11月3日")


def parse_days(text: str) -> tuple[date, date]:
    """The first and last day a `date` cell covers: one day, or a whole month (2026-11, 2026年11月)."""
    match = _MONTH.match(text.strip())
    if match:
        year, month = int(match.group(1)), int(match.group(2))
        if not 1 <= month <= 12:
            raise ValueError(f"{text!r}: month {month} does not exist")
        return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])
    try:
        day = parse_day(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a day (2026-11-03) or a month (2026-11, 2026年11月)") from None
    return day, day


def parse_time(text: str, zone: tzinfo) -> str:
    """A date or a date-time read in `zone`, as an event-store UTC timestamp."""
    cleaned = text.strip()
    for pattern in DATE_FORMATS:
        try:
            return iso(datetime.strptime(cleaned, pattern).replace(tzinfo=zone))
        except ValueError:
            continue
    try:
        moment = datetime.fromisoformat(cleaned)
    except ValueError:
        return iso(read_time(cleaned, zone, MONTHFIRST))  # CRMs export US dates unless ISO
    return iso(moment if moment.tzinfo else moment.replace(tzinfo=zone))
