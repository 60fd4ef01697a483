"""How a webinar's date, duration and agenda read on its page (in the webinar's own time zone)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

WEEKDAYS = "一二三四五六日"


def webinar_facts(webinar: dict[str, Any] | None) -> dict[str, Any] | None:
    """Start as `2026年5月21日（周四）`, `14:00–15:30`, and the agenda as a timeline of clock times."""
    if not webinar:
        return None
    start = datetime.fromisoformat(str(webinar["start"]))
    duration = int(webinar["duration"])
    offset = start.strftime("%z")
    return {
        "start": start.isoformat(),
        "date": f"{start.year}年{start.month}月{start.day}日（周{WEEKDAYS[start.weekday()]}）",
        "time": f"{start:%H:%M}–{start + timedelta(minutes=duration):%H:%M}",
        "zone": f"UTC{offset[:3]}:{offset[3:]}" if offset else "",
        "duration": duration,
        "agenda": _agenda(start, duration, webinar.get("agenda") or []),
    }


def _agenda(start: datetime, duration: int, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each item with its clock time and how long it runs (until the next item, the last until the end)."""
    offsets = [int(item["at"]) for item in items]
    ends = [*offsets[1:], duration]
    return [{"at": at, "clock": f"{start + timedelta(minutes=at):%H:%M}", "minutes": max(end - at, 0),
             "title": item["title"]} for at, end, item in zip(offsets, ends, items, strict=True)]
