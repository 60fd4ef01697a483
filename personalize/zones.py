"""The time zone people read times in, shared by the edge's settings and analytics.

Timestamps are stored in UTC everywhere; a zone only decides where a day starts and how a time
is shown. Both wings accept the same spellings (an IANA name, ``UTC``, or a fixed offset such as
``+08:00``) so that a value the edge's settings accept is never refused by a report, and the
default is named once: most of our users are marketers in Shanghai.
"""

from __future__ import annotations

import re
from datetime import UTC, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

#: Days are counted and times shown in this zone unless a setting, ABM_TIMEZONE or --tz says otherwise.
DEFAULT_TIMEZONE = "Asia/Shanghai"
TIMEZONE_ENV = "ABM_TIMEZONE"

_OFFSET = re.compile(r"^(?:UTC|GMT)?([+-])(\d{1,2}):?(\d{2})?$")


def parse_zone(text: str) -> tzinfo:
    """``Asia/Shanghai``, ``UTC``, ``+08:00``, ``+8`` or ``UTC+08:00``; ValueError says what is allowed."""
    text = str(text).strip()
    match = _OFFSET.match(text)
    if match:
        sign, hours, minutes = match.groups()
        delta = timedelta(hours=int(hours), minutes=int(minutes or 0))
        if delta > timedelta(hours=14):
            raise ValueError(f"{text!r}: an offset is at most ±14:00")
        return timezone(-delta if sign == "-" else delta)
    if text.upper() in ("UTC", "Z", "GMT"):
        return UTC
    try:
        return ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"{text!r} is not a time zone; use a zone name like Asia/Shanghai or an offset like +08:00") from None
