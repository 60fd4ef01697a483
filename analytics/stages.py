"""Journey stages of an account: unaware → aware → engaged → qualified → opportunity → customer.

The stage shown is the further of two:

* derived from behaviour (thresholds in `weights.yml` under `stages`): no activity = unaware,
  any activity = aware, any engaged threshold reached = engaged, account score at the qualified
  threshold = qualified (in the leads report, a lead is at least engaged, and qualified when
  graded interested or better);
* recorded by sales: the latest imported CRM stage of the account (`abm import crm`), else the
  accounts CSV `stage` column. CRM and CSV wording is mapped (e.g. "商机", "POC", "won").

So behaviour can move an account forward past what was recorded, and a recorded opportunity or
customer is never shown lower because the account went quiet.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from personalize.taxonomy import normalize

if TYPE_CHECKING:
    from analytics.context import ReportContext
    from analytics.scoring import Behaviour
    from analytics.weights import Weights

STAGES = ("unaware", "aware", "engaged", "qualified", "opportunity", "customer")
STAGES_ZH = {
    "unaware": "未知",
    "aware": "认知",
    "engaged": "互动",
    "qualified": "合格",
    "opportunity": "商机",
    "customer": "客户",
}

#: CRM / CSV wording -> journey stage (compared after `normalize`: case, width, spaces, dashes).
_SYNONYMS = {
    "unaware": ("unaware", "unknown", "未知", "未触达"),
    "aware": ("aware", "awareness", "认知", "已触达", "lead", "线索"),
    "engaged": ("engaged", "engagement", "互动", "marketing validating", "市场验证中", "nurture", "培育"),
    "qualified": ("qualified", "mql", "mqa", "sql", "合格", "marketing qualified", "sales validating", "销售验证中"),
    "opportunity": (
        "opportunity", "opp", "商机", "discovery", "需求调研", "solution", "方案", "poc", "negotiation", "谈判",
        "商务谈判", "contract", "合同", "proposal", "报价",
    ),
    "customer": ("customer", "客户", "已合作", "won", "closed won", "赢单", "deployment", "部署", "acceptance", "验收"),
}  # fmt: skip
_LOOKUP = {normalize(word): stage for stage, words in _SYNONYMS.items() for word in words}


def normalize_stage(text: str | None) -> str | None:
    """The journey stage a CRM or CSV stage name means, or None (e.g. "lost", empty, unknown)."""
    return _LOOKUP.get(normalize(text)) if text else None


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
    return recorded
