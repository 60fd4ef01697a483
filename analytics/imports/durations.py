"""How long someone stayed, as exports spell it: ``62``, ``1h 2m 10s``, ``01:02:10``, ``62分钟``, ``1小时2分10秒``.

Some platforms (小鹅通, 微吼, 钉钉 live) give only a join time and a watch time per person; the
time is then read as one span from the join, so the drop-off curve still has a leave.
"""

from __future__ import annotations

import re

_UNITS = {
    "h": 3600, "hr": 3600, "hrs": 3600, "hour": 3600, "hours": 3600, "小时": 3600, "时": 3600,
    "m": 60, "min": 60, "mins": 60, "minute": 60, "minutes": 60, "分钟": 60, "分": 60,
    "s": 1, "sec": 1, "secs": 1, "second": 1, "seconds": 1, "秒": 1, "秒钟": 1,
}  # fmt: skip
_PART = re.compile(r"(\d+(?:\.\d+)?)\s*(小时|分钟|秒钟|hours|hour|hrs|hr|minutes|minute|mins|min|seconds|second|secs|sec|[hms时分秒])",
                   re.IGNORECASE)
_CLOCK = re.compile(r"(\d+):(\d{1,2})(?::(\d{1,2}))?")


def duration_seconds(text: str) -> int:
    """Seconds in ``text``; a bare number is minutes (Zoom's "Time in Session (minutes)"). ValueError if none."""
    cleaned = text.strip().replace("：", ":").replace(",", ".")
    if re.fullmatch(r"\d+(?:\.\d+)?", cleaned):
        return round(float(cleaned) * 60)
    clock = _CLOCK.fullmatch(cleaned)
    if clock:  # hh:mm:ss, or mm:ss with two parts (a watch time, not a time of day)
        first, second, third = (int(part) if part else None for part in clock.groups())
        assert first is not None and second is not None
        return first * 3600 + second * 60 + third if third is not None else first * 60 + second
    parts = list(_PART.finditer(cleaned))
    rest = _PART.sub("", cleaned).strip()
    if not parts or rest:
        raise ValueError(f"{text!r} is not a duration like 62, 1h 2m 10s, 01:02:10, 62分钟 or 1小时2分10秒")
    return round(sum(float(part[1]) * _UNITS[part[2].lower()] for part in parts))
