"""Accounts whose activity changed: surge (buying intent), drop (churn risk), new (first seen).

Activity = the number of real events (no bots, no preview) of the kinds pageview, cta_click,
download, lead and webinar_join. Only `--until` matters here:

* this_week = activity in the 7 days before --until;
* baseline = mean weekly activity over the `baseline_weeks` (default 4, at least 4) weeks before;
* ratio = this_week / baseline (null when the baseline is 0);
* surge: baseline > 0, this_week >= min_activity (default 5) and ratio >= surge_ratio (default 2.0);
* drop: baseline >= min_activity and this_week <= drop_ratio (default 0.25) × baseline;
* new: the account's first event ever (any kind) falls within this week.

Thresholds are inclusive. An account gets at most one signal (new accounts have no baseline).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import click

from analytics.context import IDENTIFIED, REAL_TRAFFIC, ReportContext
from analytics.reports import Report, Section
from analytics.results import rows_of
from personalize.errors import UserError

COLUMNS = (
    ("signal_zh", "信号"),
    ("account_name", "账户"),
    ("tier", "层级"),
    ("owner", "负责人"),
    ("this_week", "本周活跃"),
    ("baseline", "基线（周均）"),
    ("ratio", "倍数"),
    ("reason", "原因"),
)
ACTIVITY_KINDS = ("pageview", "cta_click", "download", "lead", "webinar_join")
SIGNALS_ZH = {"surge": "激增", "drop": "下滑", "new": "新出现"}


def build(
    ctx: ReportContext,
    *,
    baseline_weeks: int = 4,
    surge_ratio: float = 2.0,
    drop_ratio: float = 0.25,
    min_activity: int = 5,
    **options: Any,
) -> list[dict[str, Any]]:
    if baseline_weeks < 4:
        raise UserError("--baseline-weeks must be at least 4: a shorter baseline mistakes noise for a surge")
    if surge_ratio <= 1 or not 0 <= drop_ratio < 1 or min_activity < 1:
        raise UserError("need --surge-ratio > 1, 0 <= --drop-ratio < 1 and --min-activity >= 1")
    week = ctx.period.this_week()
    base = ctx.period.weeks_before(baseline_weeks)
    kinds = ", ".join(f"'{kind}'" for kind in ACTIVITY_KINDS)
    ctx.step("统计本周与基线活跃")
    rows = ctx.store.query(
        f"""SELECT account_id,
            SUM(CASE WHEN kind IN ({kinds}) AND ts >= ? THEN 1 ELSE 0 END) AS this_week,
            SUM(CASE WHEN kind IN ({kinds}) AND ts >= ? AND ts < ? THEN 1 ELSE 0 END) AS baseline_total,
            MIN(ts) AS first_seen
        FROM events
        WHERE ts < ? AND {REAL_TRAFFIC} AND {IDENTIFIED}
        GROUP BY account_id""",
        [week.since_ts, base.since_ts, base.until_ts, week.until_ts],
    )
    signals = []
    for row in rows:
        if not ctx.is_target(row["account_id"]):
            continue
        this_week = int(row["this_week"] or 0)
        baseline = int(row["baseline_total"] or 0) / baseline_weeks
        ratio = this_week / baseline if baseline else None
        if row["first_seen"] >= week.since_ts:
            signal, reason = "new", f"首次出现于 {row['first_seen'][:10]}，本周活跃 {this_week} 次"
        elif ratio is not None and this_week >= min_activity and ratio >= surge_ratio:
            signal = "surge"
            reason = f"本周活跃 {this_week} 次，是过去 {baseline_weeks} 周周均 {baseline:g} 的 {ratio:.1f} 倍（阈值 {surge_ratio:g}）"
        elif baseline >= min_activity and this_week <= drop_ratio * baseline:
            signal = "drop"
            reason = f"本周活跃 {this_week} 次，过去 {baseline_weeks} 周周均 {baseline:g}，降至 {ratio:.0%}（阈值 {drop_ratio:.0%}）"
        else:
            continue
        signals.append(
            {
                **ctx.account_fields(row["account_id"]),
                "signal": signal,
                "signal_zh": SIGNALS_ZH[signal],
                "this_week": this_week,
                "baseline": round(baseline, 2),
                "ratio": round(ratio, 2) if ratio is not None else None,
                "first_seen": row["first_seen"],
                "reason": reason,
            }
        )
    order = {"surge": 0, "new": 1, "drop": 2}
    strength = {"surge": lambda r: -r["ratio"], "new": lambda r: -r["this_week"], "drop": lambda r: r["ratio"]}
    signals.sort(key=lambda r: (order[r["signal"]], strength[r["signal"]](r), r["account_id"]))
    return signals


def signals_view(result: Any, others: Mapping[str, Any]) -> dict[str, Any]:
    """Surges first; a drop of a customer (its stage from the accounts section) is a churn risk."""
    stages = {row.get("account_id"): row.get("stage") for row in rows_of(others.get("accounts"), "accounts")}
    rows = [{"stage": stages.get(row.get("account_id")), **row} for row in rows_of(result, "signals")]
    order = {"surge": 0, "drop": 1, "new": 2}
    rows = sorted(rows, key=lambda r: (order.get(str(r.get("signal")), 3), -(r.get("ratio") or 0)))
    rows = [{**row, "churn_risk": row.get("signal") == "drop" and row.get("stage") == "customer"} for row in rows]
    counts = {kind: sum(1 for r in rows if r.get("signal") == kind) for kind in SIGNALS_ZH}
    return {"rows": rows, "empty": not rows, "counts": counts}


REPORT = Report(
    name="signals",
    title="账户信号",
    order=20,
    build=build,
    columns=COLUMNS,
    params=(
        click.Option(["--baseline-weeks"], type=click.IntRange(min=4), default=4, show_default=True,
                     help="Weeks before this week whose mean weekly activity is the baseline."),
        click.Option(["--surge-ratio"], type=float, default=2.0, show_default=True,
                     help="Surge when this week >= ratio × baseline."),
        click.Option(["--drop-ratio"], type=float, default=0.25, show_default=True,
                     help="Drop when this week <= ratio × baseline."),
        click.Option(["--min-activity"], type=click.IntRange(min=1), default=5, show_default=True,
                     help="A surge needs this much activity this week; a drop this much baseline."),
    ),  # fmt: skip
    section=Section(view=signals_view),
    help="""Accounts that surge, drop or are new this week (the 7 days before --until).

    \b
    activity  = count of pageview, cta_click, download, lead and webinar_join events
    baseline  = mean weekly activity over the --baseline-weeks weeks before this week
    ratio     = this_week / baseline
    surge     = baseline > 0 and this_week >= --min-activity and ratio >= --surge-ratio
    drop      = baseline >= --min-activity and this_week <= --drop-ratio × baseline
    new       = the account's first event ever is in this week
    JSON: a list of rows with account_id, account_name, signal, this_week, baseline, ratio, reason.
    """,
)
