"""Times and durations in every spelling the webinar exports use, and the per-file date order."""

from __future__ import annotations

from datetime import timedelta, timezone

import pytest

from analytics.imports.dates import DAYFIRST, MONTHFIRST, Clock, DateOrderError, decide_order
from analytics.imports.durations import duration_seconds

BEIJING = timezone(timedelta(hours=8))


@pytest.mark.parametrize(("text", "order", "utc"), [
    ("Mar 28, 2020 08:07:27", None, "2020-03-28T00:07:27.000Z"),  # Zoom 2020
    ("Oct 15, 2026 02:00:10 PM", None, "2026-10-15T06:00:10.000Z"),
    ("15 Oct 2026 14:00", None, "2026-10-15T06:00:00.000Z"),
    ("Thu, October 15, 2026 2:00 p.m.", None, "2026-10-15T06:00:00.000Z"),
    ("10/15/2026, 2:03:11\u202fPM", MONTHFIRST, "2026-10-15T06:03:11.000Z"),  # Teams en-US, narrow no-break space
    ("15/11/22, 09:30:17", DAYFIRST, "2022-11-15T01:30:17.000Z"),  # Teams en-GB
    ("15.11.2022 09:30", DAYFIRST, "2022-11-15T01:30:00.000Z"),  # de-DE
    ("10/15/2026 12:05:00 AM", MONTHFIRST, "2026-10-14T16:05:00.000Z"),
    ("2026/10/15 14:03", None, "2026-10-15T06:03:00.000Z"),
    ("2026-10-15 14:03:11", None, "2026-10-15T06:03:11.000Z"),
    ("2026-10-15T14:03:11.250", None, "2026-10-15T06:03:11.250Z"),
    ("2026-10-15T06:03:11Z", None, "2026-10-15T06:03:11.000Z"),  # a cell with its own offset keeps it
    ("2026年10月15日 14:03:11", None, "2026-10-15T06:03:11.000Z"),
    ("2026年10月15日 下午2:03", None, "2026-10-15T06:03:00.000Z"),
    ("2026/10/15 上午9:30", None, "2026-10-15T01:30:00.000Z"),
    ("2026/10/15 中午12:30", None, "2026-10-15T04:30:00.000Z"),
    ("2026/10/15 晚上8:00", None, "2026-10-15T12:00:00.000Z"),
    ("2026/10/01", None, "2026-09-30T16:00:00.000Z"),
])
def test_times(text: str, order: str | None, utc: str) -> None:
    assert Clock(BEIJING, order).utc(text) == utc  # type: ignore[arg-type]


@pytest.mark.parametrize(("text", "order", "message"), [
    ("NA", None, "'NA' is not a time like"),
    ("15/10/2026 14:00", MONTHFIRST, r"this file.s dates are month-first \(month/day/year\) and 15 is no month"),
    ("2026/02/30 10:00", None, "day is out of range for month"),
    ("2026/10/15 25:00", None, "25:00:00 is no time of day"),
    ("2026/10/15 soon", None, "is not a time like"),
])
def test_not_times(text: str, order: str | None, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Clock(BEIJING, order).utc(text)  # type: ignore[arg-type]


def test_the_order_of_a_file() -> None:
    assert decide_order("f.csv", ["Name", "Oct 15, 2026 14:00:00", "2026/10/15"], None) == (None, "")
    order, note = decide_order("f.csv", ["01/02/2026 10:00", "10/13/2026 10:00"], None)
    assert order == MONTHFIRST and "'10/13/2026 10:00' has a second field over 12" in note
    assert decide_order("f.csv", ["01/02/2026", "13/02/2026", "14/02/2026", "02/13/2026"], None)[0] == DAYFIRST
    assert decide_order("f.csv", ["01/02/2026"], DAYFIRST) == (DAYFIRST, "dates read day-first (day/month/year, as --dayfirst says)")
    with pytest.raises(DateOrderError, match="no date in it has a field over 12; say which with --dayfirst"):
        decide_order("f.csv", ["01/02/2026"], None)
    with pytest.raises(DateOrderError, match="'13/02/2026' and '02/13/2026' disagree"):
        decide_order("f.csv", ["13/02/2026", "02/13/2026"], None)


@pytest.mark.parametrize(("text", "seconds"), [
    ("62", 3720), ("62.5", 3750), ("1h 2m 10s", 3730), ("51m", 3060), ("01:02:10", 3730), ("45:30", 2730),
    ("62分钟", 3720), ("1小时2分10秒", 3730), ("2分30秒", 150), ("1 hr 2 mins", 3720), ("45 秒", 45),
])
def test_durations(text: str, seconds: int) -> None:
    assert duration_seconds(text) == seconds


@pytest.mark.parametrize("text", ["很久", "1h soon", "", "12 parsecs"])
def test_not_durations(text: str) -> None:
    with pytest.raises(ValueError, match="is not a duration"):
        duration_seconds(text)
