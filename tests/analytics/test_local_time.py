"""Days are local days of the zone (default Asia/Shanghai): period bounds, this week, local times shown.

Shanghai is UTC+8 all year, so its midnight is 16:00Z of the day before: an event at
2026-11-30T16:00:00Z happened at 00:00 on December 1st for a marketer in Shanghai.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from analytics.period import Period, make_period, parse_instant
from analytics.render import render
from analytics.reports import signals
from analytics.store import Store
from tests.analytics.abm_cli import run_abm
from tests.analytics.report_helpers import event, report_context

SHANGHAI = ZoneInfo("Asia/Shanghai")
#: (stored UTC timestamp, what it is in Shanghai)
MOMENTS = {
    "2026-11-30T15:59:59.000Z": "Nov 30 23:59:59",
    "2026-11-30T16:00:00.000Z": "Dec 1 00:00",
    "2026-12-01T00:00:00.000Z": "Dec 1 08:00 (UTC midnight)",
    "2026-12-01T15:59:59.000Z": "Dec 1 23:59:59",
    "2026-12-01T16:00:00.000Z": "Dec 2 00:00",
}


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text)


@pytest.fixture(autouse=True)
def no_zone_in_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ABM_TIMEZONE", raising=False)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """One pageview of account ACC-1 at each moment."""
    path = tmp_path / "events.sqlite"
    with Store.open(path, create=True) as store:
        store.insert_events([event(ts, account_id="ACC-1", session_id=f"s{i}") for i, ts in enumerate(MOMENTS)])
    return path


def pageviews(db: Path, *args: str) -> int:
    result = run_abm("report", "accounts", "--db", db, "--format", "json", *args)
    assert result.exit_code == 0, result.stderr
    return sum(int(row.get("pageviews") or 0) for row in json.loads(result.stdout))


def test_a_date_is_a_whole_shanghai_day_cut_at_local_midnight(db: Path) -> None:
    # Dec 1 in Shanghai: 16:00Z (00:00), 00:00Z (08:00), 15:59:59Z (23:59:59) -- not 15:59:59Z of Nov 30
    assert pageviews(db, "--since", "2026-12-01", "--until", "2026-12-01") == 3
    # Nov 30 in Shanghai ends at 15:59:59Z: one event
    assert pageviews(db, "--since", "2026-11-30", "--until", "2026-11-30") == 1
    period = make_period("2026-12-01", "2026-12-01", zone=SHANGHAI)
    assert (period.since, period.until) == (utc("2026-11-30T16:00:00+00:00"), utc("2026-12-01T16:00:00+00:00"))


def test_until_with_a_date_includes_that_whole_day(db: Path) -> None:
    # the marketer types today's date and sees today: everything up to Dec 1 23:59:59 Shanghai
    assert pageviews(db, "--since", "2026-11-30", "--until", "2026-12-01") == 4
    # the default --since is the seven local days that end with --until
    assert pageviews(db, "--until", "2026-12-01") == 4


def test_a_full_date_time_stays_exact(db: Path) -> None:
    # explicit offset or Z: exactly that instant, --until exclusive
    assert pageviews(db, "--since", "2026-11-30T16:00:00Z", "--until", "2026-12-01T00:00:00Z") == 1
    assert pageviews(db, "--since", "2026-12-01T00:00:00+08:00", "--until", "2026-12-01T08:00:00+08:00") == 1
    # no offset: a wall-clock time in the zone (Shanghai 08:00 = 00:00Z)
    assert parse_instant("2026-12-01T08:00", zone=SHANGHAI) == utc("2026-12-01T00:00:00+00:00")
    assert pageviews(db, "--since", "2026-12-01T00:00", "--until", "2026-12-01T09:00") == 2  # 16:00Z, 00:00Z
    assert pageviews(db, "--since", "2026-12-01T00:00", "--until", "2026-12-01T09:00", "--tz", "UTC") == 1  # 00:00Z


def test_tz_utc_gives_the_old_utc_midnight_boundaries(db: Path) -> None:
    # the old `--since 2026-11-30 --until 2026-12-01` (midnight UTC, until exclusive) is now the UTC day Nov 30
    assert pageviews(db, "--since", "2026-11-30", "--until", "2026-11-30", "--tz", "UTC") == 2
    assert pageviews(db, "--since", "2026-12-01", "--until", "2026-12-01", "--tz", "UTC") == 3
    period = make_period("2026-11-30", "2026-11-30", zone=UTC)
    assert (period.since_ts, period.until_ts) == ("2026-11-30T00:00:00.000Z", "2026-12-01T00:00:00.000Z")


def test_the_zone_comes_from_tz_else_abm_timezone(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ABM_TIMEZONE", "UTC")
    assert pageviews(db, "--since", "2026-11-30", "--until", "2026-11-30") == 2
    assert pageviews(db, "--since", "2026-11-30", "--until", "2026-11-30", "--tz", "+08:00") == 1
    bad = run_abm("report", "accounts", "--db", db, "--tz", "Mars/Olympus")
    assert bad.exit_code == 1 and "--tz" in bad.stderr and "Asia/Shanghai" in bad.stderr


def test_this_week_is_the_seven_local_days_that_end_with_until(tmp_path: Path) -> None:
    week = make_period(until="2026-12-01", zone=SHANGHAI).this_week()
    assert (week.since, week.until) == (utc("2026-11-24T16:00:00+00:00"), utc("2026-12-01T16:00:00+00:00"))
    assert (week.first_day.isoformat(), week.last_day.isoformat()) == ("2026-11-25", "2026-12-01")
    # until "now" in the afternoon: six whole days and today so far
    now = make_period(zone=SHANGHAI, now=utc("2026-12-01T07:30:00+00:00")).this_week()
    assert now.since == utc("2026-11-24T16:00:00+00:00") and now.until == utc("2026-12-01T07:30:00+00:00")
    # signals count this week in local days: 15:59:59Z on Nov 24 is Nov 24 in Shanghai, outside
    events = [event("2026-11-24T15:59:59.000Z", account_id="A"), event("2026-11-24T16:00:00.000Z", account_id="A"),
              event("2026-12-01T15:59:59.000Z", account_id="A"), event("2026-10-01T00:00:00.000Z", account_id="A")]
    period = make_period(until="2026-12-01", zone=SHANGHAI)
    with report_context(tmp_path, events, since=period.since, until=period.until) as ctx:
        ctx.period = period
        rows = signals.build(ctx, min_activity=1, surge_ratio=1.01)
    assert [(r["account_id"], r["this_week"]) for r in rows] == [("A", 2)]


def test_the_dashboard_and_tables_show_local_times_and_name_the_zone_once(tmp_path: Path) -> None:
    store = tmp_path / "abm.sqlite"
    with Store.open(store, create=True) as opened:
        opened.insert_events([event("2026-11-30T16:30:00.000Z", account_id="ACC-001")])
    out = tmp_path / "dashboard.html"
    args = ("report", "dashboard", "--db", store, "--out", out, "--until", "2026-12-01", "--site", tmp_path)
    assert run_abm(*args).exit_code == 0
    html = out.read_text(encoding="utf-8")
    assert "2026-12-01 00:30" in html and "2026-11-30 16:30" not in html  # last seen, Shanghai time
    assert html.count("时间：北京时间 (Asia/Shanghai)") == 1 and "2026-11-04 至 2026-12-01" in html
    assert run_abm(*args, "--tz", "UTC").exit_code == 0
    html = out.read_text(encoding="utf-8")
    assert "2026-11-30 16:30" in html and "时间：协调世界时 (UTC)" in html
    table = run_abm("report", "accounts", "--db", store, "--until", "2026-12-01").stdout
    assert "2026-12-01 00:30" in table and "统计周期：2026-11-25 至 2026-12-01 · 时间：北京时间 (Asia/Shanghai)" in table
    as_json = json.loads(run_abm("report", "accounts", "--db", store, "--until", "2026-12-01", "--format", "json").stdout)
    assert as_json[0]["last_seen"] == "2026-11-30T16:30:00.000Z"  # machine formats keep the stored UTC


def test_render_shows_stored_timestamps_locally_only_in_tables() -> None:
    rows: list[dict[str, Any]] = [{"lead_id": "L1", "ts": "2026-11-30T16:00:00.000Z"}]
    period = Period(utc("2026-11-30T16:00:00+00:00"), utc("2026-12-01T16:00:00+00:00"), SHANGHAI)
    table = render(rows, "table", name="leads", period=period)
    assert "2026-12-01 00:00" in table and "统计周期：2026-12-01 至 2026-12-01" in table
    assert "2026-11-30T16:00:00.000Z" in render(rows, "csv", name="leads", period=period)
