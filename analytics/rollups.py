"""The `daily_totals` of days whose raw events retention deleted, added into the reports' numbers.

`personalize/retention.py` writes them (per day, account, path and landing channel inputs); a
report over a period reaching back past the cut-off adds these to what the raw events still give,
so last year's visits, pageviews and leads stay in a report over a year.
"""

from __future__ import annotations

from typing import Any

from analytics.context import IDENTIFIED, ReportContext

TABLE = "daily_totals"


def has_totals(ctx: ReportContext) -> bool:
    return TABLE in ctx.store.tables()


def totals_per_account(ctx: ReportContext) -> dict[str, dict[str, int]]:
    """Account -> visits and pageviews of the period (leads stay in their own table), and visits of the previous period, from the totals."""
    if not has_totals(ctx):
        return {}
    since, until = _period_days(ctx)
    previous = ctx.period.previous()
    rows = ctx.store.query(
        f"""SELECT account_id,
            SUM(CASE WHEN day >= ? THEN visits ELSE 0 END) AS visits,
            SUM(CASE WHEN day >= ? THEN pageviews ELSE 0 END) AS pageviews,
            SUM(CASE WHEN day >= ? AND day < ? THEN visits ELSE 0 END) AS visits_previous
        FROM {TABLE} WHERE day < ? AND day >= ? AND {IDENTIFIED} GROUP BY account_id""",
        [since, since, previous.since_ts[:10], previous.until_ts[:10], until, previous.since_ts[:10]],
    )
    return {row["account_id"]: {key: int(value or 0) for key, value in row.items() if key != "account_id"} for row in rows}


def add_totals(seen: dict[str, dict[str, Any]], totals: dict[str, dict[str, int]]) -> None:
    """Add the rolled-up numbers into the per-account rows of the raw events (a visit is also a session)."""
    for account_id, numbers in totals.items():
        row = seen.setdefault(account_id, {})
        for key in ("visits", "pageviews", "visits_previous"):
            row[key] = int(row.get(key) or 0) + numbers[key]
        row["sessions"] = int(row.get("sessions") or 0) + numbers["visits"]
        row["recent_events"] = int(row.get("recent_events") or 0) + numbers["visits"] + numbers["visits_previous"]


def _period_days(ctx: ReportContext) -> list[str]:
    """The UTC days of the period, as the totals' `day` column spells them (`since` inclusive, `until` not)."""
    return [ctx.period.since_ts[:10], ctx.period.until_ts[:10]]


def landings(ctx: ReportContext) -> list[dict[str, Any]]:
    """The rolled-up visits of the period in the shape of `channels.visits()` rows: the landing's tags, its
    click ids by name, its account and the leads of its session, with `n` visits of that shape."""
    if not has_totals(ctx):
        return []
    return ctx.store.query(
        f"""SELECT utm_source, utm_medium, utm_campaign, NULL AS utm_term, referrer_host, click_params, account_id,
            SUM(visits) AS n, SUM(session_leads) AS leads
        FROM {TABLE} WHERE visits > 0 AND day >= ? AND day < ?
        GROUP BY utm_source, utm_medium, utm_campaign, referrer_host, click_params, account_id""",
        _period_days(ctx),
    )


def last_rolled_day(ctx: ReportContext) -> str | None:
    """The newest day that lives on as totals only: leads of sessions up to it were counted with their landing."""
    if not has_totals(ctx):
        return None
    day = ctx.store.scalar(f"SELECT MAX(day) FROM {TABLE}")
    return str(day) if day else None


def pageviews_per_path(ctx: ReportContext) -> list[dict[str, Any]]:
    """Path, account and pageviews of the period's rolled-up days (distinct visitors are not kept)."""
    if not has_totals(ctx):
        return []
    return ctx.store.query(
        f"""SELECT path, account_id, SUM(pageviews) AS n FROM {TABLE}
        WHERE pageviews > 0 AND day >= ? AND day < ? GROUP BY path, account_id""",
        _period_days(ctx),
    )
