"""Cost and return per campaign: imported spend (`abm import spend`) against the visits, target
accounts, leads and pipeline the same UTM tags brought.

Attribution, step by step:

* **spend** — a row's cost is spread evenly over its days (a month over all its days); the period
  gets the share of the days it overlaps (whole UTC days from --since to --until);
* **rows** — one per spend key (utm_source, utm_medium, utm_campaign; an empty tag matches every
  value). Tagged traffic goes to the most specific key it matches; tagged traffic that matches no
  key gets its own row with spend 0, so free channels that bring pipeline still show;
* **visits / target_accounts** — sessions of the period by their landing page's tags, and the
  distinct target accounts among them; **leads** — leads of the period by their form's tags;
* **opportunities / pipeline_amount / won_amount** — opportunities created in the period,
  credited to the tags of their account's first (or last, --model) visit in the --influence-days
  before creation (`analytics.attribution`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import Any

import click

from analytics.attribution import DEFAULT_INFLUENCE_DAYS, MODELS, credited_touches, period_opportunities
from analytics.channels_map import channel
from analytics.context import REAL_TRAFFIC, ReportContext
from analytics.reports import Report, Section

TAGS = ("utm_source", "utm_medium", "utm_campaign")
Key = tuple[str | None, str | None, str | None]
COLUMNS = (("utm_source", "来源"), ("utm_medium", "媒介"), ("utm_campaign", "活动"), ("spend", "花费"),
           ("visits", "访问"), ("target_accounts", "目标账户"), ("leads", "线索"), ("opportunities", "商机"),
           ("pipeline_amount", "商机金额"), ("cost_per_lead", "单线索成本"), ("pipeline_per_spend", "投入产出比"))  # fmt: skip


def tags_of(row: Mapping[str, Any]) -> Key:
    """A row's (utm_source, utm_medium, utm_campaign), lower-cased, empty as None."""
    source, medium, campaign = ((row.get(tag) or "").strip().lower() or None for tag in TAGS)
    return source, medium, campaign


def period_days(ctx: ReportContext) -> tuple[date, date]:
    """The first and last UTC day the period touches."""
    return ctx.period.since.date(), (ctx.period.until - timedelta(microseconds=1)).date()


def spend_in_period(ctx: ReportContext) -> dict[Key, dict[str, Any]]:
    """Spend key -> {spend, channel}: each row's cost times the share of its days inside the period."""
    first, last = period_days(ctx)
    found: dict[Key, dict[str, Any]] = {}
    for row in ctx.store.query("SELECT * FROM spend WHERE first_day <= ? AND last_day >= ?",
                               [last.isoformat(), first.isoformat()]):  # fmt: skip
        start, end = date.fromisoformat(row["first_day"]), date.fromisoformat(row["last_day"])
        overlap = (min(end, last) - max(start, first)).days + 1
        entry = found.setdefault(tags_of(row), {"spend": 0.0, "channel": row["channel"]})
        entry["spend"] += float(row["cost"] or 0.0) * overlap / ((end - start).days + 1)
        entry["channel"] = entry["channel"] or row["channel"]
    return found


def matcher(keys: Sequence[Key]) -> Any:
    """tags -> the most specific spend key they match, else the tags themselves (None when untagged)."""
    ordered = sorted(keys, key=lambda key: -sum(tag is not None for tag in key))

    def match(row: Mapping[str, Any]) -> Key | None:
        tags = tags_of(row)
        if not any(tags):
            return None
        for key in ordered:
            if all(want is None or want == have for want, have in zip(key, tags, strict=True)):
                return key
        return tags

    return match


def _landing_visits(ctx: ReportContext) -> list[dict[str, Any]]:
    rows = ctx.store.query(
        f"""SELECT session_id, account_id, utm_source, utm_medium, utm_campaign FROM events
        WHERE kind = 'pageview' AND ts >= ? AND ts < ? AND {REAL_TRAFFIC} ORDER BY ts""",
        [ctx.period.since_ts, ctx.period.until_ts],
    )
    first: dict[str, dict[str, Any]] = {}
    for row in rows:
        first.setdefault(row["session_id"], row)
    return list(first.values())


