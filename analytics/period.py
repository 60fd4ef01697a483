"""The time window a report covers: `--since` .. `--until` (until defaults to now).

Both ends are UTC instants and the window is half-open, ``since <= ts < until``, so two
adjacent periods never count an event twice. A bare date means midnight UTC at its start:
``--until 2026-04-08`` ends the period just before April 8th. "This week" is always the seven
days before ``until``. Bounds are compared with event timestamps as ISO strings
(``YYYY-MM-DDTHH:MM:SS.mmmZ``), which sort like the instants they name on every engine.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from personalize.errors import UserError

WEEK = timedelta(days=7)


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


def parse_instant(text: str, *, option: str = "date") -> datetime:
    """Read a date (``2026-04-08``) or an ISO date-time (naive means UTC) given on the command line."""
    moment = parse_ts(text)
    if moment is None:
        raise UserError(
            f"{option}: {text!r} is not a date; use YYYY-MM-DD or an ISO date-time "
            "such as 2026-04-08T09:30:00+08:00"
        )
    return moment


@dataclass(frozen=True)
class Period:
    since: datetime
    until: datetime

    @property
    def since_ts(self) -> str:
        return iso(self.since)

    @property
    def until_ts(self) -> str:
        return iso(self.until)

    @property
    def days(self) -> float:
        return (self.until - self.since) / timedelta(days=1)

    def previous(self) -> Period:
        """The period of equal length just before this one (for trends)."""
        return Period(self.since - (self.until - self.since), self.since)

    def this_week(self) -> Period:
        """The seven days before ``until``."""
        return Period(self.until - WEEK, self.until)

    def weeks_before(self, count: int) -> Period:
        """The ``count`` whole weeks before this week (the trailing baseline of signals)."""
        week_start = self.until - WEEK
        return Period(week_start - count * WEEK, week_start)


def make_period(since: str | None = None, until: str | None = None, *, now: datetime | None = None) -> Period:
    """The period from command-line text; `since` defaults to the seven days before `until`."""
    end = parse_instant(until, option="--until") if until else (now or datetime.now(UTC))
    start = parse_instant(since, option="--since") if since else end - WEEK
    if start >= end:
        raise UserError(f"--since ({iso(start)}) must be before --until ({iso(end)})")
    return Period(start, end)
