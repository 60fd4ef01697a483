"""Per target account: how much it visited in the period, how many of its people, and where it
stands (score, journey stage, trend against the previous period of equal length).

Definitions (real traffic only: no bots, no preview):

* visits = distinct sessions with at least one pageview; sessions = distinct sessions with any
  event (webinar beacons alone make a session, not a visit); people = distinct visitor ids;
* engaged_minutes = the seconds carried by `engagement` and `webinar_heartbeat` events / 60;
* leads = rows of the leads table in the period; last_seen = the latest event before --until;
* trend = visits / visits of the previous period - 1 (null when that period had none);
* days whose raw events retention deleted count through their `daily_totals` (visits, pageviews;
  people and engaged minutes are not kept for them).

With an accounts CSV the rows are its accounts, also those never seen; without, every account
id seen. `summary()` gives the target-account share of identified traffic (the table footer).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import click

from analytics.charts import sparkline
from analytics.context import IDENTIFIED, REAL_TRAFFIC, ReportContext
from analytics.journey import STAGES_ZH
from analytics.period import bucket_case
from analytics.reports import Output, Report, Section
from analytics.results import rows_of
from analytics.rollups import add_totals, totals_per_account
from analytics.scoring import (
    Behaviour,
    Score,
    add_demo_requests,
    behaviour_by,
    behaviour_columns,
    behaviour_from,
    demo_request_columns,
    imported_webinar_minutes,
    score,
)
from analytics.stages import derived_stage, further, recorded_stages

COLUMNS = (
    ("account_name", "账户"),
    ("tier", "层级"),
    ("industry", "行业"),
    ("visits", "访问"),
    ("people", "人数"),
    ("sessions", "会话"),
    ("pageviews", "浏览"),
    ("engaged_minutes", "互动分钟"),
    ("leads", "线索"),
    ("trend", "趋势"),
    ("score", "评分"),
    ("stage_zh", "阶段"),
    ("last_seen", "最近访问"),
)


def per_account(ctx: ReportContext) -> dict[str, dict[str, Any]]:
    """Every number of the report per account seen, in one pass over the events before --until.

    Conditional aggregates split that pass: the period's activity, the previous period's visits
    (the trend), the events of both (`recent_events`: who is listed without a CSV) and, over all
    history, the behaviour scoring counts (`behaviour_*` columns).
    """
    period, previous = ctx.period, ctx.period.previous()
    behaviour, behaviour_params = behaviour_columns(ctx.weights)
    rows = ctx.store.query(
        f"""SELECT account_id,
            COUNT(DISTINCT session_id) FILTER (WHERE ts >= ? AND kind = 'pageview') AS visits,
            COUNT(DISTINCT visitor_id) FILTER (WHERE ts >= ?) AS people,
            COUNT(DISTINCT session_id) FILTER (WHERE ts >= ?) AS sessions,
            COUNT(*) FILTER (WHERE ts >= ? AND kind = 'pageview') AS pageviews,
            SUM(value) FILTER (WHERE ts >= ? AND kind IN ('engagement', 'webinar_heartbeat')) AS engaged_seconds,
            COUNT(DISTINCT session_id) FILTER (WHERE ts >= ? AND ts < ? AND kind = 'pageview') AS visits_previous,
            COUNT(*) FILTER (WHERE ts >= ?) AS recent_events,
            {behaviour}
        FROM events
        WHERE ts < ? AND {REAL_TRAFFIC} AND {IDENTIFIED}
        GROUP BY account_id""",
        [*[period.since_ts] * 5, previous.since_ts, previous.until_ts, previous.since_ts, *behaviour_params, period.until_ts],
    )
    seen = {row["account_id"]: row for row in rows}
    add_totals(seen, totals_per_account(ctx))  # the days retention rolled up
    return seen


def lead_counts(ctx: ReportContext, behaviours: dict[str, Behaviour]) -> dict[str, int]:
    """Leads per account in the period; demo requests before --until go into `behaviours`."""
    demo, params = demo_request_columns(ctx.weights)
    rows = ctx.store.query(
        f"""SELECT account_id AS k, COUNT(*) FILTER (WHERE ts >= ?) AS leads, {demo}
        FROM leads WHERE ts < ? AND {IDENTIFIED} GROUP BY account_id""",
        [ctx.period.since_ts, *params, ctx.period.until_ts],
    )
    add_demo_requests(behaviours, rows)
    return {row["k"]: int(row["leads"]) for row in rows}


def known_contacts(ctx: ReportContext) -> dict[str, tuple[int, list[str]]]:
    """Per account, its buying committee as far as we know it: distinct people (by e-mail) who left a
    lead before --until, and their distinct roles."""
    people: dict[str, dict[str, str]] = {}
    for row in ctx.store.query(
        "SELECT account_id, email, role FROM leads WHERE ts < ? AND email IS NOT NULL AND email <> '' ORDER BY ts",
        [ctx.period.until_ts],
    ):
        account_id = row["account_id"] or (found.id if ctx.accounts and (found := ctx.accounts.by_email(row["email"])) else None)
        if account_id:
            people.setdefault(account_id, {})[row["email"].strip().lower()] = (row["role"] or "").strip()
    return {a: (len(by_email), sorted({r for r in by_email.values() if r})) for a, by_email in people.items()}


def account_journeys(ctx: ReportContext, behaviours: dict[str, Behaviour] | None = None) -> dict[str, tuple[Score, str]]:
    """Score and journey stage of every account seen, recorded or listed in the CSV.

    `behaviours` (events and demo requests per account) when the caller has them already.
    """
    behaviours = dict(behaviour_by(ctx, "account_id") if behaviours is None else behaviours)
    for account_id, minutes in imported_webinar_minutes(ctx, "account_id").items():
        found = behaviours[account_id] = replace(behaviours.get(account_id) or Behaviour())
        found.webinar_minutes += minutes
    recorded = recorded_stages(ctx)
    listed = [account.id for account in ctx.accounts.accounts] if ctx.accounts is not None else []
    journeys = {}
    for account_id in {*behaviours, *recorded, *listed}:
        account = ctx.account(account_id)
        behaviour = behaviours.get(account_id)
        total = score(
            ctx.weights,
            behaviour,
            industry=account.industry if account else None,
            tier=account.tier if account else None,
            until=ctx.period.until,
            count_people=True,
        )
        stage = further(derived_stage(ctx.weights, behaviour, total.total), recorded.get(account_id))
        journeys[account_id] = (total, stage)
    return journeys


def build(ctx: ReportContext, **options: Any) -> list[dict[str, Any]]:
    ctx.step("统计各账户访问与行为")
    seen = per_account(ctx)
    behaviours = {account_id: behaviour_from(row) for account_id, row in seen.items()}
    ctx.step("线索")
    leads = lead_counts(ctx, behaviours)
    ctx.step("评分与旅程阶段")
    journeys = account_journeys(ctx, behaviours)
    contacts = known_contacts(ctx)
    rows: list[dict[str, Any]] = []
    active = [account_id for account_id, row in seen.items() if row["recent_events"]]  # this or the previous period
    for account_id in ctx.target_ids([*active, *(k for k, n in leads.items() if n)]):
        now = seen.get(account_id, {})
        visits = int(now.get("visits") or 0)
        before = int(now.get("visits_previous") or 0)
        total, stage = journeys.get(account_id, (Score(), "unaware"))
        rows.append(
            {
                **ctx.account_fields(account_id),
                "visits": visits,
                "people": int(now.get("people") or 0),
                "sessions": int(now.get("sessions") or 0),
                "pageviews": int(now.get("pageviews") or 0),
                "engaged_minutes": round(float(now.get("engaged_seconds") or 0) / 60, 1),
                "leads": leads.get(account_id, 0),
                "last_seen": now.get("behaviour_last_seen"),
                "visits_previous": before,
                "trend": round(visits / before - 1, 3) if before else None,
                "score": total.total,
                "stage": stage,
                "stage_zh": STAGES_ZH[stage],
                "known_contacts": contacts.get(account_id, (0, []))[0],
                "roles": contacts.get(account_id, (0, []))[1],
            }
        )
    rows.sort(key=lambda r: (-r["visits"], -r["pageviews"], -r["score"], r["account_id"]))
    return rows


def summary(ctx: ReportContext, **options: Any) -> dict[str, Any]:
    """Target-account share of identified visits, of all visits, and identified share of all visits.

    Without an accounts CSV, or with the same CSV the edge uses, every identified visit is a
    target-account visit; the share of all visits is then the number that moves.
    """
    rows = ctx.store.query(
        f"""SELECT account_id, COUNT(*) AS visits FROM (
            SELECT session_id, MAX(CASE WHEN {IDENTIFIED} THEN account_id END) AS account_id FROM events
            WHERE kind = 'pageview' AND ts >= ? AND ts < ? AND {REAL_TRAFFIC} GROUP BY session_id
        ) AS visit GROUP BY account_id""",
        [ctx.period.since_ts, ctx.period.until_ts],
    )
    total = sum(int(row["visits"]) for row in rows)
    identified = sum(int(row["visits"]) for row in rows if row["account_id"])
    target = sum(int(row["visits"]) for row in rows if ctx.is_target(row["account_id"]))
    return {
        "visits": total,
        "identified_visits": identified,
        "target_account_visits": target,
        "identified_share": round(identified / total, 4) if total else None,
        "target_share": round(target / identified, 4) if identified else None,
        "target_share_of_all": round(target / total, 4) if total else None,
        "target_accounts": len(ctx.accounts) if ctx.accounts is not None else None,
        "target_accounts_seen": len({row["account_id"] for row in rows if ctx.is_target(row["account_id"])}),
    }


def _percent(share: float | None) -> str:
    return "–" if share is None else f"{share:.1%}"


def footer(summary_: dict[str, Any]) -> str:
    """The table's last line: what share of identified (and of all) traffic came from target accounts."""
    text = _percent(summary_["target_share"])
    return (
        f"目标账户访问占已识别访问 {text}（{summary_['target_account_visits']}/{summary_['identified_visits']}），"
        f"占全部访问 {_percent(summary_['target_share_of_all'])}（{summary_['target_account_visits']}/{summary_['visits']}）"
    )


