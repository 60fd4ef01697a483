"""Webinar drop-off in 5-minute buckets against the agenda, from imports and on-site beacons.

The webinar starts 2026-04-01 14:00 +08:00 (06:00 UTC) and lasts 30 minutes. Merged spans:
Alice 00-12 and 14-30 (a rejoin; leaving at the end is not leaving), Bob -2-07, Carol 03-22,
Erin (beacons) 05-16 and 18-29, an anonymous beacon visitor 00-20; the host is not audience.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from analytics.reports import webinar
from personalize.errors import UserError
from personalize.manifest import AgendaItem
from tests.analytics.report_helpers import account, book, event, report_context
from tests.analytics.webinar_files import webinar_page, write_site

SLUG = "resources/webinars/demo-day"
PAGE = "/resources/webinars/demo-day/"
AGENDA = [AgendaItem(at=0, title="开场"), AgendaItem(at=10, title="产品演示"), AgendaItem(at=25, title="问答")]


def t(minute: int) -> str:
    """A store timestamp `minute` minutes after the start (06:00 UTC)."""
    hours, minutes = divmod(6 * 60 + minute, 60)
    return f"2026-04-01T{hours:02d}:{minutes:02d}:00.000Z"


def span(name: str, email: str, join: int, leave: int, role: str = "attendee", company: str = "") -> dict[str, Any]:
    return {"webinar": SLUG, "name": name, "email": email, "company": company or None, "join_ts": t(join),
            "leave_ts": t(leave), "role": role, "source": "zoom"}  # fmt: skip


SPANS = [
    span("Alice", "alice@acc-1.example", 0, 12), span("Alice", "Alice@ACC-1.example", 14, 30),
    span("Bob", "bob@other.example", -2, 7),
    span("Carol", "carol@acc-2.example", 3, 22, company="星河"),
    span("Host", "host@us.example", -10, 30, role="host"), span("Pat", "pat@us.example", 0, 30, role="panelist"),
]  # fmt: skip
REGISTRANTS = [
    {"webinar": SLUG, "name": "Alice", "email": "alice@acc-1.example"},
    {"webinar": "demo-day", "name": "Bob", "email": "bob@other.example"},  # registered under the file name
    {"webinar": SLUG, "name": "Dan", "email": "dan@acc-1.example", "company": "恒锐"},  # never came
]
LEADS = [  # Erin registered on the page itself; her visitor id ties the beacons to her
    {"lead_id": "L-erin", "ts": "2026-03-30T01:00:00.000Z", "visitor_id": "v-erin", "name": "Erin",
     "email": "erin@acc-1.example", "company": "恒锐", "account_id": "ACC-1", "path": PAGE},
]  # fmt: skip
BEACONS = [
    *(event(t(m), kind, visitor_id="v-erin", path=PAGE) for m, kind in [
        (5, "webinar_join"), (10, "webinar_heartbeat"), (15, "webinar_heartbeat"), (16, "webinar_leave"),
        (18, "webinar_join"), (29, "webinar_heartbeat")]),
    event(t(0), "webinar_join", visitor_id="v-anon", account_id="ACC-3", path=PAGE),
    event(t(20), "webinar_heartbeat", visitor_id="v-anon", account_id="ACC-3", path=PAGE),
    event(t(0), "webinar_join", visitor_id="v-bot", path=PAGE, is_bot=1),
    event(t(29), "webinar_heartbeat", visitor_id="v-bot", path=PAGE, is_bot=1),
    event(t(1), "webinar_join", visitor_id="v-other", path="/resources/webinars/another/"),
]  # fmt: skip
BOOK = book(account("ACC-1", "恒锐精工"), account("ACC-2", "星河半导体"), account("ACC-3", "鲜丰食品"))


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """A built site whose manifest lists the webinar (analytics reads webinars only from there)."""
    return write_site(tmp_path / "project", [webinar_page(SLUG, "演示日", "2026-04-01T14:00:00+08:00", 30, AGENDA)])


def build(tmp_path: Path, site: Path, slug: str = SLUG, **tables: list[dict[str, Any]]) -> dict[str, Any]:
    tables = {"webinar_spans": SPANS, "webinar_registrants": REGISTRANTS, "leads": LEADS} | tables
    with report_context(tmp_path, BEACONS, tables=tables, accounts=BOOK, site=site) as ctx:
        return webinar.build(ctx, slug=slug)


def test_buckets_against_the_agenda(tmp_path: Path, site: Path) -> None:
    result = build(tmp_path, site)
    table = [(b["start_minute"], b["present"], b["joined"], b["left"], b["agenda"]) for b in result["buckets"]]
    assert table == [
        (0, 1, 3, 0, "开场"),  # Bob was there before the start; Alice, Carol, anon joined
        (5, 4, 1, 1, "开场"),  # Erin joined, Bob left
        (10, 4, 1, 1, "产品演示"),  # Alice left at 12 and came back at 14
        (15, 4, 1, 1, "产品演示"),  # Erin left at 16 and came back at 18
        (20, 4, 0, 2, "产品演示"),  # anon left at 20 (there at the start), Carol at 22
        (25, 2, 0, 1, "问答"),  # Erin's last heartbeat at 29; Alice's leave at the end is not leaving
    ]
    for bucket, following in zip(result["buckets"], result["buckets"][1:], strict=False):
        assert following["present"] == bucket["present"] + bucket["joined"] - bucket["left"]
    assert result["peak_drop_start_minute"] == 20


def test_follow_up_lists(tmp_path: Path, site: Path) -> None:
    result = build(tmp_path, site)
    assert (result["registrants"], result["attendees"]) == (4, 5)  # Alice, Bob, Dan, Erin / + Carol, anon
    assert [(p["name"], p["email"], p["company"], p["account_id"]) for p in result["no_shows"]] == [
        ("Dan", "dan@acc-1.example", "恒锐", "ACC-1")
    ]
    early = {(p["name"], p["account_id"]) for p in result["early_leavers"]}
    assert early == {("Bob", None), ("Carol", "ACC-2"), (None, "ACC-3")}  # last leave before minute 24
    minutes = {p["name"]: p["minutes"] for p in result["people"]}
    assert minutes["Alice"] == 28.0 and minutes["Erin"] == 22.0 and "Host" not in minutes and "Pat" not in minutes
    # times in the store's own spelling, like every other report's timestamps
    last_left = {p["name"]: p["last_left"] for p in result["people"]}
    assert last_left["Alice"] == t(30) and last_left["Dan"] is None


def test_engaged_without_a_lead_stayed_80_percent_and_neither_left_a_lead_nor_clicked(tmp_path: Path, site: Path) -> None:
    # Alice stayed 28 of 30 minutes and is nobody's lead; Erin (22 minutes) has a lead; the rest left early
    assert [p["name"] for p in build(tmp_path, site)["engaged_no_lead"]] == ["Alice"]
    lead = {"lead_id": "L-alice", "ts": t(40), "visitor_id": "v-a", "email": "ALICE@acc-1.example"}
    assert build(tmp_path, site, leads=[*LEADS, lead])["engaged_no_lead"] == []
    stayed = [event(t(0), "webinar_join", visitor_id="v-stay", path=PAGE),
              event(t(28), "webinar_heartbeat", visitor_id="v-stay", path=PAGE)]
    clicked = event(t(29), "cta_click", visitor_id="v-stay", path=PAGE)
    for extra, expected in (([], 2), ([clicked], 1)):  # the anonymous visitor who stayed, until they click the CTA
        with report_context(tmp_path, [*BEACONS, *stayed, *extra], accounts=BOOK, site=site,
                            tables={"webinar_spans": SPANS, "leads": LEADS}) as ctx:  # fmt: skip
            assert len(webinar.build(ctx, slug=SLUG)["engaged_no_lead"]) == expected


def test_slug_by_file_name_and_unknown_slugs(tmp_path: Path, site: Path) -> None:
    assert build(tmp_path, site, slug="demo-day")["attendees"] == 5
    with pytest.raises(UserError, match=r"no webinar page 'demo-dya'.*resources/webinars/demo-day"):
        build(tmp_path, site, slug="demo-dya")


def test_a_webinar_nobody_attended(tmp_path: Path, site: Path) -> None:
    with report_context(tmp_path, site=site) as ctx:
        result = webinar.build(ctx, slug=SLUG)
    assert (result["registrants"], result["attendees"], result["no_shows"], result["early_leavers"]) == (0, 0, [], [])
    assert result["peak_drop_start_minute"] is None
    assert [b["present"] for b in result["buckets"]] == [0] * 6


def test_an_unbuilt_site_says_to_build_it(tmp_path: Path) -> None:
    with report_context(tmp_path, site=tmp_path) as ctx, pytest.raises(UserError, match=r"'demo-day'.*run `mkdocs build`"):
        webinar.build(ctx, slug="demo-day")
