"""The demo's CRM opportunities and ad spend, so its pipeline and ROI sections have something to show.

What `abm import crm` and `abm import spend` would have written for the demo accounts and
campaigns: one opportunity per account that the accounts CSV puts at the qualified, opportunity
or customer stage (customers' won, some lost, the rest open, created over the whole window) and
a month's spend per paid campaign of the demo traffic, in yuan.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from analytics.period import iso
from personalize.accounts import Account

#: An account's CSV stage -> (CRM stage as a Chinese CRM spells it, journey stage, outcome).
OPPORTUNITY_STAGES: Mapping[str, tuple[str, str, str]] = {
    "qualified": ("需求确认", "qualified", "open"),
    "opportunity": ("商务谈判", "opportunity", "open"),
    "customer": ("赢单", "customer", "won"),
}
LOST = ("输单", "opportunity", "lost")
#: Monthly cost range in yuan of a paid medium.
MONTHLY_COST = {"cpc": (30_000, 80_000), "social": (10_000, 30_000), "email": (1_500, 3_000),
                "syndication": (15_000, 40_000), "offline": (60_000, 150_000)}  # fmt: skip


def opportunities(rng: random.Random, accounts: Sequence[Account], since: datetime, until: datetime,
                  source: str) -> list[dict[str, Any]]:  # fmt: skip
    """One opportunity per account at a late stage, created in [since, until); about one in four open ones lost."""
    out = []
    span = max((until - since).total_seconds(), 1.0)
    for account in accounts:
        if account.stage not in OPPORTUNITY_STAGES:
            continue
        crm_stage, stage, outcome = OPPORTUNITY_STAGES[account.stage]
        if outcome == "open" and rng.random() < 0.25:
            crm_stage, stage, outcome = LOST
        created = since + timedelta(seconds=rng.uniform(0, span))
        closed = min(created + timedelta(days=rng.randint(10, 60)), until - timedelta(minutes=1)) if outcome != "open" else None
        out.append({
            "opportunity_id": f"OPP-{account.id}", "account_id": account.id, "crm_stage": crm_stage,
            "stage": stage, "outcome": outcome, "amount": round(rng.uniform(5, 80), 1) * 10_000,
            "created_at": iso(created), "closed_at": iso(closed) if closed else None, "owner": account.owner or None,
            "source": source,
        })  # fmt: skip
    return out


def spend(rng: random.Random, campaigns: Mapping[tuple[str, str], Sequence[str]], since: datetime, until: datetime,
          source: str) -> list[dict[str, Any]]:  # fmt: skip
    """A row per calendar month touched by [since, until) and paid (utm_source, utm_medium) campaign."""
    out = []
    month = since.date().replace(day=1)
    while month <= until.date():
        following = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
        for (utm_source, utm_medium), names in sorted(campaigns.items()):
            low, high = MONTHLY_COST[utm_medium]
            for name in names:
                out.append({
                    "first_day": month.isoformat(), "last_day": (following - timedelta(days=1)).isoformat(),
                    "utm_source": utm_source, "utm_medium": utm_medium, "utm_campaign": name, "channel": None,
                    "cost": float(rng.randrange(low, high, 500)), "source": source,
                })  # fmt: skip
        month = following
    return out
