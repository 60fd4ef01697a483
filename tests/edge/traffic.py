"""Visitors in client threads against a real edge (or nginx before edges), and what the store must hold after.

Each visitor keeps its cookies, browses the home page with UTM tags (a unique `utm_content` per
page, the key its pageview is found by) and now and then fills the lead form of a gated page with a
unique email. Every answer is recorded: which pages got a 200, which leads saw the success page, and
every other status.
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx

from personalize.database import connect
from tests.edge.edge_client import BROWSER_UA

GATED = "/resources/whitepaper/"
CAMPAIGN = "utm_source=wechat&utm_medium=social&utm_campaign=q4"
LEAD = {"name": "张伟", "company": "恒锐精工", "role": "IT 总监", "consent": "yes"}
HIDDEN = re.compile(r'<input type="hidden" name="([a-z_]+)" value="([^"]*)">')
SUCCESS = "提交成功"


@dataclass
class Outcomes:
    """What the visitors were answered."""

    served: list[str] = field(default_factory=list)  # utm_content of each page answered 200
    leads_shown: list[str] = field(default_factory=list)  # email of each lead that saw the success page
    leads_refused: list[tuple[str, int]] = field(default_factory=list)  # (email, status) of the others
    statuses: Counter[tuple[str, int]] = field(default_factory=Counter)  # (method, status) -> answers
    errors: list[str] = field(default_factory=list)  # no HTTP answer at all


class Traffic:
    """`clients` visitor threads on `base` until `stop()`; a lead every `lead_every` pages (0: none). Tags
    start with `name`, so several Traffics can run at once."""

    def __init__(self, base: str, clients: int, *, lead_every: int = 8, local_address: str | None = None,
                 name: str = "c") -> None:
        self.base, self.clients, self.lead_every, self.local_address = base, clients, lead_every, local_address
        self.name = name
        self.outcomes = Outcomes()
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._threads = [threading.Thread(target=self._visitor, args=(n,), daemon=True) for n in range(clients)]

    def __enter__(self) -> Traffic:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> Outcomes:
        self._stop.set()
        for thread in self._threads:
            thread.join(30)
        return self.outcomes

    def _client(self) -> httpx.Client:
        transport = httpx.HTTPTransport(local_address=self.local_address) if self.local_address else None
        return httpx.Client(base_url=self.base, transport=transport, headers={"user-agent": BROWSER_UA}, timeout=15)

    def lead_once(self, tag: str) -> int:
        """One more visitor fills the form now; the status of its post (recorded like the others')."""
        with self._client() as client:
            return self._lead(client, tag)

    def _visitor(self, number: int) -> None:
        with self._client() as client:
            page = 0
            while not self._stop.is_set():
                tag = f"{self.name}{number}-{page}"
                page += 1
                try:
                    if self.lead_every and page % self.lead_every == 0:
                        self._lead(client, tag)
                    else:
                        self._page(client, f"/?{CAMPAIGN}&utm_content={tag}", tag)
                except httpx.HTTPError as error:
                    with self._lock:
                        self.outcomes.errors.append(f"{tag}: {error!r}")

    def _page(self, client: httpx.Client, path: str, tag: str) -> httpx.Response:
        response = client.get(path)
        with self._lock:
            self.outcomes.statuses["GET", response.status_code] += 1
            if response.status_code == 200:
                self.outcomes.served.append(tag)
        return response

    def _lead(self, client: httpx.Client, tag: str) -> int:
        """A new visitor fills the form (a lead's next visits get the asset without one) and browses on as that lead."""
        client.cookies.clear()
        form = self._page(client, f"{GATED}?utm_content={tag}", tag)
        if form.status_code != 200:
            return form.status_code
        email = f"{tag}@hengrui-precision.cn"
        response = client.post("/abm/lead", data={**LEAD, "email": email, **dict(HIDDEN.findall(form.text))})
        with self._lock:
            self.outcomes.statuses["POST", response.status_code] += 1
            if response.status_code == 200 and SUCCESS in response.text:
                self.outcomes.leads_shown.append(email)
            else:
                self.outcomes.leads_refused.append((email, response.status_code))
        return response.status_code


def query(url: str, sql: str) -> list[tuple[Any, ...]]:
    connection = connect(url, upgrade=False)
    try:
        return [tuple(row) for row in connection.execute(sql).fetchall()]
    finally:
        connection.close()


def check_store(url: str, *answered: Outcomes) -> dict[str, int]:
    """Every page answered 200 is one pageview, every lead thanked is one lead and one lead event, nothing is
    doubled; return the counts for the test's printout."""
    outcomes = Outcomes(served=[tag for one in answered for tag in one.served],
                        leads_shown=[email for one in answered for email in one.leads_shown])
    pageviews = dict(query(url, "SELECT utm_content, COUNT(*) FROM events WHERE kind = 'pageview' GROUP BY utm_content"))
    missing = [tag for tag in outcomes.served if tag not in pageviews]
    doubled = {tag: count for tag, count in pageviews.items() if count != 1}
    assert not missing and not doubled, f"{len(missing)} pageviews missing {missing[:5]}, doubled {doubled}"
    untagged = query(url, "SELECT COUNT(*) FROM events WHERE kind = 'pageview' AND path = '/' AND NOT (COALESCE(utm_source, '') "
                          "= 'wechat' AND COALESCE(utm_medium, '') = 'social' AND COALESCE(utm_campaign, '') = 'q4')")
    assert untagged == [(0,)]  # each home page's UTM tags, as the visitor's URL had them
    leads = dict(query(url, "SELECT email, COUNT(*) FROM leads GROUP BY email"))
    lost = [email for email in outcomes.leads_shown if email not in leads]
    assert not lost and all(count == 1 for count in leads.values()), f"leads lost {lost}, counts {leads}"
    lead_events = dict(query(url, "SELECT l.email, COUNT(e.event_id) FROM leads l LEFT JOIN events e ON e.kind = 'lead' "
                                  "AND e.extra::json->>'lead_id' = l.lead_id GROUP BY l.email"))
    assert all(lead_events[email] == 1 for email in outcomes.leads_shown), lead_events
    assert all(count <= 1 for count in lead_events.values())
    return {"pageviews": len(pageviews), "leads": len(leads)}
