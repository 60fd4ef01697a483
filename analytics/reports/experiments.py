"""Did personalization lift conversion? Personalized vs control arm, counted per account.

* An account belongs to the arm recorded on its events in the period (real traffic only); an
  account seen in both arms keeps the arm of its first event and is counted in `mixed_accounts`.
* Converted = the account has a lead (leads table) or a `lead` / `cta_click` event in the period.
* rate = conversions / accounts; lift = rate(personalized) / rate(control) - 1 (relative).
* ci_low / ci_high: 95% interval of the lift, delta method on the log rate ratio (null without a
  conversion in each arm); diff_ci_low / diff_ci_high: Newcombe interval of the absolute difference.
* p_value: two-sided pooled two-proportion z test. srm_p_value: chi-square test of the accounts
  per arm against the planned holdout share (`holdout`, default 0.1 of accounts in control).
* warning: set when an arm has fewer than 30 accounts or 5 conversions, or SRM p < 0.01; else null.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import click

from analytics.charts import interval_chart
from analytics.context import IDENTIFIED, REAL_TRAFFIC, ReportContext
from analytics.reports import Report, Section
from analytics.results import rows_of
from analytics.stats import (
    newcombe_difference_interval,
    relative_lift_interval,
    sample_ratio_p_value,
    two_proportion_z_test,
)
from personalize.errors import UserError

COLUMNS = (("arm", "组别"), ("accounts", "账户数"), ("conversions", "转化账户"), ("rate", "转化率"))
TREATMENT, CONTROL = "personalized", "control"
MIN_ACCOUNTS, MIN_CONVERSIONS, SRM_ALPHA = 30, 5, 0.01


def build(ctx: ReportContext, *, holdout: float = 0.1, **options: Any) -> dict[str, Any]:
    if not 0 < holdout < 1:
        raise UserError(f"--holdout must be a share between 0 and 1 (the control arm's), not {holdout}")
    period = [ctx.period.since_ts, ctx.period.until_ts]
    ctx.step("账户分组")
    arms_seen = ctx.store.query(
        f"""SELECT account_id, arm, MIN(ts) AS first_ts FROM events
        WHERE ts >= ? AND ts < ? AND {REAL_TRAFFIC} AND {IDENTIFIED} AND arm IN ('{TREATMENT}', '{CONTROL}')
        GROUP BY account_id, arm ORDER BY account_id, first_ts, arm""",
        period,
    )
    arm_of: dict[str, str] = {}
    for row in arms_seen:  # the first arm an account was served wins (ties: alphabetical, control)
        arm_of.setdefault(row["account_id"], row["arm"])
    mixed = len(arms_seen) - len(arm_of)
    ctx.step("转化")
    converted = {
        row["account_id"]
        for row in ctx.store.query(
            f"""SELECT DISTINCT account_id FROM events
            WHERE ts >= ? AND ts < ? AND {REAL_TRAFFIC} AND {IDENTIFIED} AND kind IN ('lead', 'cta_click')
            UNION SELECT DISTINCT account_id FROM leads WHERE ts >= ? AND ts < ? AND {IDENTIFIED}""",
            period + period,
        )
    }
    counts = {arm: [0, 0] for arm in (TREATMENT, CONTROL)}
    for account_id, arm in arm_of.items():
        counts[arm][0] += 1
        counts[arm][1] += account_id in converted
    return _compare(counts, holdout, mixed)


def _compare(counts: dict[str, list[int]], holdout: float, mixed: int) -> dict[str, Any]:
    (n1, x1), (n2, x2) = counts[TREATMENT], counts[CONTROL]
    arms = [
        {"arm": arm, "accounts": n, "conversions": x, "rate": round(x / n, 4) if n else None}
        for arm, (n, x) in counts.items()
    ]
    test = two_proportion_z_test(x1, n1, x2, n2)
    lift_ci = relative_lift_interval(x1, n1, x2, n2)
    diff_ci = newcombe_difference_interval(x1, n1, x2, n2)
    srm = sample_ratio_p_value([n1, n2], [1 - holdout, holdout])
    lift = (x1 / n1) / (x2 / n2) - 1 if n1 and n2 and x2 else None
    return {
        "arms": arms,
        "lift": _round(lift),
        "ci_low": _round(lift_ci and lift_ci[0]),
        "ci_high": _round(lift_ci and lift_ci[1]),
        "difference": _round(x1 / n1 - x2 / n2) if n1 and n2 else None,
        "diff_ci_low": _round(diff_ci and diff_ci[0]),
        "diff_ci_high": _round(diff_ci and diff_ci[1]),
        "z": _round(test.z if test else None),
        "p_value": _round(test.p_value if test else None, 6),
        "srm_p_value": _round(srm, 6),
        "holdout": holdout,
        "mixed_accounts": mixed,
        "warning": _warning(n1, x1, n2, x2, srm),
    }


def _round(value: float | None, digits: int = 4) -> float | None:
    return None if value is None else round(value, digits)


def _warning(n1: int, x1: int, n2: int, x2: int, srm: float | None) -> str | None:
    problems = []
    if min(n1, n2) < MIN_ACCOUNTS or min(x1, x2) < MIN_CONVERSIONS:
        problems.append(
            f"样本太少，尚不能下结论（每组至少 {MIN_ACCOUNTS} 个账户、{MIN_CONVERSIONS} 次转化）/ "
            f"sample too small to conclude (need {MIN_ACCOUNTS} accounts and {MIN_CONVERSIONS} conversions per arm)"
        )
    if srm is not None and srm < SRM_ALPHA:
        problems.append(
            f"样本比例失衡（SRM p = {srm:.4f}），分组可能有误 / sample ratio mismatch: the split is not the planned one"
        )
    return "；".join(problems) or None


def experiments_view(result: Any, others: Mapping[str, Any]) -> dict[str, Any]:
    if not isinstance(result, Mapping) or not rows_of(result.get("arms")):
        return {"empty": True}
    interval = _lift_interval(result)
    return {
        **result,
        "arms": rows_of(result.get("arms")),
        "chart": interval_chart(*interval) if interval else "",
        "significant": interval is not None and (interval[1] > 0 or interval[2] < 0),
        "empty": False,
    }


def _lift_interval(result: Mapping[str, Any]) -> tuple[float, float, float] | None:
    """(lift, low, high) when all three are finite numbers; otherwise no chart and nothing is significant."""
    values: list[Any] = [result.get(k) for k in ("lift", "ci_low", "ci_high")]
    if not all(isinstance(v, (int, float)) and math.isfinite(v) for v in values):
        return None
    lift, low, high = map(float, values)
    return lift, low, high


REPORT = Report(
    name="experiments",
    title="个性化实验",
    order=60,
    build=build,
    columns=COLUMNS,
    rows_key="arms",
    params=(
        click.Option(["--holdout"], type=float, default=0.1, show_default=True,
                     help="Planned share of accounts in the control arm."),  # fmt: skip
    ),
    section=Section(view=experiments_view),
    help="""Personalized vs control at the account level: conversion, lift with a 95% CI, p-value, SRM.

    Converted = a lead or a CTA click in the period. lift = rate(personalized) / rate(control) - 1;
    ci_low/ci_high by the delta method on the log ratio; p_value from a two-sided two-proportion
    z test; srm_p_value from a chi-square test against --holdout. warning is set when an arm has
    fewer than 30 accounts or 5 conversions, or SRM p < 0.01.
    """,
)
