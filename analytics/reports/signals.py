"""Accounts whose activity changed: surge (buying intent), drop (churn risk), new (first seen).

Activity = the number of real events (no bots, no preview) of the kinds pageview, cta_click,
download, lead and webinar_join, counted per week of seven local days (the zone of ``--tz``).
Only `--until` matters here; week 0 ("this week") is the seven local days that end with it:

* this_week = activity in week 0;
* baseline = mean weekly activity over the `baseline_weeks` (default 4, at least 4) weeks before;
* ratio = this_week / baseline (null when the baseline is 0);
* surge: baseline > 0, this_week >= min_activity (default 5) and ratio >= surge_ratio (default 2.0);
* drop: the account has been quiet for the last ``quiet_weeks`` weeks (each of them at most
  drop_ratio (default 0.25) × the baseline) and the baseline — here the mean of the
  `baseline_weeks` weeks before it went quiet — is >= min_activity. The longest such spell counts
  (up to QUIET_WEEKS_MAX), so the drop stays while the account stays quiet instead of vanishing
  once the trailing baseline slides past its activity; a week above the threshold ends it;
* new: the account's first event ever (any kind) falls within this week.

Thresholds are inclusive. An account gets at most one signal (new accounts have no baseline).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import click

from analytics.context import IDENTIFIED, REAL_TRAFFIC, ReportContext
from analytics.period import bucket_case
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


#: How long a quiet spell is followed: after a year of silence the account is gone, not at risk.
QUIET_WEEKS_MAX = 52


def weekly_activity(ctx: ReportContext, weeks: int) -> dict[str, tuple[list[int], str]]:
    """Per account: activity in each of the `weeks` local weeks that end with --until (newest first),
    and its first event ever (any kind), in one pass over the events."""
    kinds = ", ".join(f"'{kind}'" for kind in ACTIVITY_KINDS)
    week, params = bucket_case("ts", ctx.period.week_bounds(weeks))
    rows = ctx.store.query(
        f"""SELECT account_id, week, SUM(CASE WHEN kind IN ({kinds}) THEN 1 ELSE 0 END) AS activity,
            MIN(ts) AS first_seen
        FROM (SELECT account_id, kind, ts, {week} AS week FROM events
              WHERE ts < ? AND {REAL_TRAFFIC} AND {IDENTIFIED}) AS e
        GROUP BY account_id, week""",
        [*params, ctx.period.until_ts],
    )
    found: dict[str, tuple[list[int], str]] = {}
    for row in rows:
        counts, first = found.get(row["account_id"], ([0] * (weeks + 1), row["first_seen"]))
        counts[int(row["week"])] += int(row["activity"] or 0)
        found[row["account_id"]] = (counts, min(first, row["first_seen"]))
    return {account: (counts[:weeks], first) for account, (counts, first) in found.items()}


def quiet_spell(weekly: list[int], baseline_weeks: int, drop_ratio: float, min_activity: int) -> tuple[int, float] | None:
    """(quiet weeks, baseline before them) of the longest spell that makes a drop, or None.

    A spell of q weeks holds when the q newest weeks each had at most drop_ratio × the mean of the
    `baseline_weeks` weeks before them, and that mean is at least `min_activity`.
    """
    found, loudest = None, 0
    for quiet in range(1, len(weekly) - baseline_weeks + 1):
        loudest = max(loudest, weekly[quiet - 1])
        baseline = sum(weekly[quiet : quiet + baseline_weeks]) / baseline_weeks
        if baseline >= min_activity and loudest <= drop_ratio * baseline:
            found = (quiet, baseline)
    return found


def classify(
    ctx: ReportContext, weekly: list[int], first_seen: str, *, baseline_weeks: int, surge_ratio: float,
    drop_ratio: float, min_activity: int,
) -> dict[str, Any] | None:
    """One account's signal with its numbers and reason in words, or None."""
    this_week = weekly[0]
    baseline = sum(weekly[1 : 1 + baseline_weeks]) / baseline_weeks
    ratio = this_week / baseline if baseline else None
    quiet: tuple[int, float] | None = None
    if first_seen >= ctx.period.this_week().since_ts:
        signal, reason = "new", f"首次出现于 {ctx.period.local_day(first_seen)}，本周活跃 {this_week} 次"
    elif ratio is not None and this_week >= min_activity and ratio >= surge_ratio:
        signal = "surge"
        reason = f"本周活跃 {this_week} 次，是过去 {baseline_weeks} 周周均 {baseline:g} 的 {ratio:.1f} 倍（阈值 {surge_ratio:g}）"
    elif (quiet := quiet_spell(weekly, baseline_weeks, drop_ratio, min_activity)) is not None:
        signal, baseline = "drop", quiet[1]
        ratio = this_week / baseline
        reason = drop_reason(ctx, weekly, quiet, baseline_weeks, drop_ratio)
    else:
        return None
    return {
        "signal": signal, "signal_zh": SIGNALS_ZH[signal], "this_week": this_week, "baseline": round(baseline, 2),
        "ratio": round(ratio, 2) if ratio is not None else None, "first_seen": first_seen,
        "quiet_since": quiet_since(ctx, quiet[0]) if quiet else None, "quiet_weeks": quiet[0] if quiet else None,
        "reason": reason,
    }  # fmt: skip


def quiet_since(ctx: ReportContext, quiet_weeks: int) -> str:
    """The local day (YYYY-MM-DD) a spell of `quiet_weeks` weeks began."""
    return ctx.period.local(ctx.period.week_bounds(quiet_weeks)[quiet_weeks]).date().isoformat()


def drop_reason(ctx: ReportContext, weekly: list[int], quiet: tuple[int, float], baseline_weeks: int,
                drop_ratio: float) -> str:  # fmt: skip
    weeks, baseline = quiet
    since = quiet_since(ctx, weeks)
    return (
        f"自 {since} 起已沉寂 {weeks} 周（共活跃 {sum(weekly[:weeks])} 次，每周不超过基线的 {drop_ratio:.0%}），"
        f"沉寂前 {baseline_weeks} 周周均 {baseline:g}；本周 {weekly[0]} 次，降至 {weekly[0] / baseline:.0%}"
    )


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
    ctx.step("统计每周活跃")
    signals = []
    for account_id, (weekly, first_seen) in weekly_activity(ctx, 1 + QUIET_WEEKS_MAX + baseline_weeks).items():
        if not ctx.is_target(account_id):
            continue
        found = classify(ctx, weekly, first_seen, baseline_weeks=baseline_weeks, surge_ratio=surge_ratio,
                         drop_ratio=drop_ratio, min_activity=min_activity)  # fmt: skip
        if found is not None:
            signals.append({**ctx.account_fields(account_id), **found})
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
    help="""Accounts that surge, drop or are new this week (the 7 local days that end with --until).

    \b
    activity  = count of pageview, cta_click, download, lead and webinar_join events
    baseline  = mean weekly activity over the --baseline-weeks weeks before this week
    ratio     = this_week / baseline
    surge     = baseline > 0 and this_week >= --min-activity and ratio >= --surge-ratio
    drop      = quiet for the last quiet_weeks weeks: each <= --drop-ratio × the baseline of the
                --baseline-weeks weeks before it went quiet, that baseline >= --min-activity;
                it stays while the account stays quiet (up to 52 weeks)
    new       = the account's first event ever is in this week
    JSON: a list of rows with account_id, account_name, signal, this_week, baseline, ratio,
    quiet_since (local day) and quiet_weeks (drops), first_seen (UTC), reason.
    """,
)
