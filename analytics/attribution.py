"""Which visits brought an opportunity: the pipeline and ROI reports' one attribution model.

An opportunity is *influenced* when a real person (no bot, no preview) from its account visited the
site in the ``influence_days`` (default 90) before the opportunity was created. Its whole amount is
credited to one visit of that window: the account's first (``--model first``, default) or last
(``--model last``) pageview before creation. That visit's UTM tags, else its referrer, give the
channel (`analytics.channels_map`). Opportunities without such a visit are ``not_engaged``.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from typing import Any

from analytics.channels_map import channel
from analytics.context import REAL_TRAFFIC, ReportContext
from analytics.period import iso, parse_ts

DEFAULT_INFLUENCE_DAYS = 90
MODELS = ("first", "last")


def period_opportunities(ctx: ReportContext) -> list[dict[str, Any]]:
    """The opportunities created in the period, oldest first."""
    return ctx.store.query(
        """SELECT opportunity_id, account_id, stage, outcome, amount, created_at, closed_at, owner
        FROM crm_opportunities WHERE created_at >= ? AND created_at < ? ORDER BY created_at, opportunity_id""",
        [ctx.period.since_ts, ctx.period.until_ts],
    )


def credited_touches(
    ctx: ReportContext, opportunities: list[dict[str, Any]], influence_days: float, model: str = "first"
) -> dict[str, dict[str, Any] | None]:
    """Opportunity id -> the visit credited with it (ts, utm_*, referrer_host, channel), or None."""
    accounts = sorted({o["account_id"] for o in opportunities if o["account_id"]})
    if not accounts:
        return {o["opportunity_id"]: None for o in opportunities}
    window = timedelta(days=influence_days)
    created_times = [moment for o in opportunities if (moment := parse_ts(o["created_at"]))]
    earliest = min(created_times, default=ctx.period.since)
    marks = ", ".join("?" for _ in accounts)
    visits: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in ctx.store.query(
        f"""SELECT account_id, ts, utm_source, utm_medium, utm_campaign, referrer_host FROM events
        WHERE kind = 'pageview' AND {REAL_TRAFFIC} AND account_id IN ({marks}) AND ts >= ? AND ts < ?
        ORDER BY ts""",
        [*accounts, iso(earliest - window), ctx.period.until_ts],
    ):
        visits[row["account_id"]].append(row)
    credited: dict[str, dict[str, Any] | None] = {}
    for opportunity in opportunities:
        created = parse_ts(opportunity["created_at"])
        start = iso(created - window) if created else ""
        inside = [v for v in visits.get(opportunity["account_id"], []) if start <= v["ts"] < opportunity["created_at"]]
        touch = (inside[0] if model == "first" else inside[-1]) if inside else None
        credited[opportunity["opportunity_id"]] = _with_channel(touch) if touch else None
    return credited


def _with_channel(visit: dict[str, Any]) -> dict[str, Any]:
    name, _, _ = channel(visit["utm_source"], visit["utm_medium"], visit["referrer_host"])
    return {**visit, "channel": name}
