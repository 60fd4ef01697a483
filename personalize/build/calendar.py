"""A webinar's "add to calendar" file: one RFC 5545 event that Outlook, Apple and Google Calendar,
企业微信, 钉钉 and 飞书 import, with the agenda in its description and a reminder before it starts.

Written next to the webinar's page at build time (`webinar.ics`), only for public pages: the file
sits in `site/`, which anyone may read. The event's location is the page itself, never a join
link, since those are handed out after registration.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from icalendar import Alarm, Calendar, Event

from personalize.build.agenda import webinar_facts

FILE_NAME = "webinar.ics"
REMINDER = timedelta(minutes=15)
PRODUCT = "-//abm-site//webinar calendar//ZH"


def webinar_calendar(*, title: str, summary: str, url: str, webinar: dict[str, Any], host: str) -> bytes:
    """The .ics bytes of one webinar; `url` is the page's absolute URL (or its path without a site_url)."""
    start = datetime.fromisoformat(str(webinar["start"]))
    duration = int(webinar["duration"])
    facts = webinar_facts(webinar) or {"agenda": []}  # the agenda's clock times as the page shows them
    lines = [*([summary] if summary else []), *(f"{item['clock']} {item['title']}" for item in facts["agenda"]), url]
    event = Event()
    event.add("uid", f"webinar-{urlsplit(url).path.strip('/').replace('/', '-')}@{host}")  # stable: a re-import updates
    event.add("dtstamp", start.astimezone(UTC))  # the build's clock would change the file on every build
    event.add("dtstart", start.astimezone(UTC))
    event.add("dtend", (start + timedelta(minutes=duration)).astimezone(UTC))
    event.add("summary", title)
    event.add("description", "\n".join(lines))
    event.add("location", url)
    event.add("url", url)
    reminder = Alarm()
    reminder.add("action", "DISPLAY")
    reminder.add("description", title)
    reminder.add("trigger", -REMINDER)
    event.add_component(reminder)
    calendar = Calendar()
    calendar.add("prodid", PRODUCT)
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    calendar.add_component(event)
    return calendar.to_ical()
