"""Each salesperson's share links: how many they made, how many were opened, and what came of them.

`abm link` records every link it makes in the `links` table (account, owner, expiry, target path,
campaign and the link id, the token's signature); the edge writes that id as `extra.link` on the
events of a request that came through the link (match_source `link`). So per owner:

* links = links made in the period; links_opened = distinct links of theirs seen in the period's
  events (a link made earlier counts when opened now);
* visits = distinct sessions that came through one of their links; people = distinct visitors of
  those sessions; accounts_reached = distinct accounts those sessions resolved to;
* leads = leads of the period attributed to the owner (the edge stamps a lead with the owner of the
  link or of the cookie a link set);
* pipeline_amount = the amount of the opportunities of the accounts reached, when `abm import crm`
  stored any, else null.
"""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

from analytics.context import REAL_TRAFFIC, ReportContext
from analytics.reports import Report

COLUMNS = (
    ("owner", "负责人"),
    ("links", "生成链接"),
    ("links_opened", "被打开链接"),
    ("visits", "访问"),
    ("people", "人数"),
    ("accounts_reached", "触达账户"),
    ("leads", "线索"),
    ("pipeline_amount", "商机金额"),
)


def _link_id(extra: str | None) -> str | None:
    try:
        found = json.loads(extra) if extra else None
    except json.JSONDecodeError:
        return None
    link = found.get("link") if isinstance(found, dict) else None
    return link if isinstance(link, str) else None


def _opened(ctx: ReportContext, owner_of: dict[str, str]) -> dict[str, dict[str, set[str]]]:
    """Per owner: the links opened and the sessions, visitors and accounts that came through them."""
    found: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for row in ctx.store.query(
        f"""SELECT session_id, visitor_id, account_id, owner, extra FROM events
        WHERE ts >= ? AND ts < ? AND {REAL_TRAFFIC} AND match_source = 'link' AND extra LIKE '%"link"%'""",
        [ctx.period.since_ts, ctx.period.until_ts],
    ):
        link = _link_id(row["extra"])
        owner = owner_of.get(link or "") or row["owner"]
        if link is None or not owner:
            continue
        mine = found[owner]
        mine["links"].add(link)
        for key, name in (("session_id", "sessions"), ("visitor_id", "visitors"), ("account_id", "accounts")):
            if row[key]:
                mine[name].add(row[key])
    return found


def pipeline(ctx: ReportContext) -> dict[str, float] | None:
    """Pipeline per account from the opportunities `abm import crm` stored; None when none were imported."""
    rows = ctx.store.query(
        "SELECT account_id, SUM(amount) AS amount FROM crm_opportunities WHERE account_id IS NOT NULL GROUP BY account_id"
    )
    if not rows:
        return None
    return {row["account_id"]: float(row["amount"] or 0) for row in rows}


def build(ctx: ReportContext, **options: Any) -> list[dict[str, Any]]:
    ctx.step("读取分享链接")
    recorded = "links" in ctx.store.tables()  # a Parquet export of the events has no links
    sql = "SELECT link_id, owner, created_at FROM links WHERE owner IS NOT NULL AND owner <> ''"
    links = ctx.store.query(sql) if recorded else []
    owner_of = {row["link_id"]: row["owner"] for row in links}
    made: dict[str, int] = defaultdict(int)
    for row in links:
        if ctx.period.since_ts <= (row["created_at"] or "") < ctx.period.until_ts:
            made[row["owner"]] += 1
    opened = _opened(ctx, owner_of)
    leads = {row["owner"]: int(row["n"]) for row in ctx.store.query(
        "SELECT owner, COUNT(*) AS n FROM leads WHERE ts >= ? AND ts < ? AND owner IS NOT NULL AND owner <> '' GROUP BY owner",
        [ctx.period.since_ts, ctx.period.until_ts],
    )}  # fmt: skip
    amounts = pipeline(ctx)
    rows = []
    for owner in sorted({*made, *opened, *leads}):
        mine = opened.get(owner, {})
        reached = mine.get("accounts", set())
        rows.append({
            "owner": owner, "links": made.get(owner, 0), "links_opened": len(mine.get("links", ())),
            "visits": len(mine.get("sessions", ())), "people": len(mine.get("visitors", ())),
            "accounts_reached": len(reached), "leads": leads.get(owner, 0),
            "pipeline_amount": None if amounts is None else sum(amounts.get(a, 0.0) for a in reached),
        })  # fmt: skip
    rows.sort(key=lambda r: (-r["visits"], -r["links"], r["owner"]))
    return rows


REPORT = Report(
    name="owners",
    title="销售与分享链接",
    order=55,
    build=build,
    columns=COLUMNS,
    help="""Each salesperson's share links (`abm link --db`): made, opened, visits, people, accounts, leads.

    links = links made in the period; links_opened = their distinct links opened in the period;
    visits / people / accounts_reached = sessions, visitors and accounts that came through those
    links; leads = leads attributed to the owner; pipeline_amount = amount of the imported
    opportunities of the accounts reached (null when none were imported with abm import crm). JSON: a list of rows.
    """,
)
