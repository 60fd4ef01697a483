"""Pipeline from the CRM's opportunities, against what the site did: target share, influenced
pipeline, engaged vs not engaged and tiers, and pipeline per channel of the crediting visit.

The cohort is the opportunities *created* in the period (`abm import crm`); won, lost, win rate,
deal size and cycle are those of the same cohort, so one period's numbers never mix cohorts.
Attribution (influenced, engaged, channel) is `analytics.attribution`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

import click

from analytics.attribution import DEFAULT_INFLUENCE_DAYS, MODELS, credited_touches, period_opportunities
from analytics.channels_map import CHANNELS_ZH
from analytics.charts import Bar, bar_chart
from analytics.context import ReportContext
from analytics.period import parse_ts
from analytics.reports import Output, Report, Section

SEGMENTS_ZH = {"engaged": "网站互动过", "not_engaged": "未互动", "tier_1": "一对一", "tier_2": "一对少",
               "tier_3": "一对多", "non_target": "非目标账户"}  # fmt: skip
COLUMNS = (("segment_zh", "分组"), ("opportunities", "商机"), ("pipeline_amount", "商机金额"),
           ("won_amount", "赢单金额"), ("win_rate", "赢单率"))  # fmt: skip


def _ratio(part: float, whole: float, digits: int = 4) -> float | None:
    return round(part / whole, digits) if whole else None


def totals(opportunities: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """Counts and amounts of a set of opportunities (amount missing = 0)."""
    rows = list(opportunities)
    won = [o for o in rows if o["outcome"] == "won"]
    lost = sum(1 for o in rows if o["outcome"] == "lost")
    won_amount = sum(o["amount"] or 0.0 for o in won)
    cycles = [(end - start).total_seconds() / 86400 for o in won
              if (start := parse_ts(o["created_at"])) and (end := parse_ts(o["closed_at"]))]  # fmt: skip
    return {
        "opportunities": len(rows),
        "pipeline_amount": sum(o["amount"] or 0.0 for o in rows),
        "won": len(won),
        "lost": lost,
        "won_amount": won_amount,
        "win_rate": _ratio(len(won), len(won) + lost),
        "avg_deal_size": round(won_amount / len(won), 2) if won else None,
        "avg_cycle_days": round(sum(cycles) / len(cycles), 1) if cycles else None,
    }


def _tier_segment(ctx: ReportContext, opportunity: Mapping[str, Any]) -> str | None:
    """tier_N from the accounts CSV, non_target for accounts not in it; None without a CSV (no tiers known)."""
    account = ctx.account(opportunity["account_id"])
    if account is not None and account.tier in (1, 2, 3):
        return f"tier_{account.tier}"
    return None if ctx.accounts is None else "non_target"


def _rows(groups: Mapping[str, list[Mapping[str, Any]]], key: str, label: Callable[[str], str]) -> list[dict[str, Any]]:
    rows = []
    for name, members in groups.items():
        total = totals(members)
        rows.append({key: name, f"{key}_zh": label(name), "opportunities": total["opportunities"],
                     "pipeline_amount": total["pipeline_amount"], "won_amount": total["won_amount"],
                     "win_rate": total["win_rate"]})  # fmt: skip
    return rows


def build(ctx: ReportContext, *, influence_days: float = DEFAULT_INFLUENCE_DAYS, model: str = "first",
          **options: Any) -> dict[str, Any]:  # fmt: skip
    ctx.step("读取本期商机")
    opportunities = period_opportunities(ctx)
    touches = credited_touches(ctx, opportunities, influence_days, model)
    result = totals(opportunities)
    pipeline = result["pipeline_amount"]
    targets = sum(o["amount"] or 0.0 for o in opportunities if ctx.is_target(o["account_id"]))
    influenced = [o for o in opportunities if touches[o["opportunity_id"]]]
    segments: dict[str, list[Mapping[str, Any]]] = {name: [] for name in SEGMENTS_ZH}
    channels: dict[str, list[Mapping[str, Any]]] = {}
    for o in opportunities:
        touch = touches[o["opportunity_id"]]
        segments["engaged" if touch else "not_engaged"].append(o)
        tier = _tier_segment(ctx, o)
        if tier:
            segments[tier].append(o)
        channels.setdefault(touch["channel"] if touch else "none", []).append(o)
    by_channel = _rows(channels, "channel", lambda name: CHANNELS_ZH.get(name, "无网站访问"))
    for row in by_channel:
        row.pop("win_rate")
    by_channel.sort(key=lambda row: (-row["pipeline_amount"], row["channel"]))
    return {
        **result,
        "target_share": _ratio(targets, pipeline),
        "influenced_amount": sum(o["amount"] or 0.0 for o in influenced),
        "influence_days": influence_days,
        "model": model,
        "by_segment": _rows(segments, "segment", SEGMENTS_ZH.__getitem__),
        "by_channel": by_channel,
    }


def output(ctx: ReportContext, **options: Any) -> Output:
    result = build(ctx, **options)
    footer = (f"商机 {result['opportunities']} 个，金额 {result['pipeline_amount']:,.0f}；受网站影响 "
              f"{result['influenced_amount']:,.0f}；赢单率 {result['win_rate'] if result['win_rate'] is not None else '–'}")  # fmt: skip
    return Output(result, REPORT.title, COLUMNS, rows_key="by_segment", footer=footer)


def pipeline_view(result: Any, others: Mapping[str, Any]) -> dict[str, Any]:
    """Key numbers, a bar chart of pipeline and won amount per segment, and the channel table."""
    if not isinstance(result, Mapping) or not result.get("opportunities"):
        return {"empty": True}
    bars = [Bar(label=row["segment_zh"], values=(float(row["pipeline_amount"]), float(row["won_amount"])),
                note=f"{row['opportunities']} 个商机") for row in result["by_segment"]]  # fmt: skip
    return {"empty": False, "r": result, "chart": bar_chart(bars, ("商机金额", "赢单金额")),
            "channels": result["by_channel"]}  # fmt: skip


REPORT = Report(
    name="pipeline",
    title="商机与收入",
    order=55,
    build=build,
    columns=COLUMNS,
    rows_key="by_segment",
    output=output,
    params=(
        click.Option(["--influence-days"], type=click.FloatRange(min=0, min_open=True), default=DEFAULT_INFLUENCE_DAYS,
                     show_default=True, help="Days before an opportunity in which a visit of its account counts."),
        click.Option(["--model"], type=click.Choice(MODELS), default="first", show_default=True,
                     help="Credit an opportunity to the first or the last visit of that window (by_channel)."),
    ),  # fmt: skip
    section=Section(view=pipeline_view),
    help="""Opportunities created in the period (abm import crm) and what the site had to do with them.

    JSON object: opportunities, pipeline_amount, won, lost, won_amount, win_rate (won / (won + lost)),
    avg_deal_size (won), avg_cycle_days (created -> closed, won); target_share (pipeline of target
    accounts / pipeline_amount); influenced_amount (pipeline of opportunities whose account was
    visited by a real person in the --influence-days before creation); by_segment rows (segment:
    engaged, not_engaged, tier_1, tier_2, tier_3, non_target) and by_channel rows (channel of the
    first / last such visit, --model; "none" = no visit) with opportunities, pipeline_amount, won_amount.
    """,
)
