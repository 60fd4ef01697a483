"""Retention keeps the channels and content reports whole: a year's report is the same after the old raw events are gone.

On SQLite and PostgreSQL: the roll-up is one SQL statement that both must run alike."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from analytics.context import ReportContext
from analytics.period import Period
from analytics.reports import channels, content
from analytics.store import Store
from personalize.database import connect
from personalize.retention import apply_retention
from tests.analytics.report_helpers import UNTIL, account, at, book, event
from tests.analytics.site_helpers import built_site, page
from tests.postgres import postgres_cluster

__all__ = ["postgres_cluster"]  # fixtures

PAPER, CASE = "/resources/smart-factory/", "/resources/case/"
BOOK = book(account("ACC-1", tier=1), account("ACC-2"))
OLD, RECENT = 200, 2  # days before UNTIL; retention keeps 30 days raw

EVENTS = [
    # ACC-1 lands from a Baidu ad (click id, no UTM tags), reads two pages and leaves a lead
    event(at(OLD), session_id="s1", visitor_id="v1", account_id="ACC-1", path=PAPER, extra={"bd_vid": "x9"}),
    event(at(OLD, minutes=2), session_id="s1", visitor_id="v1", account_id="ACC-1", path=CASE),
    event(at(OLD, minutes=3), "lead", session_id="s1", visitor_id="v1", account_id="ACC-1", path=CASE),
    # ACC-2 comes from a tagged WeChat campaign twice, spelled two ways
    event(at(OLD, hours=3), session_id="s2", visitor_id="v2", account_id="ACC-2", path=PAPER,
          utm_source="WeChat", utm_medium="social", utm_campaign="q3-iot"),  # fmt: skip
    event(at(OLD + 1, hours=3), session_id="s3", visitor_id="v2", account_id="ACC-2", path=CASE,
          utm_source=" wechat", utm_medium="social", utm_campaign="q3-iot"),  # fmt: skip
    # an anonymous visit from a search engine, and a bot that counts nowhere
    event(at(OLD, hours=5), session_id="s4", visitor_id="v4", path=PAPER, referrer_host="www.baidu.com"),
    event(at(OLD, hours=6), session_id="s5", visitor_id="bot", account_id="ACC-1", path=PAPER, is_bot=1),
    # recent days stay raw
    event(at(RECENT), session_id="s6", visitor_id="v1", account_id="ACC-1", path=PAPER, utm_source="baidu",
          utm_medium="cpc", utm_term="工业物联网"),  # fmt: skip
]
LEADS = [
    {"lead_id": "L1", "ts": at(OLD, minutes=3), "session_id": "s1", "account_id": "ACC-1", "path": CASE},
    # a badge scan at a trade fair: no visit, its own tags
    {"lead_id": "L2", "ts": at(OLD), "account_id": "ACC-2", "path": "/", "utm_source": "expo", "utm_medium": "offline"},
    {"lead_id": "L3", "ts": at(RECENT), "session_id": "s6", "account_id": "ACC-1", "path": PAPER},
]


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return str(tmp_path / "abm.sqlite")
    return str(request.getfixturevalue("postgres_cluster").create_database())


def _reports(db: str, site: Path) -> dict[str, Any]:
    with Store.open(db) as store:
        ctx = ReportContext(store=store, period=Period(UNTIL - timedelta(days=365), UNTIL), accounts=BOOK, site=site)
        return {"channels": channels.build(ctx), "content": content.build(ctx)}


def test_channels_and_content_are_the_same_after_retention(db: str, tmp_path: Path) -> None:
    with Store.open(db, create=True) as store:
        store.insert_events(EVENTS)
        store.insert_rows("leads", LEADS)
    site = built_site(tmp_path / "site", page(PAPER[1:], "白皮书"), page(CASE[1:], "案例", type="case-study"))
    before = _reports(db, site)
    connection = connect(db)
    try:
        rolled = apply_retention(connection, 30, now=UNTIL)
    finally:
        connection.close()
    assert rolled.deleted == 7  # every old event, the bot's too
    after = _reports(db, site)

    # worked out by hand: the Baidu ad click (bd_vid, no tags) and the recent baidu/cpc visit are one paid-search
    # row with their two leads; WeChat's two spellings are one row; the badge scan counts without a visit
    expected = {
        ("paid_search", "baidu", "cpc", "(not set)"): (2, 2, 1, 2),
        ("social", "wechat", "social", "q3-iot"): (2, 2, 1, 0),
        ("search", "baidu.com", "organic", "(not set)"): (1, 0, 0, 0),
        ("offline_event", "expo", "offline", "(not set)"): (0, 0, 1, 1),
    }
    for report in (before, after):
        sources = {
            (row["channel"], row["utm_source"], row["utm_medium"], row["utm_campaign"]):
                (row["visits"], row["target_account_visits"], row["accounts_reached"], row["leads"])
            for row in report["channels"] if row["grouping"] == "source"
        }  # fmt: skip
        assert sources == expected
        terms = [(row["utm_term"], row["visits"], row["leads"]) for row in report["channels"] if row["grouping"] == "term"]
        assert terms == [("工业物联网", 1, 1)]  # the term is of the recent, raw visit
        pages = {row["path"]: (row["views"], row["accounts"], row["target_accounts"], row["tier1_accounts"], row["leads"])
                 for row in report["content"]}  # fmt: skip
        assert pages == {PAPER: (4, 2, 2, 1, 1), CASE: (2, 2, 2, 1, 1)}
    assert after["channels"] == before["channels"]
    # distinct people are not kept for rolled-up days: only the recent visitor of the paper is left
    assert [row["people"] for row in before["content"]] == [3, 2] and [row["people"] for row in after["content"]] == [1, 0]
