"""Each resource page's pull: how many people, accounts and target accounts it reached, and what it turned into.

Rows are the resource pages of the built manifest (`--site`), also those nobody read. Real traffic
only. views = pageviews of the page; people = distinct visitors; accounts = distinct accounts of
those pageviews; target_accounts / tier1_accounts = those of the accounts CSV (of tier 1);
downloads = download events of the page (the edge logs them with the page as path and the file
as `extra.asset`); leads = leads posted on the page (leads.path); engaged_minutes = engagement
seconds on the page / 60; target_share = share of its views from target accounts.

Days whose raw events retention deleted count through their daily totals: their views and the
accounts of those views; people, downloads and engaged minutes come from raw events only.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from analytics.context import REAL_TRAFFIC, ReportContext
from analytics.pages import resource_pages
from analytics.reports import Report, Section
from analytics.results import rows_of
from analytics.rollups import pageviews_per_path
from analytics.webinars import is_built

COLUMNS = (
    ("title", "标题"),
    ("type", "类型"),
    ("stage", "阶段"),
    ("views", "浏览"),
    ("people", "人数"),
    ("accounts", "账户"),
    ("target_accounts", "目标账户"),
    ("tier1_accounts", "一对一账户"),
    ("downloads", "下载"),
    ("leads", "线索"),
    ("engaged_minutes", "互动分钟"),
    ("target_share", "目标账户占比"),
)
#: How many assets the dashboard lists as the top of the period.
TOP = 10


def _counts(ctx: ReportContext) -> dict[str, dict[str, Any]]:
    """Per path: views, visitors, accounts of the views, downloads and engaged seconds."""
    found: dict[str, dict[str, Any]] = defaultdict(lambda: {"views": 0, "visitors": set(), "accounts": defaultdict(int),
                                                            "downloads": 0, "seconds": 0.0})  # fmt: skip
    for row in ctx.store.query(
        f"""SELECT path, kind, visitor_id, account_id, COUNT(*) AS n, SUM(value) AS seconds FROM events
        WHERE ts >= ? AND ts < ? AND {REAL_TRAFFIC} AND kind IN ('pageview', 'download', 'engagement')
        GROUP BY path, kind, visitor_id, account_id""",
        [ctx.period.since_ts, ctx.period.until_ts],
    ):
        page = found[row["path"] or ""]
        if row["kind"] == "pageview":
            page["views"] += int(row["n"])
            page["visitors"].add(row["visitor_id"])
            if row["account_id"]:
                page["accounts"][row["account_id"]] += int(row["n"])
        elif row["kind"] == "download":
            page["downloads"] += int(row["n"])
        else:
            page["seconds"] += float(row["seconds"] or 0)
    for row in pageviews_per_path(ctx):  # days whose raw events retention deleted
        page = found[row["path"] or ""]
        page["views"] += int(row["n"])
        if row["account_id"]:
            page["accounts"][row["account_id"]] += int(row["n"])
    return found


def build(ctx: ReportContext, **options: Any) -> list[dict[str, Any]]:
    pages = resource_pages(ctx.site)
    ctx.step("统计各资源的浏览与下载")
    counts = _counts(ctx)
    leads = {row["path"]: int(row["n"]) for row in ctx.store.query(
        "SELECT path, COUNT(*) AS n FROM leads WHERE ts >= ? AND ts < ? GROUP BY path", [ctx.period.since_ts, ctx.period.until_ts]
    )}  # fmt: skip
    rows = []
    for path, page in pages.items():
        seen = counts.get(path, {"views": 0, "visitors": set(), "accounts": {}, "downloads": 0, "seconds": 0.0})
        targets = {a: n for a, n in seen["accounts"].items() if ctx.is_target(a)}
        tier1 = [a for a in targets if (account := ctx.account(a)) is not None and account.tier == 1]
        rows.append({
            "path": path, "title": page.title, "type": page.type, "stage": page.stage, "industries": page.industries,
            "views": seen["views"], "people": len(seen["visitors"] - {None}), "accounts": len(seen["accounts"]),
            "target_accounts": len(targets), "tier1_accounts": len(tier1), "downloads": seen["downloads"],
            "leads": leads.get(path, 0), "engaged_minutes": round(seen["seconds"] / 60, 1),
            "target_share": round(sum(targets.values()) / seen["views"], 4) if seen["views"] else None,
        })  # fmt: skip
    rows.sort(key=lambda r: (-r["target_accounts"], -r["views"], r["path"]))
    return rows


def content_view(result: Any, others: Mapping[str, Any]) -> dict[str, Any]:
    """The top assets by target accounts reached, and the assets no target account read."""
    rows = rows_of(result)
    reached = [row for row in rows if row.get("target_accounts")]
    unread = [row for row in rows if not row.get("target_accounts")]
    return {"top": reached[:TOP], "unread": unread, "empty": not rows}


def section_result(ctx: ReportContext, **options: Any) -> list[dict[str, Any]]:
    """The dashboard's rows; none (an empty section) for a store without a built site beside it."""
    return build(ctx) if is_built(ctx.site) else []


REPORT = Report(
    name="content",
    title="内容效果",
    order=35,
    build=build,
    columns=COLUMNS,
    section=Section(view=content_view, result=section_result),
    help="""Each resource page's pull: views, people, accounts and target accounts reached, downloads, leads.

    Rows are the resource pages of the built site (--site; run `mkdocs build` first), also those
    nobody read. JSON: a list of rows with path, title, type, stage, industries, views, people,
    accounts, target_accounts, tier1_accounts, downloads, leads (forms posted on the page),
    engaged_minutes and target_share (share of its views from target accounts).
    """,
)
