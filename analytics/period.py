"""The time window a report covers, `--since` .. `--until`, counted in local days of one zone.

Stored timestamps are UTC and stay so; the zone (``--tz``, ``ABM_TIMEZONE``, default
Asia/Shanghai) only decides where a day starts, because a marketer in Shanghai who types today's
date means today as she lives it, not the UTC day that ended at 08:00.

* A bare date is a whole local day and both ends are inclusive: ``--since 2026-11-25 --until
  2026-12-01`` is 25 November 00:00 to the end of 1 December in the zone.
* A date-time is exact: with an offset or ``Z`` as written, without one as a wall-clock time in
  the zone (``2026-12-01T09:30`` in Shanghai is 01:30Z). A date-time ``--until`` is exclusive.
* Internally the window is half-open, ``since <= ts < until``, so adjacent periods never count an
  event twice. "This week" is the seven local days that end with ``--until`` (the last one may be
  today, so far); earlier weeks are the seven local days before that, and so on.

Bounds are compared with event timestamps as ISO strings (``YYYY-MM-DDTHH:MM:SS.mmmZ``), which
sort like the instants they name on every engine.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from personalize.errors import UserError
from personalize.zones import DEFAULT_TIMEZONE, TIMEZONE_ENV, parse_zone

WEEK = timedelta(days=7)
_INSTANT = timedelta(microseconds=1)
_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
#: A stored timestamp as the edge and the importers write it (UTC, trailing Z).
STORED_TS = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?Z$")
#: How a zone is named to people: the Chinese name they know, then the IANA name.
ZONE_NAMES_ZH = {
    "Asia/Shanghai": "北京时间", "Asia/Chongqing": "北京时间", "Asia/Harbin": "北京时间", "PRC": "北京时间",
    "Asia/Hong_Kong": "香港时间", "Asia/Taipei": "台北时间", "Asia/Tokyo": "东京时间", "Asia/Singapore": "新加坡时间",
    "UTC": "协调世界时", "Etc/UTC": "协调世界时", "Europe/London": "伦敦时间", "Europe/Berlin": "柏林时间",
    "America/New_York": "纽约时间", "America/Los_Angeles": "洛杉矶时间",
}  # fmt: skip


def iso(moment: datetime) -> str:
    """The event-store spelling of an instant: UTC, milliseconds, trailing Z."""
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def parse_ts(text: str | None) -> datetime | None:
    """A stored timestamp (ISO, naive means UTC) as an aware datetime; None when empty or unreadable."""
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(str(text).strip())
    except ValueError:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def resolve_zone(tz: str | tzinfo | None = None) -> tzinfo:
    """The zone reports count days in: ``--tz``, else ``$ABM_TIMEZONE``, else Asia/Shanghai."""
    if isinstance(tz, tzinfo):
        return tz
    text = tz or os.environ.get(TIMEZONE_ENV) or DEFAULT_TIMEZONE
    try:
        return parse_zone(text)
    except ValueError as error:
        source = "--tz" if tz else (TIMEZONE_ENV if os.environ.get(TIMEZONE_ENV) else "timezone")
        raise UserError(f"{source}: {error}") from None


def zone_name(zone: tzinfo) -> str:
    """The IANA name of a zone (``Asia/Shanghai``), else its offset (``UTC+08:00``)."""
    key = getattr(zone, "key", None)
    if key:
        return str(key)
    if zone is UTC:
        return "UTC"
    offset = zone.utcoffset(None) or timedelta(0)
    sign, minutes = ("-" if offset < timedelta(0) else "+"), abs(offset) // timedelta(minutes=1)
    return f"UTC{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def zone_label(zone: tzinfo) -> str:
    """How a view names its zone once, e.g. ``北京时间 (Asia/Shanghai)``."""
    name = zone_name(zone)
    return f"{ZONE_NAMES_ZH[name]} ({name})" if name in ZONE_NAMES_ZH else name


def local_text(value: str | datetime | None, zone: tzinfo, *, seconds: bool = False) -> str:
    """A stored UTC timestamp as people read it in the zone: ``2026-12-01 00:00``; "" when empty."""
    moment = parse_ts(value) if isinstance(value, str) or value is None else value.astimezone(UTC)
    if moment is None:
        return "" if not value else str(value)
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")


def day_start(day: date, zone: tzinfo) -> datetime:
    """The instant (UTC) a local calendar day begins in the zone."""
    return datetime.combine(day, time(), tzinfo=zone).astimezone(UTC)


def parse_instant(text: str, *, zone: tzinfo = UTC, option: str = "date", end: bool = False) -> datetime:
    """A command-line date or date-time as a UTC instant.

    A bare date is the start of that local day, or with ``end`` the start of the next one (so that
    an ``--until`` date includes its whole day). A naive date-time is a wall-clock time in the zone.
    """
    text = str(text).strip()
    try:
        if _DATE_ONLY.match(text):
            day = date.fromisoformat(text)
            return day_start(day + timedelta(days=1) if end else day, zone)
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise UserError(
            f"{option}: {text!r} is not a date; use YYYY-MM-DD or an ISO date-time "
            "such as 2026-04-08T09:30:00+08:00"
        ) from None
    return (moment.replace(tzinfo=zone) if moment.tzinfo is None else moment).astimezone(UTC)


@dataclass(frozen=True)
class Period:
    """``since <= ts < until`` (aware datetimes) and the zone whose local days the reports count."""

    since: datetime
    until: datetime
    zone: tzinfo = UTC  # make_period() passes the configured zone; UTC keeps hand-made periods exact

    @property
    def since_ts(self) -> str:
        return iso(self.since)

    @property
    def until_ts(self) -> str:
        return iso(self.until)

    @property
    def days(self) -> float:
        return (self.until - self.since) / timedelta(days=1)

    def local(self, moment: datetime) -> datetime:
        return moment.astimezone(self.zone)

    def local_day(self, ts: str) -> str:
        """The local calendar day (``YYYY-MM-DD``) of a stored timestamp."""
        moment = parse_ts(ts)
        return self.local(moment).date().isoformat() if moment is not None else ""

    @property
    def first_day(self) -> date:
        return self.local(self.since).date()

    @property
    def last_day(self) -> date:
        """The local day the period ends in (``until`` itself is excluded)."""
        return self.local(self.until - _INSTANT).date()

    def previous(self) -> Period:
        """The period of equal length just before this one (for trends)."""
        return Period(self.since - (self.until - self.since), self.since, self.zone)

    def week_bounds(self, weeks: int) -> list[datetime]:
        """``until`` and the starts of this week and the ``weeks - 1`` weeks before it, newest first.

        Week ``i`` is ``bounds[i + 1] <= ts < bounds[i]``: seven local days each (a DST change
        makes one an hour longer or shorter), this week ending with ``until``.
        """
        return [self.until, *(day_start(self.last_day - timedelta(days=7 * i + 6), self.zone) for i in range(weeks))]

    def this_week(self) -> Period:
        """The seven local days that end with ``until``."""
        return Period(self.week_bounds(1)[1], self.until, self.zone)

    def weeks_before(self, count: int) -> Period:
        """The ``count`` whole weeks before this week (the trailing baseline of signals)."""
        bounds = self.week_bounds(count + 1)
        return Period(bounds[-1], bounds[1], self.zone)


def period_line(period: Period | None) -> str:
    """The period as local days and the zone, named once per view: 统计周期：… · 时间：北京时间 (Asia/Shanghai)."""
    if period is None:
        return ""
    return f"统计周期：{period_text(period)} · 时间：{zone_label(period.zone)}"


def period_text(period: Period) -> str:
    """``2026-11-25 至 2026-12-01`` (both days included); exact times where a bound is not a local midnight."""
    since = period.local(period.since)
    first = since.date().isoformat() if since.time() == since.time().min else local_text(period.since, period.zone)
    until = period.local(period.until)
    last = period.last_day.isoformat() if until.time() == until.time().min else local_text(period.until, period.zone)
    return f"{first} 至 {last}"


def bucket_case(column: str, bounds: Sequence[datetime]) -> tuple[str, list[str]]:
    """SQL giving the index ``i`` of the bucket ``bounds[i + 1] <= column < bounds[i]``.

    ``bounds`` are newest first (as `Period.week_bounds` gives them); rows older than the last
    bound get ``len(bounds) - 1``. Local weeks and days are cut where the zone's midnight falls,
    which no portable SQL date function knows, so the cuts arrive as parameters.
    """
    whens = " ".join(f"WHEN {column} >= ? THEN {i}" for i in range(len(bounds) - 1))
    return f"CASE {whens} ELSE {len(bounds) - 1} END", [iso(bound) for bound in bounds[1:]]


def make_period(
    since: str | None = None,
    until: str | None = None,
    *,
    zone: tzinfo = UTC,
    now: datetime | None = None,
    days: int = 7,
) -> Period:
    """The period from command-line text; `since` defaults to the `days` local days that end with `until`."""
    end = parse_instant(until, zone=zone, option="--until", end=True) if until else (now or datetime.now(UTC))
    if since:
        start = parse_instant(since, zone=zone, option="--since")
    else:
        start = day_start(Period(end, end, zone).last_day - timedelta(days=days - 1), zone)
    if start >= end:
        raise UserError(f"--since ({local_text(start, zone)}) must be before --until ({local_text(end, zone)})")
    return Period(start.astimezone(UTC), end.astimezone(UTC), zone)