#: Weeks of activity in each account's sparkline.
SPARK_WEEKS = 8


def weekly_pageviews(context: ReportContext) -> dict[str, list[int]]:
    """Pageviews per account in each of the SPARK_WEEKS local weeks that end with --until (oldest first)."""
    bounds = context.period.week_bounds(SPARK_WEEKS)
    week, params = bucket_case("ts", bounds)
    rows = context.store.query(
        f"""SELECT account_id, week, COUNT(*) AS pageviews
        FROM (SELECT account_id, {week} AS week FROM events
              WHERE kind = 'pageview' AND ts >= ? AND ts < ? AND {REAL_TRAFFIC} AND {IDENTIFIED}) AS e
        GROUP BY account_id, week""",
        [*params, params[-1], context.period.until_ts],
    )
    weekly: dict[str, list[int]] = {}
    for row in rows:
        weekly.setdefault(row["account_id"], [0] * SPARK_WEEKS)[SPARK_WEEKS - 1 - int(row["week"])] += int(row["pageviews"])
    return weekly


def _trend(row: Mapping[str, Any]) -> dict[str, str] | None:
    """An arrow for the change vs the previous period (a fraction, e.g. 0.4 = +40%)."""
    change = row.get("trend")
    if not isinstance(change, (int, float)):
        return None
    if change > 0.1:
        return {"arrow": "▲", "css": "up", "text": f"{change:+.0%}"}
    if change < -0.1:
        return {"arrow": "▼", "css": "down", "text": f"{change:+.0%}"}
    return {"arrow": "▬", "css": "flat", "text": f"{change:+.0%}"}


