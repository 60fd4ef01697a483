"""`abm demo traffic`: the same seed gives the same rows, and the rows tell the demo's story."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import cast

import pytest

from analytics.demo_traffic import BUILT_IN_PAGES, Traffic, generate
from analytics.store import Store
from analytics.webinars import list_webinars
from personalize.accounts import Account, AccountBook, load_accounts
from personalize.taxonomy import Taxonomy
from tests.analytics.abm_cli import run_abm
from tests.analytics.webinar_files import demo_project

REPO = Path(__file__).resolve().parents[2]
UNTIL = datetime(2026, 11, 1, tzinfo=UTC)
WEEK_START = "2026-10-25T00:00:00.000Z"


@pytest.fixture(scope="module")
def accounts() -> AccountBook:
    return load_accounts(REPO / "demo" / "accounts.csv", Taxonomy.load(REPO / "taxonomy.yml"))


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory, built_site: Path) -> tuple[Path, str]:
    root = tmp_path_factory.mktemp("demo")
    demo_project(root, built_site)  # the real pages (with downloads) are visited
    db = root / "demo.sqlite"
    result = run_abm("demo", "traffic", "--db", db, "--days", 42, "--seed", 3, "--until", "2026-11-01",
                     "--accounts", REPO / "demo" / "accounts.csv", "--site", root / "site")
    assert result.exit_code == 0, result.stderr
    return db, result.stdout


def test_same_seed_same_rows_other_seed_other_rows(accounts: AccountBook) -> None:
    def run(seed: int) -> Traffic:
        return generate(seed=seed, days=10, until=UNTIL, accounts=accounts.accounts, pages=BUILT_IN_PAGES)

    first, again, other = run(5), run(5), run(6)
    assert first.events == again.events and first.leads == again.leads and first.story == again.story
    assert first.events != other.events
    assert all("2026-10-22T00:00:00.000Z" <= e["ts"] < "2026-11-01T00:00:00.000Z" for e in first.events)


@pytest.mark.parametrize("days", [1, 2, 3])
def test_the_shortest_periods_the_command_allows_generate_leads_inside_them(accounts: AccountBook, days: int) -> None:
    out = generate(seed=1, days=days, until=UNTIL, accounts=accounts.accounts, pages=BUILT_IN_PAGES)
    assert out.leads and all(lead["ts"] < "2026-11-01T00:00:00.000Z" for lead in out.leads)


def test_summary_names_the_story(demo_db: tuple[Path, str]) -> None:
    _, stdout = demo_db
    assert "events" in stdout and "leads" in stdout
    assert "surge:" in stdout and "quiet:" in stdout and "new:" in stdout


def _weekly(store: Store, account_id: str) -> tuple[int, float]:
    """(this week's visits, the mean of the 4 weeks before) for one account."""
    this_week = store.scalar("SELECT COUNT(DISTINCT session_id) FROM events WHERE account_id = ? AND ts >= ?",
                             (account_id, WEEK_START))
    before = store.scalar("SELECT COUNT(DISTINCT session_id) FROM events WHERE account_id = ? AND ts < ? AND ts >= ?",
                          (account_id, WEEK_START, "2026-09-27T00:00:00.000Z"))
    return this_week, before / 4


def test_surging_quiet_and_new_accounts(demo_db: tuple[Path, str], accounts: AccountBook) -> None:
    out = generate(seed=3, days=42, until=UNTIL, accounts=accounts.accounts, pages=BUILT_IN_PAGES)
    roles = Counter(out.story.values())
    assert roles["surge"] >= 2 and roles["quiet"] >= 2 and roles["new"] >= 1
    # the story's ids are the book's own accounts, so get() finds each (the cast only tells mypy so)
    quiet_customers = [i for i, r in out.story.items() if r == "quiet" and cast(Account, accounts.get(i)).tier == 1
                       and cast(Account, accounts.get(i)).stage == "customer"]
    assert quiet_customers, "a tier-1 customer going quiet is the churn-risk story"
    db, _ = demo_db
    with Store.open(db) as store:
        for account_id, role in out.story.items():
            this_week, baseline = _weekly(store, account_id)
            if role == "surge":
                assert this_week >= 3 * baseline > 0, (account_id, this_week, baseline)
            elif role == "quiet":
                last = store.scalar("SELECT MAX(ts) FROM events WHERE account_id = ?", (account_id,))
                assert baseline > 0 and last < "2026-10-15", (account_id, last)
            else:
                first = store.scalar("SELECT MIN(ts) FROM events WHERE account_id = ?", (account_id,))
                assert first >= WEEK_START, (account_id, first)


def test_holdout_arms_bots_previews_and_channels(demo_db: tuple[Path, str]) -> None:
    db, _ = demo_db
    with Store.open(db) as store:
        arms = {r["arm"]: r["accounts"] for r in store.query(
            "SELECT arm, COUNT(DISTINCT account_id) AS accounts FROM events WHERE account_id IS NOT NULL GROUP BY arm")}
        assert arms["control"] >= 2 and arms["personalized"] > 5 * arms["control"]
        assert store.scalar("SELECT COUNT(*) FROM events WHERE arm = 'control' AND variant <> 'default'") == 0
        total = store.scalar("SELECT COUNT(*) FROM events WHERE kind = 'pageview'")
        anonymous = store.scalar("SELECT COUNT(*) FROM events WHERE kind = 'pageview' AND account_id IS NULL")
        assert 0.55 < anonymous / total < 0.8
        assert store.scalar("SELECT COUNT(*) FROM events WHERE is_bot = 1 AND device = 'bot'") > 0
        assert store.scalar("SELECT COUNT(*) FROM events WHERE is_preview = 1 AND match_source = 'link'") > 0
        sources = {r["utm_source"] for r in store.query("SELECT DISTINCT utm_source FROM events")}
        assert {"baidu", "wechat", "edm", "event", "infoq"} <= sources
        referrers = {r["referrer_host"] for r in store.query("SELECT DISTINCT referrer_host FROM events WHERE utm_source IS NULL")}
        assert {"www.baidu.com", "www.sogou.com", "www.so.com", "www.zhihu.com", "www.bilibili.com", None} <= referrers
        assert store.scalar("SELECT COUNT(*) FROM events WHERE utm_source = 'baidu' AND utm_term IS NULL") == 0
        assert {r["kind"] for r in store.query("SELECT DISTINCT kind FROM events")} >= {
            "pageview", "engagement", "cta_click", "download", "lead"}


def test_leads_join_earlier_anonymous_visits(demo_db: tuple[Path, str]) -> None:
    db, _ = demo_db
    with Store.open(db) as store:
        leads = store.query("SELECT lead_id, visitor_id, ts, account_id, email, consent_text FROM leads")
        assert len(leads) >= 10 and all(lead["consent_text"] for lead in leads)
        assert any(lead["account_id"] for lead in leads) and any(not lead["account_id"] for lead in leads)
        stitched = store.scalar(
            "SELECT COUNT(*) FROM leads l WHERE EXISTS (SELECT 1 FROM events e WHERE e.visitor_id = l.visitor_id "
            "AND e.ts < l.ts AND e.account_id IS NULL AND e.kind = 'pageview')")
        assert stitched >= len(leads) * 0.7


def test_webinar_attendance_drops_at_the_demo(demo_db: tuple[Path, str]) -> None:
    db, _ = demo_db
    webinar = next(w for w in list_webinars(db.parent) if w.slug == "resources/webinars/2026-10-demo")
    with Store.open(db) as store:
        spans = store.query("SELECT join_ts, leave_ts FROM webinar_spans WHERE webinar = ? AND role = 'attendee'",
                            (webinar.slug,))
        registrants = store.scalar("SELECT COUNT(*) FROM webinar_registrants WHERE webinar = ?", (webinar.slug,))
        assert store.scalar("SELECT COUNT(*) FROM crm_stages") > 0
    assert registrants > len(spans) > 20  # no-shows exist
    start = datetime.fromisoformat(webinar.start_ts.replace("Z", "+00:00"))
    left = Counter(
        int((datetime.fromisoformat(s["leave_ts"].replace("Z", "+00:00")) - start).total_seconds() // 300) for s in spans
    )
    assert left.most_common(1)[0][0] * 5 == 30, left  # the 5-minute bucket where 产品演示 starts


def test_pipeline_and_roi_have_the_demo_accounts_opportunities_and_campaign_spend(
    demo_db: tuple[Path, str], accounts: AccountBook
) -> None:
    db, stdout = demo_db
    late = {a.id for a in accounts.accounts if a.stage in ("qualified", "opportunity", "customer")}
    customers = {a.id for a in accounts.accounts if a.stage == "customer"}
    with Store.open(db) as store:
        opportunities = store.query("SELECT account_id, outcome, created_at, closed_at FROM crm_opportunities")
        spend = store.query("SELECT utm_source, utm_medium, utm_campaign, first_day, last_day, cost FROM spend")
    assert {o["account_id"] for o in opportunities} == late and f"{len(late)} opportunities" in stdout
    assert {o["account_id"] for o in opportunities if o["outcome"] == "won"} == customers
    assert all("2026-09-20" <= o["created_at"] < "2026-11-01" for o in opportunities)
    assert all(o["closed_at"] is None or o["created_at"] < o["closed_at"] < "2026-11-01" for o in opportunities)
    # every tagged demo campaign costs money each month the window touches (September to November)
    with Store.open(db) as store:
        tagged = store.query("SELECT DISTINCT utm_source, utm_medium, utm_campaign FROM events WHERE utm_campaign IS NOT NULL")
    assert {(t["utm_source"], t["utm_medium"], t["utm_campaign"]) for t in tagged} == {
        (s["utm_source"], s["utm_medium"], s["utm_campaign"]) for s in spend}
    assert {s["first_day"] for s in spend} == {"2026-09-01", "2026-10-01", "2026-11-01"} and all(s["cost"] > 0 for s in spend)
    result = run_abm("report", "roi", "--db", db, "--since", "2026-10-01", "--until", "2026-10-31", "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert sum(row["spend"] for row in json.loads(result.stdout)) > 0


def test_refuses_to_mix_with_existing_events_unless_replace(demo_db: tuple[Path, str]) -> None:
    db, _ = demo_db
    result = run_abm("demo", "traffic", "--db", db, "--days", 2, "--until", "2026-11-01", "--accounts",
                     REPO / "demo" / "accounts.csv")
    assert result.exit_code == 1 and "already holds" in result.stderr and "--replace" in result.stderr
