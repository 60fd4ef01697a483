"""`abm import spend` and `abm report roi`: monthly spend spread over the period, worked out by hand."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from analytics.context import ReportContext
from analytics.period import Period
from analytics.reports import roi
from analytics.store import Store
from tests.analytics.abm_cli import run_abm
from tests.analytics.report_helpers import UNTIL, account, at, book, event

# The period: 2026-03-09 .. 2026-04-07, 30 whole days.
SPEND = ("日期,utm_source,utm_medium,utm_campaign,渠道,消耗\n"
         "2026年3月,baidu,cpc,,paid_search,\"¥31,000\"\n"  # 23 of March's 31 days: 23,000
         "2026-03-20,baidu,cpc,mes,,500\n"  # one day inside: 500
         "2026-04,wechat,,,social,3000\n"  # 7 of April's 30 days: 700
         "2026-05,baidu,cpc,,,9999\n")  # after the period: nothing  # fmt: skip
EVENTS = [
    event(at(25), account_id="A1", session_id="s1", utm_source="baidu", utm_medium="cpc", utm_campaign="mes"),
    event(at(25, minutes=5), account_id="A1", session_id="s1", path="/pricing/"),  # same visit, landing tags count
    event(at(24), visitor_id="anon", session_id="s2", utm_source="Baidu", utm_medium="cpc", utm_campaign="brand"),
    event(at(3), account_id="B9", session_id="s3", utm_source="wechat", utm_medium="social"),
    event(at(2), visitor_id="z", session_id="s4", utm_source="zhihu", utm_medium="social"),  # no spend row
    event(at(1), visitor_id="d", session_id="s5"),  # untagged: no row
]
LEADS = [
    {"lead_id": "L1", "ts": at(25), "utm_source": "baidu", "utm_medium": "cpc", "utm_campaign": "mes"},
    {"lead_id": "L2", "ts": at(24), "utm_source": "baidu", "utm_medium": "cpc", "utm_campaign": "mes"},
    {"lead_id": "L3", "ts": at(24), "utm_source": "baidu", "utm_medium": "cpc", "utm_campaign": "brand"},
]
OPPORTUNITIES = [{"opportunity_id": "O1", "account_id": "A1", "stage": "customer", "outcome": "won",
                  "amount": 100000, "created_at": at(20), "closed_at": at(2)}]  # fmt: skip


def test_spend_is_spread_and_matched_to_the_most_specific_tags(tmp_path: Path) -> None:
    spend = tmp_path / "spend.csv"
    spend.write_bytes(SPEND.encode("gb18030"))
    db = tmp_path / "s.sqlite"
    for _ in range(2):  # re-importing replaces
        result = run_abm("import", "spend", spend, "--db", db)
        assert result.exit_code == 0 and "imported 4 spend row(s)" in result.stdout, result.stderr
    with Store.open(db) as store:
        store.insert_events(EVENTS)
        store.insert_rows("leads", LEADS)
        store.insert_rows("crm_opportunities", OPPORTUNITIES)
        ctx = ReportContext(store=store, period=Period(UNTIL - timedelta(days=30), UNTIL),
                            accounts=book(account("A1", tier=1)))  # fmt: skip
        rows = {(r["utm_source"], r["utm_medium"], r["utm_campaign"]): r for r in roi.build(ctx)}
    assert set(rows) == {("baidu", "cpc", None), ("baidu", "cpc", "mes"), ("wechat", None, None), ("zhihu", "social", None)}
    pick = ("spend", "visits", "target_accounts", "leads", "opportunities", "pipeline_amount", "won_amount",
            "cost_per_lead", "cost_per_target_account", "cost_per_opportunity", "pipeline_per_spend")  # fmt: skip
    assert [rows[("baidu", "cpc", "mes")][k] for k in pick] == [500, 1, 1, 2, 1, 100000, 100000, 250, 500, 500, 200]
    assert [rows[("baidu", "cpc", None)][k] for k in pick] == [23000, 1, 0, 1, 0, 0, 0, 23000, None, None, 0]
    assert [rows[("wechat", None, None)][k] for k in pick] == [700, 1, 0, 0, 0, 0, 0, None, None, None, 0]
    assert [rows[("zhihu", "social", None)][k] for k in pick] == [0, 1, 0, 0, 0, 0, 0, None, None, None, None]
    assert rows[("wechat", None, None)]["channel"] == "social" and rows[("baidu", "cpc", "mes")]["channel"] == "paid_search"


def test_a_bad_spend_file_imports_nothing(tmp_path: Path) -> None:
    spend = tmp_path / "bad.csv"
    spend.write_text("date,utm_source,cost\n2026-13,baidu,100\n2026-11-01,,100\n2026-11-02,baidu,lots\n", encoding="utf-8")
    result = run_abm("import", "spend", spend, "--db", tmp_path / "s.sqlite")
    assert result.exit_code == 1 and "3 bad row(s), nothing imported" in result.stderr
    for text in ("bad.csv:2: date: '2026-13': month 13 does not exist", "bad.csv:3: utm_source: no utm_source",
                 "bad.csv:4: cost: 'lots' is not an amount"):  # fmt: skip
        assert text in result.stderr
    assert not (tmp_path / "s.sqlite").exists()
    spend.write_text("日期,费用\n2026-11,100\n", encoding="utf-8")
    result = run_abm("import", "spend", spend, "--db", tmp_path / "s.sqlite")
    assert result.exit_code == 1 and "at least one of utm_source" in result.stderr