def accounts_view(result: Any, others: Mapping[str, Any]) -> dict[str, Any]:
    rows = []
    for row in rows_of(result, "accounts"):
        weekly = row.get("weekly")
        rows.append(
            {
                **row,
                "tier": str(row.get("tier") or ""),
                "trend_view": _trend(row),
                "spark": sparkline([float(v) for v in weekly]) if isinstance(weekly, list) else "",
            }
        )
    rows.sort(key=lambda r: (-(r.get("visits") or 0), str(r.get("account_name") or "")))
    facts = result if isinstance(result, Mapping) else {}
    active = [row for row in rows if row.get("visits") or row.get("sessions")]
    quiet = [row for row in rows if not (row.get("visits") or row.get("sessions"))]
    return {"rows": active, "quiet": quiet, "empty": not rows, "target_share": facts.get("target_share"),
            "target_share_of_all": facts.get("target_share_of_all")}


def section_result(ctx: ReportContext, **options: Any) -> dict[str, Any]:
    """The rows with their weekly sparkline, and the target-account share for the header."""
    rows = build(ctx)
    weekly = weekly_pageviews(ctx)
    for row in rows:
        row.setdefault("weekly", weekly.get(row["account_id"], [0] * SPARK_WEEKS))
    return {"rows": rows, **summary(ctx)}


def output(ctx: ReportContext, *, summary_only: bool = False, **options: Any) -> Output:
    """The rows with the share as the table's last line; with --summary the share object alone."""
    if summary_only:
        return Output(summary(ctx), REPORT.title)
    rows = build(ctx)
    return Output(rows, REPORT.title, COLUMNS, footer=footer(summary(ctx)))


REPORT = Report(
    name="accounts",
    title="目标账户",
    order=10,
    build=build,
    columns=COLUMNS,
    params=(
        click.Option(["--summary", "summary_only"], is_flag=True,
                     help="Output the target-account share object instead of the rows."),  # fmt: skip
    ),
    output=output,
    section=Section(view=accounts_view, result=section_result),
    help="""Per target account: visits, people, sessions, pageviews, engaged minutes, leads, score, stage.

    visits = sessions with a pageview; sessions = sessions with any event; people = distinct
    visitors; engaged_minutes = engagement + webinar heartbeat seconds / 60; trend = visits vs the
    previous period of equal length - 1. JSON: a list of rows. The target-account share of
    identified visits is the table's last line; --summary outputs it as a JSON object (keys
    visits, identified_visits, target_account_visits, identified_share, target_share).
    """,
)
