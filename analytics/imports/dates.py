"""Local times as webinar tools write them, in any locale, read into the store's UTC timestamps.

Exports carry no zone and follow the exporting account's locale: month names (``Mar 28, 2020
08:07:27``), month-first or day-first numbers (``10/15/2026, 2:03:11 PM``, ``15/11/22, 09:30:17``),
ISO-like and Chinese forms (``2026/10/15 14:03``, ``2026年10月15日 下午2:03``). Whether ``03/04/2026``
is March or April is a property of the file, not of one cell, so `decide_order()` reads every
cell first: a first field over 12 means day-first, a second one over 12 month-first.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from typing import Literal

from analytics.period import iso
from personalize.errors import UserError

Order = Literal["day-first", "month-first"]
DAYFIRST: Order = "day-first"
MONTHFIRST: Order = "month-first"
_LAYOUT = {DAYFIRST: "day/month/year", MONTHFIRST: "month/day/year"}

MONTHS = {
    name: number
    for number, names in enumerate(
        (("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",), ("jun", "june"),
         ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
         ("dec", "december")), start=1)  # fmt: skip
    for name in names
}
_YMD = re.compile(r"(?P<y>\d{4})\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})\s*日?")
_NUMERIC = re.compile(r"(?P<a>\d{1,2})[-/.](?P<b>\d{1,2})[-/.](?P<y>\d{4}|\d{2})(?!\d)")
_MONTH_DAY = re.compile(r"(?P<mon>[A-Za-z]{3,9})\.?\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<y>\d{4})")
_DAY_MONTH = re.compile(r"(?P<d>\d{1,2})[\s-](?P<mon>[A-Za-z]{3,9})\.?,?[\s-](?P<y>\d{4})")
_WEEKDAY = re.compile(r"^(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+)", re.IGNORECASE)
_TIME = re.compile(
    r"(?:(?P<pre>上午|下午|中午|晚上|凌晨|早上)\s*)?(?P<H>\d{1,2})[:：](?P<M>\d{2})(?:[:：](?P<S>\d{2})(?:[.,](?P<frac>\d{1,6}))?)?"
    r"\s*(?P<post>[AaPp]\.?\s?[Mm]\.?|上午|下午)?"
    r"(?:\s*(?P<tz>Z|(?:UTC|GMT)?[+-]\d{1,2}(?::?\d{2})?))?"
)
_PM = {"下午", "晚上", "pm"}
_OFFSET = re.compile(r"(?:UTC|GMT)?([+-])(\d{1,2}):?(\d{2})?")
EXAMPLES = "10/15/2026 02:03:11 PM, 15/10/2026 14:03, Oct 15, 2026 14:03:11 or 2026年10月15日 14:03"


class DateOrderError(UserError):
    """A file whose numeric dates fit both orders (or contradict each other): the user must say which."""


@dataclass(frozen=True)
class Clock:
    """How one file's times are read: the webinar's zone and the file's date order."""

    zone: tzinfo
    order: Order | None = None

    def utc(self, text: str) -> str:
        """``text`` as an event-store UTC timestamp; ValueError saying why it is not a time."""
        return iso(read_time(text, self.zone, self.order))


def _clean(text: str) -> str:
    text = text.replace("\u202f", " ").replace("\u00a0", " ").replace("，", ",")
    return _WEEKDAY.sub("", " ".join(text.split()))


def _numeric_fields(text: str) -> tuple[int, int] | None:
    """The first two fields of a ``a/b/yyyy`` date at the start of ``text``, if it is one."""
    match = _NUMERIC.match(_clean(text))
    return (int(match["a"]), int(match["b"])) if match else None


def read_time(text: str, zone: tzinfo, order: Order | None) -> datetime:
    """One cell as an aware datetime (``zone`` unless the cell names its own offset)."""
    cleaned = _clean(text)
    date, rest = _date(cleaned, order, text)
    rest = rest.lstrip(" ,T")
    moment = datetime(*date)
    if rest:
        match = _TIME.fullmatch(rest)
        if not match:
            raise ValueError(f"{text!r} is not a time like {EXAMPLES}")
        moment, zone = _at(moment, match, text), _zone(match["tz"]) or zone
    return moment.replace(tzinfo=zone)


