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
    since, until = ctx.period.since_ts[:10], ctx.period.until_ts[:10]
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
