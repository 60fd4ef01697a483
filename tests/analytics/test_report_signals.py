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
