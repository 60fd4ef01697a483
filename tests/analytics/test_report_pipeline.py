"""`abm report pipeline` on a small hand-made store; every expected number is worked out below."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from analytics.reports import pipeline
from tests.analytics.abm_cli import run_abm
from tests.analytics.report_helpers import UNTIL, account, at, book, event, report_context

ACCOUNTS = book(account("A1", tier=1), account("A2", tier=2), account("A3", tier=3))


def opp(oid: str, account_id: str, amount: float, created: float, outcome: str = "open", closed: float | None = None) -> dict:
    return {"opportunity_id": oid, "account_id": account_id, "stage": "opportunity", "outcome": outcome,
            "amount": amount, "created_at": at(created), "closed_at": at(closed) if closed is not None else None}  # fmt: skip


OPPORTUNITIES = [
    opp("O1", "A1", 100, 20, "won", 10),  # tier 1, visited 30 and 5 days before: engaged; cycle 10 days
    opp("O2", "A2", 200, 15, "lost", 5),  # tier 2, only a bot visited: not engaged
    opp("O3", "A3", 300, 10),  # tier 3, its one visit was 110 days before: not engaged within 90 days
    opp("O4", "B9", 400, 5, "won", 1),  # not a target account, a direct visit the day before; cycle 4 days
    opp("O5", "A1", 999, 40, "won", 35),  # created before the period: not in the cohort
]
EVENTS = [
    event(at(50), account_id="A1", utm_source="baidu", utm_medium="cpc", utm_campaign="mes"),
    event(at(25), account_id="A1", referrer_host="weixin.qq.com"),
    event(at(16), account_id="A2", is_bot=1),
    event(at(120), account_id="A3"),
    event(at(6), account_id="B9"),
]


def _build(tmp_path: Path, **options: Any) -> dict:
    with report_context(tmp_path, EVENTS, tables={"crm_opportunities": OPPORTUNITIES}, accounts=ACCOUNTS,
                        since=UNTIL - timedelta(days=30)) as ctx:  # fmt: skip
        return pipeline.build(ctx, **options)


def test_totals_target_share_and_influence(tmp_path: Path) -> None:
    result = _build(tmp_path)
    assert {k: result[k] for k in ("opportunities", "pipeline_amount", "won", "lost", "won_amount", "win_rate",
                                   "avg_deal_size", "avg_cycle_days", "target_share", "influenced_amount")} == {
        "opportunities": 4, "pipeline_amount": 1000, "won": 2, "lost": 1, "won_amount": 500,
        "win_rate": 0.6667,  # 2 won of 3 closed
        "avg_deal_size": 250, "avg_cycle_days": 7.0,  # (10 + 4) / 2
        "target_share": 0.6,  # A1 + A2 + A3 = 600 of 1000
        "influenced_amount": 500,  # O1 + O4
    }  # fmt: skip


def test_segments(tmp_path: Path) -> None:
    rows = {row["segment"]: (row["opportunities"], row["pipeline_amount"], row["won_amount"], row["win_rate"])
            for row in _build(tmp_path)["by_segment"]}  # fmt: skip
    assert rows == {
        "engaged": (2, 500, 500, 1.0), "not_engaged": (2, 500, 0, 0.0),
        "tier_1": (1, 100, 100, 1.0), "tier_2": (1, 200, 0, 0.0), "tier_3": (1, 300, 0, None),
        "non_target": (1, 400, 400, 1.0),
    }  # fmt: skip
    wider = {row["segment"]: row["opportunities"] for row in _build(tmp_path, influence_days=120)["by_segment"]}
    assert wider["engaged"] == 3  # A3's visit 110 days before now counts


def test_channels_first_and_last_touch(tmp_path: Path) -> None:
    first = [(r["channel"], r["opportunities"], r["pipeline_amount"], r["won_amount"]) for r in _build(tmp_path)["by_channel"]]
    assert first == [("none", 2, 500, 0), ("direct", 1, 400, 400), ("paid_search", 1, 100, 100)]
    last = {r["channel"]: r["pipeline_amount"] for r in _build(tmp_path, model="last")["by_channel"]}
    assert last == {"none": 500, "direct": 400, "social": 100}


def test_the_command_prints_json(tmp_path: Path) -> None:
    db = tmp_path / "s.sqlite"
    run_abm("import", "crm", _opps_csv(tmp_path), "--db", db)
    result = run_abm("report", "pipeline", "--db", db, "--since", "2026-01-01", "--until", "2026-12-31", "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert '"pipeline_amount": 1200000.0' in result.stdout and '"influenced_amount": 0' in result.stdout


def _opps_csv(tmp_path: Path) -> Path:
    path = tmp_path / "opps.csv"
    path.write_text("商机编号,客户编号,商机阶段,商机金额,创建日期\nO-1,ACC-1,POC测试,120万,2026-09-01\n", encoding="utf-8")
    return path
