"""Surge, drop and new on hand-made weeks of events; the answers are worked out beside each case."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from analytics.reports import signals
from personalize.errors import UserError
from tests.analytics.report_helpers import account, at, book, event, report_context


def week_of(account_id: str, weeks_ago: int, count: int, kind: str = "pageview", **fields: Any) -> list[dict[str, Any]]:
    """`count` events of one account in the week `weeks_ago` weeks before this week (0 = this week)."""
    return [event(at(7 * weeks_ago + 1, minutes=i), kind, account_id=account_id, **fields) for i in range(count)]


def baseline(account_id: str, per_week: int) -> list[dict[str, Any]]:
    return [e for weeks_ago in range(1, 5) for e in week_of(account_id, weeks_ago, per_week)]


def by_account(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {row["account_id"]: row for row in rows}


CASES = [
    # surge: baseline 2/week, this week 10 -> ratio 5
    *baseline("SURGE", 2), *week_of("SURGE", 0, 10),
    # exactly at the threshold: baseline 3, this week 6 (ratio 2.0 >= 2.0) -> surge
    *baseline("EDGE", 3), *week_of("EDGE", 0, 6),
    # just below: baseline 3, this week 5 (1.67) -> nothing
    *baseline("BELOW", 3), *week_of("BELOW", 0, 5),
    # a big ratio on tiny numbers: baseline 0.25/week (one event), this week 4 < min activity 5 -> nothing
    *week_of("TINY", 3, 1), *week_of("TINY", 0, 4),
    # drop: baseline 8, this week 2 = 0.25 × 8 -> drop (inclusive)
    *baseline("DROP", 8), *week_of("DROP", 0, 2),
    # quiet but small: baseline 4 < min activity 5, this week 0 -> nothing
    *baseline("SMALL", 4),
    # new: first event ever this week, seen once
    *week_of("NEW", 0, 1),
    # no baseline but seen long ago (8 weeks): not new, no ratio -> nothing
    *week_of("OLD", 8, 3), *week_of("OLD", 0, 9),
    # bots and preview traffic do not count: would be a surge with them
    *baseline("BOTS", 2), *week_of("BOTS", 0, 3), *week_of("BOTS", 0, 20, is_bot=1), *week_of("BOTS", 0, 20, is_preview=1),
    # only bot traffic ever: never seen at all
    *week_of("ONLYBOT", 0, 9, is_bot=1),
    # webinar heartbeats and engagement pings are not activity; cta clicks and downloads are
    *baseline("KINDS", 2), *week_of("KINDS", 0, 30, "webinar_heartbeat"), *week_of("KINDS", 0, 30, "engagement"),
    *week_of("KINDS", 0, 2, "cta_click"), *week_of("KINDS", 0, 2, "download"),
    # anonymous traffic has no account
    *week_of("", 0, 30),
]  # fmt: skip


@pytest.fixture(params=["sqlite", "duckdb"])
def rows(request: pytest.FixtureRequest, tmp_path: Path) -> dict[str, dict[str, Any]]:
    with report_context(tmp_path, CASES, engine=request.param) as ctx:
        return by_account(signals.build(ctx))


def test_which_accounts_fire(rows: dict[str, dict[str, Any]]) -> None:
    assert {k: r["signal"] for k, r in rows.items()} == {"SURGE": "surge", "EDGE": "surge", "DROP": "drop", "NEW": "new"}


def test_each_row_says_why(rows: dict[str, dict[str, Any]]) -> None:
    assert (rows["SURGE"]["this_week"], rows["SURGE"]["baseline"], rows["SURGE"]["ratio"]) == (10, 2.0, 5.0)
    assert (rows["EDGE"]["this_week"], rows["EDGE"]["baseline"], rows["EDGE"]["ratio"]) == (6, 3.0, 2.0)
    assert (rows["DROP"]["this_week"], rows["DROP"]["baseline"], rows["DROP"]["ratio"]) == (2, 8.0, 0.25)
    assert (rows["NEW"]["this_week"], rows["NEW"]["baseline"], rows["NEW"]["ratio"]) == (1, 0.0, None)
    assert "5.0 倍" in rows["SURGE"]["reason"] and "首次出现" in rows["NEW"]["reason"]
    assert list(rows) == ["SURGE", "EDGE", "NEW", "DROP"]  # surges by ratio, then new, then drops


def test_thresholds_and_longer_baselines_are_options(tmp_path: Path) -> None:
    with report_context(tmp_path, CASES) as ctx:
        strict = by_account(signals.build(ctx, surge_ratio=3.0, drop_ratio=0.2, min_activity=5))
        loose = by_account(signals.build(ctx, min_activity=1, surge_ratio=1.5))
        six = by_account(signals.build(ctx, baseline_weeks=6))
    assert {k: r["signal"] for k, r in strict.items()} == {"SURGE": "surge", "NEW": "new"}
    assert loose["TINY"]["signal"] == "surge" and loose["TINY"]["ratio"] == 16.0  # 4 vs 1/4
    assert loose["BELOW"]["signal"] == "surge" and loose["KINDS"]["this_week"] == 4
    assert loose["BOTS"]["this_week"] == 3 and "ONLYBOT" not in loose
    # six weeks: OLD's events 8 weeks ago still fall outside; SURGE's baseline is 8 events / 6 weeks
    assert six["SURGE"]["baseline"] == round(8 / 6, 2) and "OLD" not in six


def test_only_target_accounts_with_a_csv(tmp_path: Path) -> None:
    accounts = book(account("SURGE", "恒锐精工", tier=1, owner="张伟"), account("QUIET"))
    with report_context(tmp_path, CASES, accounts=accounts) as ctx:
        rows = signals.build(ctx)
    assert [(r["account_id"], r["account_name"], r["tier"], r["owner"]) for r in rows] == [("SURGE", "恒锐精工", 1, "张伟")]


def test_empty_store_and_bad_options(tmp_path: Path) -> None:
    with report_context(tmp_path) as ctx:
        assert signals.build(ctx) == []
        with pytest.raises(UserError, match="at least 4"):
            signals.build(ctx, baseline_weeks=3)
        with pytest.raises(UserError, match="surge-ratio"):
            signals.build(ctx, surge_ratio=0.5)


# -- a drop that stays while the account stays quiet (local weeks, Shanghai) --------------------------

SHANGHAI_ZONE = "Asia/Shanghai"


def daily(account_id: str, first: str, last: str, per_day: int = 2) -> list[dict[str, Any]]:
    """`per_day` events on each Shanghai day from `first` to `last` (inclusive), at local noon (04:00Z)."""
    from datetime import date, timedelta

    day, end, out = date.fromisoformat(first), date.fromisoformat(last), []
    while day <= end:
        out += [event(f"{day.isoformat()}T04:0{i}:00.000Z", account_id=account_id) for i in range(per_day)]
        day += timedelta(days=1)
    return out


#: Active Sep 1 - Oct 26 (14 a week), quiet Oct 27 - Dec 7 (six weeks), back Dec 8 - Jan 4, quiet from Jan 5.
SPELLS = [*daily("A", "2026-09-01", "2026-10-26"), *daily("A", "2026-12-08", "2027-01-04")]


def signals_on(tmp_path: Path, until: str, events: list[dict[str, Any]] = SPELLS) -> dict[str, dict[str, Any]]:
    from analytics.period import make_period, resolve_zone

    period = make_period(until=until, zone=resolve_zone(SHANGHAI_ZONE))
    with report_context(tmp_path, events, since=period.since, until=period.until) as ctx:
        ctx.period = period
        return by_account(signals.build(ctx))


@pytest.mark.parametrize("until, weeks", [("2026-11-02", 1), ("2026-11-16", 3), ("2026-12-07", 6)])
def test_a_drop_persists_through_the_quiet_weeks(tmp_path: Path, until: str, weeks: int) -> None:
    row = signals_on(tmp_path, until)["A"]
    # the baseline is the four weeks before the account went quiet (14 a week), not the trailing four
    assert (row["signal"], row["quiet_since"], row["quiet_weeks"], row["baseline"]) == ("drop", "2026-10-27", weeks, 14)
    assert row["this_week"] == 0 and row["ratio"] == 0
    assert f"自 2026-10-27 起已沉寂 {weeks} 周" in row["reason"] and "沉寂前 4 周周均 14" in row["reason"]


def test_the_old_trailing_baseline_would_have_lost_it(tmp_path: Path) -> None:
    # six quiet weeks: the four weeks before this week are all quiet, yet the risk is real
    row = signals_on(tmp_path, "2026-12-07")["A"]
    assert row["signal"] == "drop" and row["quiet_weeks"] == 6


def test_a_drop_ends_when_activity_resumes_and_a_new_spell_is_a_new_drop(tmp_path: Path) -> None:
    # Dec 8 - 9: 4 events this week > 0.25 × 14 -> back, no signal
    assert "A" not in signals_on(tmp_path, "2026-12-09")
    # Dec 8 alone: 2 events <= 3.5 -> still the quiet spell (a trickle does not end it); its weeks now end
    # on Dec 8, so the spell is six whole weeks from Oct 28 (Oct 21 - 27 was active)
    assert signals_on(tmp_path, "2026-12-08")["A"]["quiet_since"] == "2026-10-28"
    # quiet again from Jan 5: a new spell, its baseline the four active weeks before it
    row = signals_on(tmp_path, "2027-01-11")["A"]
    assert (row["signal"], row["quiet_since"], row["quiet_weeks"], row["baseline"]) == ("drop", "2027-01-05", 1, 14)


def test_one_drop_alert_per_quiet_spell_over_daily_runs(tmp_path: Path) -> None:
    from datetime import date, timedelta

    from analytics.alerts import evaluate, record
    from analytics.context import ReportContext
    from analytics.period import make_period, resolve_zone
    from analytics.store import Store

    path = tmp_path / "spells.sqlite"
    with Store.open(path, create=True) as store:
        store.insert_events(SPELLS)
    keys = []
    day = date(2026, 10, 20)
    while day <= date(2027, 1, 26):  # the alerts run once a day, at the end of the local day
        period = make_period(until=day.isoformat(), zone=resolve_zone(SHANGHAI_ZONE))
        with Store.open(path) as store:
            ctx = ReportContext(store=store, period=period)
            for alert in evaluate(ctx, signals.build(ctx), since=period.this_week().since_ts):
                record(store, alert, at=period.until_ts)
                keys.append(alert.key)
        day += timedelta(days=1)
    # first seen quiet on Nov 1 (Oct 26's 2 events are under a quarter of 14), then its start shifts with
    # the weeks for six weeks without a new alert; back in December (a surge); quiet again: one new alert
    assert [key for key in keys if key.startswith("drop:")] == ["drop:A:2026-10-26", "drop:A:2027-01-04"]
