"""How a webinar's date, duration and agenda read on its page (in the webinar's own time zone)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

WEEKDAYS = "一二三四五六日"


def webinar_facts(webinar: dict[str, Any] | None) -> dict[str, Any] | None:
    """Start as `2026年5月21日（周四）14:00`, the end time, and each agenda item's clock time."""
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
        "agenda": [{"at": int(item["at"]), "clock": f"{start + timedelta(minutes=int(item['at'])):%H:%M}",
                    "title": item["title"]} for item in webinar.get("agenda") or []],
    }
