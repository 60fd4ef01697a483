"""A visitor on a webinar page through a real edge follows "添加到日历" and gets the event as a calendar file."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import httpx
import icalendar
from bs4 import BeautifulSoup

from personalize import manifest
from tests.edge.edge_client import BROWSER_UA, start_demo_edge
from tests.soup import attr


def test_the_calendar_link_of_every_webinar_page_serves_its_event(built_site: Path, tmp_path: Path,
                                                                  live_server: Any) -> None:  # fmt: skip
    edge = start_demo_edge(built_site, tmp_path, live_server)
    public = manifest.read(built_site / "site" / manifest.PUBLIC_FILE)
    webinars = [page for page in public.pages if page.webinar]
    assert webinars
    with httpx.Client(base_url=edge.url, headers={"user-agent": BROWSER_UA}, timeout=10) as client:
        for page in webinars:
            path = "/" + page.url
            link = BeautifulSoup(client.get(path).text, "html.parser").select_one(".abm-webinar__calendar a[href]")
            assert link is not None, path
            answer = client.get(urljoin(path, attr(link, "href")))
            assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/calendar")
            assert answer.content == (built_site / "site" / page.url / "webinar.ics").read_bytes()
            assert "etag" in answer.headers or "last-modified" in answer.headers  # revalidated, like other files
            [event] = icalendar.Calendar.from_ical(answer.content).walk("VEVENT")
            assert str(event["summary"]) == page.title
