"""The accounts report on a hand-made week: every number worked out beside its events."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from analytics.reports import accounts
from analytics.scoring import behaviour_by, behaviour_from
from tests.analytics.report_helpers import account, at, book, event, report_context

EVENTS = [
    # ACC-1 this week: visitor a (2 sessions, 3 pageviews), visitor b (1 session, 1 pageview, 90 s engaged)
    event(at(1), account_id="ACC-1", visitor_id="a", session_id="a1"),
    event(at(1, minutes=2), account_id="ACC-1", visitor_id="a", session_id="a1", path="/pricing/"),
    event(at(3), account_id="ACC-1", visitor_id="a", session_id="a2"),
    event(at(2), account_id="ACC-1", visitor_id="b", session_id="b1"),
    event(at(2, minutes=1), "engagement", account_id="ACC-1", visitor_id="b", session_id="b1", value=90),
    # a session with only webinar beacons: a session, not a visit; 150 s heartbeat = engaged
    event(at(4), "webinar_join", account_id="ACC-1", visitor_id="c", session_id="c1"),
    event(at(4, minutes=3), "webinar_heartbeat", account_id="ACC-1", visitor_id="c", session_id="c1", value=150),
    # bots and preview links never count
    event(at(1), account_id="ACC-1", visitor_id="bot", session_id="bot1", is_bot=1),
    event(at(1), account_id="ACC-1", visitor_id="sales", session_id="p1", is_preview=1),
    # previous week: 1 visit -> trend = 3 / 1 - 1 = +200%
    event(at(9), account_id="ACC-1", visitor_id="a", session_id="a0"),
    # ACC-2 only in the previous week -> 0 visits, trend -100%, last seen 10 days ago
    event(at(10), account_id="ACC-2", visitor_id="d", session_id="d1"),
    event(at(10, hours=1), account_id="ACC-2", visitor_id="e", session_id="e1"),
    # not a target account (with the CSV) and an anonymous visit
    event(at(2), account_id="OTHER", visitor_id="f", session_id="f1"),
    event(at(2), visitor_id="g", session_id="g1"),
    # after --until: ignored
    event(at(-1), account_id="ACC-1", visitor_id="a", session_id="late"),
]
LEADS = [
    {"lead_id": "L1", "ts": at(1, minutes=3), "visitor_id": "a", "session_id": "a1", "account_id": "ACC-1", "email": "a@acc-1.example"},
    {"lead_id": "L0", "ts": at(20), "visitor_id": "a", "session_id": "old", "account_id": "ACC-1"},  # before the period
]
BOOK = book(account("ACC-1", "恒锐精工", tier=1), account("ACC-2", "星河半导体", industry="high-tech", stage="qualified"),
            account("ACC-3", "鲜丰食品", industry="fmcg", tier=3, stage="customer"))  # fmt: skip


def by_account(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {row["account_id"]: row for row in rows}


@pytest.mark.parametrize("engine", ["sqlite", "duckdb"])
def test_numbers_per_target_account(tmp_path: Path, engine: str) -> None:
    with report_context(tmp_path, EVENTS, tables={"leads": LEADS}, accounts=BOOK, engine=engine) as ctx:
        rows = accounts.build(ctx)
    assert [r["account_id"] for r in rows] == ["ACC-1", "ACC-2", "ACC-3"]  # the CSV's, also never seen
    one, two, three = rows
    assert {k: one[k] for k in ("visits", "people", "sessions", "pageviews", "engaged_minutes", "leads")} == {
        "visits": 3, "people": 3, "sessions": 4, "pageviews": 4, "engaged_minutes": 4.0, "leads": 1,
    }  # fmt: skip
    assert (one["account_name"], one["tier"], one["visits_previous"], one["trend"]) == ("恒锐精工", 1, 1, 2.0)
    assert one["last_seen"] == at(1, minutes=2)
    assert (two["visits"], two["visits_previous"], two["trend"], two["last_seen"]) == (0, 2, -1.0, at(10, hours=1))
    assert (three["visits"], three["trend"], three["last_seen"], three["stage"]) == (0, None, None, "customer")
    assert two["stage"] == "qualified"  # from the CSV: behaviour alone would say aware
    assert one["stage"] in ("engaged", "qualified") and one["score"] > two["score"]


def test_without_a_csv_every_account_seen_is_a_target(tmp_path: Path) -> None:
    with report_context(tmp_path, EVENTS, tables={"leads": LEADS}) as ctx:
        rows = by_account(accounts.build(ctx))
        summary = accounts.summary(ctx)
    assert set(rows) == {"ACC-1", "ACC-2", "OTHER"}
    assert rows["OTHER"]["account_name"] == "OTHER" and rows["OTHER"]["tier"] is None
    assert summary["target_share"] == 1.0


def test_target_share_of_identified_visits(tmp_path: Path) -> None:
    with report_context(tmp_path, EVENTS, accounts=BOOK) as ctx:
        summary = accounts.summary(ctx)
    # visits this week: ACC-1 3, OTHER 1, anonymous 1 -> 3 of 4 identified, 4 of 5 identified
    assert (summary["visits"], summary["identified_visits"], summary["target_account_visits"]) == (5, 4, 3)
    assert summary["target_share"] == 0.75 and summary["identified_share"] == 0.8
    assert summary["target_share_of_all"] == 0.6
    assert "75.0%" in accounts.footer(summary)


def test_empty_store(tmp_path: Path) -> None:
    with report_context(tmp_path) as ctx:
        assert accounts.build(ctx) == []
        assert accounts.summary(ctx)["target_share"] is None
    with report_context(tmp_path, accounts=BOOK) as ctx:
        rows = accounts.build(ctx)
    assert {(r["account_id"], r["visits"], r["stage"]) for r in rows} == {
        ("ACC-1", 0, "unaware"), ("ACC-2", 0, "qualified"), ("ACC-3", 0, "customer"),
    }  # fmt: skip
    assert rows[0]["account_id"] == "ACC-1"  # no visits anywhere: the best fit (tier 1) first


SCORED = [
    *EVENTS,
    event(at(30), account_id="ACC-1", visitor_id="h", session_id="h1", path="/Pricing/"),  # history: pricing, person
    event(at(30, minutes=1), "download", account_id="ACC-1", visitor_id="h", session_id="h1"),
    event(at(40), "webinar_heartbeat", account_id="ACC-2", visitor_id="d", session_id="d0", value=600),
    # ACC-4: only an engagement beacon without a session in the previous week, nothing this week
    event(at(12), "engagement", account_id="ACC-4", visitor_id="i", session_id=None, value=30),
]
DEMO_LEADS = [*LEADS, {"lead_id": "L2", "ts": at(15), "visitor_id": "d", "account_id": "ACC-2", "path": "/resources/demo-request/"}]


@pytest.mark.parametrize("engine", ["sqlite", "duckdb"])
def test_the_one_pass_counts_what_scoring_counts_on_its_own(tmp_path: Path, engine: str) -> None:
    with report_context(tmp_path, SCORED, tables={"leads": DEMO_LEADS}, engine=engine) as ctx:
        seen = accounts.per_account(ctx)
        behaviours = {account_id: behaviour_from(row) for account_id, row in seen.items()}
        leads = accounts.lead_counts(ctx, behaviours)
        assert behaviours == behaviour_by(ctx, "account_id")
        assert accounts.account_journeys(ctx, behaviours) == accounts.account_journeys(ctx)
        rows = by_account(accounts.build(ctx))
    one, two = behaviours["ACC-1"], behaviours["ACC-2"]
    assert (one.pageviews, one.pricing_views, one.downloads, one.people) == (6, 2, 1, 4)  # bots, preview, late: no
    assert (two.webinar_minutes, two.demo_requests, two.last_seen) == (10.0, 1, at(10, hours=1))
    assert leads == {"ACC-1": 1, "ACC-2": 0}  # in the period; ACC-2's demo request was before it
    assert set(rows) == {"ACC-1", "ACC-2", "OTHER", "ACC-4"}  # ACC-4: seen in the previous period only
    assert (rows["ACC-4"]["visits"], rows["ACC-4"]["sessions"], rows["ACC-4"]["trend"]) == (0, 0, None)
    assert rows["ACC-4"]["last_seen"] == at(12)
    assert rows["ACC-1"]["last_seen"] == at(1, minutes=2)  # events only: a later lead is not a visit


def test_visitor_behaviour_only_for_visitors_who_left_a_lead(tmp_path: Path) -> None:
    with report_context(tmp_path, SCORED, tables={"leads": DEMO_LEADS}) as ctx:
        visitors = behaviour_by(ctx, "visitor_id")
    assert set(visitors) == {"a", "d"}
    assert (visitors["a"].pageviews, visitors["a"].pricing_views, visitors["a"].people) == (4, 1, 1)
    assert (visitors["d"].webinar_minutes, visitors["d"].demo_requests) == (10.0, 1)
