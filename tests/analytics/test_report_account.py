"""One account's story: people stitched by e-mail across visitor ids, the timeline newest first, topics."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from analytics.reports import account
from personalize.errors import UserError
from tests.analytics.report_helpers import account as make_account
from tests.analytics.report_helpers import at, book, event, report_context
from tests.analytics.site_helpers import built_site, page

PAPER, CASE = "/resources/smart-factory/", "/resources/case-hengrui/"
EVENTS = [
    # Li reads anonymously on her phone (v-phone: no account resolved), then on her laptop at work
    event(at(5), visitor_id="v-phone", session_id="p1", path=PAPER, utm_source="wechat", utm_medium="social"),
    event(at(5, minutes=1), "engagement", visitor_id="v-phone", session_id="p1", path=PAPER, value=90),
    event(at(4), visitor_id="v-laptop", session_id="l1", path=CASE, account_id="ACC-1", match_source="ip_range"),
    event(at(4, minutes=2), "download", visitor_id="v-laptop", session_id="l1", path=CASE, account_id="ACC-1"),
    event(at(4, minutes=3), visitor_id="v-laptop", session_id="l1", path=PAPER, account_id="ACC-1"),
    # a colleague who never left a lead
    event(at(2), visitor_id="v-zhao", session_id="z1", path=PAPER, account_id="ACC-1"),
    # other accounts, bots and the time before the period stay out
    event(at(3), visitor_id="v-other", session_id="o1", path=PAPER, account_id="ACC-2"),
    event(at(3), visitor_id="v-bot", session_id="b1", path=PAPER, account_id="ACC-1", is_bot=1),
    event(at(9), visitor_id="v-laptop", session_id="old", path=PAPER, account_id="ACC-1"),
]
LEADS = [
    {"lead_id": "L1", "ts": at(5, minutes=2), "visitor_id": "v-phone", "session_id": "p1", "name": "李娜",
     "email": "li@acc-1.example", "role": "IT 经理", "path": PAPER},  # no account: found by the e-mail's domain
    {"lead_id": "L2", "ts": at(4, minutes=4), "visitor_id": "v-laptop", "session_id": "l1", "name": "李娜",
     "email": "LI@acc-1.example", "role": "IT 总监", "account_id": "ACC-1", "path": CASE},
]  # fmt: skip
SPANS = [{"webinar": "resources/webinars/live", "name": "李娜", "email": "li@acc-1.example", "account_id": "ACC-1",
          "join_ts": at(1), "leave_ts": at(1, minutes=45), "role": "attendee"}]  # fmt: skip
STAGES = [{"account_id": "ACC-1", "stage": "商机", "updated_at": at(0.5)}]
BOOK = book(make_account("ACC-1", "恒锐精工", tier=1, owner="张伟"), make_account("ACC-2", "优品汇"))


def story(tmp_path: Path, **options: Any) -> dict[str, Any]:
    site = built_site(tmp_path / "site", page(PAPER[1:], "智能工厂白皮书", topics=["智能工厂", "设备联网"]),
                      page(CASE[1:], "恒锐案例", topics=["智能工厂"], type="case-study"))  # fmt: skip
    tables = {"leads": LEADS, "webinar_spans": SPANS, "crm_stages": STAGES}
    with report_context(tmp_path, EVENTS, tables=tables, accounts=BOOK, site=site) as ctx:
        return account.build(ctx, account_id="ACC-1", **options)


def test_the_account_and_its_people_stitched_by_email(tmp_path: Path) -> None:
    result = story(tmp_path)
    assert {k: result[k] for k in ("account_id", "account_name", "tier", "owner", "stage")} == {
        "account_id": "ACC-1", "account_name": "恒锐精工", "tier": 1, "owner": "张伟", "stage": "opportunity"}
    li, zhao = result["people"]
    # both devices are one person: 3 pageviews (phone 1, laptop 2) in 2 visits; the latest lead's role
    assert (li["name"], li["role"], li["visits"], li["pageviews"]) == ("李娜", "IT 总监", 2, 3)
    assert sorted(li["visitor_ids"]) == ["v-laptop", "v-phone"]
    assert (li["first_seen"], li["last_seen"]) == (at(5), at(4, minutes=3))
    assert (zhao["visitor_id"], zhao["name"], zhao["pageviews"]) == ("v-zhao", None, 1)


def test_the_timeline_is_newest_first_with_every_kind(tmp_path: Path) -> None:
    items = story(tmp_path)["timeline"]
    assert [i["ts"] for i in items] == sorted((i["ts"] for i in items), reverse=True)
    kinds = [i["kind"] for i in items]
    # stage (0.5 d), webinar (1 d), Zhao (2 d), lead L2, Li's laptop pageviews and download (4 d), lead L1, phone (5 d)
    assert kinds == ["stage_change", "webinar", "pageview", "lead", "pageview", "download", "pageview", "lead", "pageview"]
    assert len(kinds) == 9  # no engagement, bot, other account or pre-period event
    phone = items[-1]
    assert (phone["visitor_id"], phone["name"], phone["title"], phone["channel"], phone["seconds"]) == (
        "v-phone", "李娜", "智能工厂白皮书", "social", 90)
    assert items[0]["title"] == "商机" and items[1]["seconds"] == 45 * 60


def test_topics_count_pageviews_by_the_pages_topics(tmp_path: Path) -> None:
    result = story(tmp_path)
    # pageviews: paper x3 (phone, laptop, Zhao), case x1 -> 智能工厂 4, 设备联网 3
    assert result["topics"] == [{"topic": "智能工厂", "views": 4}, {"topic": "设备联网", "views": 3}]
    assert [lead["lead_id"] for lead in result["leads"]] == ["L1", "L2"]
    assert result["webinars"] == [{"slug": "resources/webinars/live", "title": None, "minutes": 45.0}]


def test_an_unknown_account_is_an_error(tmp_path: Path) -> None:
    with report_context(tmp_path, EVENTS, accounts=BOOK) as ctx, pytest.raises(UserError, match="ACC-9"):
        account.build(ctx, account_id="ACC-9")


def test_the_accounts_report_counts_the_known_buying_committee(tmp_path: Path) -> None:
    from analytics.reports import accounts

    more = [*LEADS, {"lead_id": "L3", "ts": at(3), "visitor_id": "v-zhao", "name": "赵强", "email": "zhao@acc-1.example",
                     "role": "采购经理", "account_id": "ACC-1"}]  # fmt: skip
    with report_context(tmp_path, EVENTS, tables={"leads": more}, accounts=BOOK) as ctx:
        rows = {row["account_id"]: row for row in accounts.build(ctx)}
    # Li (two leads, one e-mail in two spellings) and Zhao; Li's latest role counts
    assert (rows["ACC-1"]["known_contacts"], rows["ACC-1"]["roles"]) == (2, ["IT 总监", "采购经理"])
    assert (rows["ACC-2"]["known_contacts"], rows["ACC-2"]["roles"]) == (0, [])