def build(ctx: ReportContext, *, model: str = "first", influence_days: float = DEFAULT_INFLUENCE_DAYS,
          **options: Any) -> list[dict[str, Any]]:  # fmt: skip
    spend = spend_in_period(ctx)
    match = matcher(list(spend))
    rows: dict[Key, dict[str, Any]] = {}

    def row_of(source: Mapping[str, Any]) -> dict[str, Any] | None:
        key = match(source)
        if key is None:
            return None
        if key not in rows:
            rows[key] = {"visits": 0, "accounts": set(), "leads": 0, "opportunities": 0, "pipeline_amount": 0.0,
                         "won_amount": 0.0}  # fmt: skip
        return rows[key]

    ctx.step("访问与线索")
    for visit in _landing_visits(ctx):
        if (row := row_of(visit)) is not None:
            row["visits"] += 1
            if ctx.is_target(visit["account_id"]):
                row["accounts"].add(visit["account_id"])
    for lead in ctx.store.query("SELECT utm_source, utm_medium, utm_campaign FROM leads WHERE ts >= ? AND ts < ?",
                                [ctx.period.since_ts, ctx.period.until_ts]):  # fmt: skip
        if (row := row_of(lead)) is not None:
            row["leads"] += 1
    ctx.step("商机归因")
    opportunities = period_opportunities(ctx)
    touches = credited_touches(ctx, opportunities, influence_days, model)
    for opportunity in opportunities:
        touch = touches[opportunity["opportunity_id"]]
        if touch and (row := row_of(touch)) is not None:
            row["opportunities"] += 1
            row["pipeline_amount"] += opportunity["amount"] or 0.0
            row["won_amount"] += (opportunity["amount"] or 0.0) if opportunity["outcome"] == "won" else 0.0
    for key in spend:
        row_of(dict(zip(TAGS, key, strict=True)))
    return sorted((_finish(key, row, spend.get(key)) for key, row in rows.items()),
                  key=lambda r: (-r["spend"], -r["pipeline_amount"], str(r["utm_source"])))  # fmt: skip


def _per(numerator: float, divisor: float) -> float | None:
    return round(numerator / divisor, 2) if divisor else None


def _finish(key: Key, row: dict[str, Any], spent: Mapping[str, Any] | None) -> dict[str, Any]:
    cost = round(spent["spend"], 2) if spent else 0.0
    targets = len(row.pop("accounts"))
    name = (spent or {}).get("channel") or channel(key[0], key[1], None)[0]
    return {
        **dict(zip(TAGS, key, strict=True)), "channel": name, "spend": cost, "visits": row["visits"],
        "target_accounts": targets, "leads": row["leads"], "opportunities": row["opportunities"],
        "pipeline_amount": row["pipeline_amount"], "won_amount": row["won_amount"],
        "cost_per_lead": _per(cost, row["leads"]), "cost_per_target_account": _per(cost, targets),
        "cost_per_opportunity": _per(cost, row["opportunities"]), "pipeline_per_spend": _per(row["pipeline_amount"], cost),
    }  # fmt: skip


def roi_view(result: Any, others: Mapping[str, Any]) -> dict[str, Any]:
    rows = list(result or [])
    return {"rows": rows, "empty": not rows}


REPORT = Report(
    name="roi",
    title="投入产出",
    order=57,
    build=build,
    columns=COLUMNS,
    params=(
        click.Option(["--model"], type=click.Choice(MODELS), default="first", show_default=True,
                     help="Credit an opportunity to its account's first or last visit before it."),
        click.Option(["--influence-days"], type=click.FloatRange(min=0, min_open=True), default=DEFAULT_INFLUENCE_DAYS,
                     show_default=True, help="Days before an opportunity in which a visit counts."),
    ),  # fmt: skip
    section=Section(view=roi_view),
    help="""Spend (abm import spend) against what the same UTM tags brought, per campaign.

    JSON list: utm_source, utm_medium, utm_campaign (null = any), channel, spend (CNY, spread over the
    days of the period), visits, target_accounts, leads, opportunities, pipeline_amount, won_amount,
    cost_per_lead, cost_per_target_account, cost_per_opportunity, pipeline_per_spend (null where the
    divisor is 0). Tagged traffic matching no spend row gets its own row with spend 0.
    """,
)
