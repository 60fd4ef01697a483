"""Durations as people type them on a command line or in settings: ``14d``, ``12h``, ``30m``, ``45s``."""

from __future__ import annotations

import re

from personalize.errors import UserError

UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_DURATION = re.compile(r"^\s*(\d+)\s*([a-zA-Z]*)\s*$")


def parse_duration(text: str) -> int:
    """Seconds in ``text``; a bare number is seconds. UserError says which units are allowed."""
    match = _DURATION.match(text or "")
    unit = match.group(2).lower() if match else ""
    if match is None or (unit and unit not in UNITS):
        raise UserError(
            f"{text!r} is not a duration: write a whole number and a unit "
            f"s, m, h or d (seconds, minutes, hours, days), e.g. 14d or 12h"
        )
    seconds = int(match.group(1)) * UNITS.get(unit or "s", 1)
    if seconds <= 0:
        raise UserError(f"{text!r}: a duration must be longer than zero")
    return seconds