def _date(cleaned: str, order: Order | None, text: str) -> tuple[tuple[int, int, int], str]:
    """(year, month, day) and the rest of the cell (the time)."""
    if match := _YMD.match(cleaned):
        return _valid(text, int(match["y"]), int(match["m"]), int(match["d"])), cleaned[match.end():]
    if match := _NUMERIC.match(cleaned):
        a, b, year = int(match["a"]), int(match["b"]), int(match["y"])
        year += 2000 if year < 100 else 0
        if order is None:
            order = DAYFIRST if a > 12 else MONTHFIRST
        month, day = (b, a) if order == DAYFIRST else (a, b)
        if month > 12:
            raise ValueError(f"{text!r} is not a time: this file's dates are {order} ({_LAYOUT[order]}) and {month} is no month")
        return _valid(text, year, month, day), cleaned[match.end():]
    for pattern in (_MONTH_DAY, _DAY_MONTH):
        match = pattern.match(cleaned)
        if match and match["mon"].lower() in MONTHS:
            return _valid(text, int(match["y"]), MONTHS[match["mon"].lower()], int(match["d"])), cleaned[match.end():]
    raise ValueError(f"{text!r} is not a time like {EXAMPLES}")


def _valid(text: str, year: int, month: int, day: int) -> tuple[int, int, int]:
    try:
        datetime(year, month, day)
    except ValueError as error:
        raise ValueError(f"{text!r} is not a time: {error}") from None
    return year, month, day


def _at(day: datetime, match: re.Match[str], text: str) -> datetime:
    """The day at the matched clock time, 12-hour (AM/PM, 上午/下午/中午) or 24-hour."""
    hour, minute, second = int(match["H"]), int(match["M"]), int(match["S"] or 0)
    marker = (match["post"] or match["pre"] or "").replace(".", "").replace(" ", "").lower()
    if marker and hour <= 12:
        if marker in _PM or (marker == "中午" and hour < 11):
            hour = hour % 12 + 12
        elif marker in ("am", "上午", "凌晨", "早上"):
            hour %= 12
    micro = int((match["frac"] or "0").ljust(6, "0"))
    if hour > 23 or minute > 59 or second > 59:
        raise ValueError(f"{text!r} is not a time: {hour:02}:{minute:02}:{second:02} is no time of day")
    return day.replace(hour=hour, minute=minute, second=second, microsecond=micro)


def _zone(text: str | None) -> tzinfo | None:
    if not text:
        return None
    if text == "Z":
        return UTC
    match = _OFFSET.fullmatch(text)
    assert match is not None  # the time pattern only lets offsets through
    sign, hours, minutes = match.groups()
    delta = timedelta(hours=int(hours), minutes=int(minutes or 0))
    return timezone(-delta if sign == "-" else delta)


def decide_order(file: str, cells: Iterable[str], forced: Order | None) -> tuple[Order | None, str]:
    """The date order of a whole file and a sentence saying which was used and why.

    Returns (None, "") when the file has no numeric dates. Raises DateOrderError when its
    numeric dates fit both orders and no flag says which.
    """
    if forced is not None:
        return forced, f"dates read {forced} ({_LAYOUT[forced]}, as --{forced.replace('-', '')} says)"
    votes: dict[Order, list[str]] = {DAYFIRST: [], MONTHFIRST: []}
    numeric = ""
    for cell in cells:
        fields = _numeric_fields(cell)
        if fields is None:
            continue
        numeric = numeric or cell
        if fields[0] > 12 >= fields[1]:
            votes[DAYFIRST].append(cell)
        elif fields[1] > 12 >= fields[0]:
            votes[MONTHFIRST].append(cell)
    if not numeric:
        return None, ""
    day, month = len(votes[DAYFIRST]), len(votes[MONTHFIRST])
    if day == month:
        why = "no date in it has a field over 12" if not day else f"{votes[DAYFIRST][0]!r} and {votes[MONTHFIRST][0]!r} disagree"
        raise DateOrderError(
            f"{file}: dates like {numeric!r} can be day-first or month-first and {why}; "
            "say which with --dayfirst (day/month/year) or --monthfirst (month/day/year)"
        )
    order = DAYFIRST if day > month else MONTHFIRST
    example = votes[order][0]
    position = "first" if order == DAYFIRST else "second"
    return order, f"dates read {order} ({_LAYOUT[order]}): {example!r} has a {position} field over 12"
