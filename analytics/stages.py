"""Journey stages of an account: unaware → aware → engaged → qualified → opportunity → customer.

The stage shown is the further of two:

* derived from behaviour (thresholds in `weights.yml` under `stages`): no activity = unaware,
  any activity = aware, any engaged threshold reached = engaged, account score at the qualified
  threshold = qualified (in the leads report, a lead is at least engaged, and qualified when
  graded interested or better);
* recorded by sales: the latest imported CRM stage of the account (`abm import crm`), else the
  accounts CSV `stage` column. CRM and CSV wording is mapped by `analytics/stage_map.yml` (e.g.
  "商机", "POC测试", "won"). Imported opportunities decide over both: an open one is its stage, a
  won one makes a customer, and when every one was lost the account falls back to the lost words'
  stage (engaged) instead of staying at the last open stage.

So behaviour can move an account forward past what was recorded, and a recorded opportunity or
customer is never shown lower because the account went quiet.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from analytics.journey import STAGES
from analytics.stage_map import default_stage_map

if TYPE_CHECKING:
    from analytics.context import ReportContext
    from analytics.scoring import Behaviour
    from analytics.weights import Weights


def normalize_stage(text: str | None) -> str | None:
    """The journey stage a CRM or CSV stage word means by the default stage map, or None (empty, unknown)."""
    word = default_stage_map().get(text)
    return word.stage if word else None


def further(*stages: str | None) -> str:
    """The most advanced of the given stages (unaware when none)."""
    known = [STAGES.index(stage) for stage in stages if stage in STAGES]
    return STAGES[max(known, default=0)]


def derived_stage(weights: Weights, behaviour: Behaviour | None, score: float) -> str:
    """The stage an account's behaviour alone supports."""
    rules = weights.data["stages"]
    if score >= float(rules["qualified"]["score"]):
        return "qualified"
    if behaviour is None or not (behaviour.pageviews or behaviour.downloads or behaviour.webinar_minutes
                                 or behaviour.demo_requests):  # fmt: skip
        return "unaware"
    engaged = rules["engaged"]
    if (
        behaviour.pageviews >= engaged["pageviews"]
        or behaviour.people >= engaged["people"]
        or behaviour.downloads >= engaged["downloads"]
        or behaviour.webinar_minutes >= engaged["webinar_minutes"]
    ):
        return "engaged"
    return "aware"


def recorded_stages(ctx: ReportContext) -> dict[str, str]:
    """Account id -> the stage sales recorded: latest CRM import before --until, else the CSV column."""
    recorded: dict[str, str] = {}
    if ctx.accounts is not None:
        for account in ctx.accounts.accounts:
            stage = normalize_stage(account.stage)
            if stage:
                recorded[account.id] = stage
    rows = ctx.store.query(
        """SELECT account_id, stage, updated_at FROM crm_stages
        WHERE account_id IS NOT NULL AND account_id <> '' AND (updated_at IS NULL OR updated_at < ?)
        ORDER BY account_id, COALESCE(updated_at, '')""",
        [ctx.period.until_ts],
    )
    for row in rows:  # ordered by time, so the latest known stage of each account wins
        stage = normalize_stage(row["stage"])
        if stage:
            recorded[row["account_id"]] = stage
    recorded.update(opportunity_stages(ctx))
    return recorded


def opportunity_stages(ctx: ReportContext) -> dict[str, str]:
    """Account id -> the stage its opportunities created before --until say (see the module docstring)."""
    rows = ctx.store.query(
        """SELECT account_id, stage, outcome, COALESCE(closed_at, created_at, '') AS moment FROM crm_opportunities
        WHERE account_id IS NOT NULL AND account_id <> '' AND (created_at IS NULL OR created_at < ?)
        ORDER BY account_id, moment""",
        [ctx.period.until_ts],
    )
    live: dict[str, list[str]] = {}
    lost: dict[str, str] = {}
    for row in rows:
        if row["outcome"] == "lost":
            lost[row["account_id"]] = row["stage"]
        else:
            live.setdefault(row["account_id"], []).append(row["stage"])
    return {**lost, **{account_id: further(*stages) for account_id, stages in live.items()}}
