"""Which channels bring target accounts, and which search keywords.

A visit = a session with a pageview in the period (real traffic only); its channel, source,
medium, campaign and term are those of its first pageview (the landing). Untagged visits are
grouped by referrer host, click ids mark paid clicks (see `analytics.channels_map`). A visit's
account is any account resolved during the session. leads = leads submitted in the visit's session.

UTM values that differ only in case or surrounding spaces are one group (`Baidu` = ` baidu `);
the row shows the group's most common spelling (on a tie the lower-case one); the store keeps
every value as sent.

JSON: one list of rows. Rows with `grouping` = "source" are per (channel, source, medium,
campaign); rows with `grouping` = "term" are per `utm_term` (SEM keywords; tagged visits only).
Each row: visits, target_account_visits, accounts_reached (distinct target accounts), leads,
leads_per_100_visits.

Days whose raw events retention deleted count through their daily totals: their visits with the
landing's tags, referrer and click ids, the account of the landing pageview and the leads of the
session (SEM terms are not kept for them).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping
from typing import Any

from analytics.channels_map import CHANNELS_ZH, channel
from analytics.charts import Bar, bar_chart
from analytics.context import IDENTIFIED, REAL_TRAFFIC, ReportContext
from analytics.reports import Report, Section
from analytics.results import rows_of
from analytics.rollups import landings, last_rolled_day

SPELLED = ("utm_source", "utm_medium", "utm_campaign", "utm_term")  # grouped case- and space-blind
COLUMNS = (
    ("grouping", "分组"),
    ("channel_zh", "渠道"),
    ("utm_source", "来源"),
    ("utm_medium", "媒介"),
    ("utm_campaign", "活动"),
    ("utm_term", "关键词"),
    ("visits", "访问"),
    ("target_account_visits", "目标账户访问"),
    ("accounts_reached", "触达账户"),
    ("leads", "线索"),
    ("leads_per_100_visits", "线索/百次访问"),
)


def visits(ctx: ReportContext) -> list[dict[str, Any]]:
    """One row per visit: landing UTM tags and referrer, the session's account and its leads."""
    return ctx.store.query(
        f"""WITH landing AS (
            SELECT session_id, utm_source, utm_medium, utm_campaign, utm_term, referrer_host, extra,
                   ROW_NUMBER() OVER (PARTITION BY session_id ORDER BY ts) AS n
            FROM events WHERE kind = 'pageview' AND ts >= ? AND ts < ? AND {REAL_TRAFFIC} AND session_id IS NOT NULL
        ), account AS (
            SELECT session_id, MAX(CASE WHEN {IDENTIFIED} THEN account_id END) AS account_id
            FROM events WHERE ts >= ? AND ts < ? AND {REAL_TRAFFIC} GROUP BY session_id
        ), lead_count AS (
            SELECT session_id, COUNT(*) AS leads FROM leads WHERE ts >= ? AND ts < ? GROUP BY session_id
        )
        SELECT landing.*, account.account_id, COALESCE(lead_count.leads, 0) AS leads
        FROM landing
        LEFT JOIN account ON account.session_id = landing.session_id
        LEFT JOIN lead_count ON lead_count.session_id = landing.session_id
        WHERE landing.n = 1""",
        [ctx.period.since_ts, ctx.period.until_ts] * 3,
    )


def leads_without_visit(ctx: ReportContext) -> list[dict[str, Any]]:
    """Tagged leads of the period whose session had no pageview: badge scans and sign-up sheets of an
    event (`abm import event-leads`, medium offline) belong to their channel though no visit came with them.
    A session of a day that retention rolled up counts its leads with its landing (`rollups.landings`)."""
    rolled = last_rolled_day(ctx)
    return ctx.store.query(
        f"""SELECT utm_source, utm_medium, utm_campaign, utm_term, NULL AS referrer_host, NULL AS extra, account_id
        FROM leads WHERE ts >= ? AND ts < ? AND (COALESCE(utm_source, '') <> '' OR COALESCE(utm_medium, '') <> '')
        AND (session_id IS NULL OR (substr(ts, 1, 10) > ? AND session_id NOT IN (
            SELECT session_id FROM events WHERE kind = 'pageview' AND {REAL_TRAFFIC} AND session_id IS NOT NULL)))""",
        [ctx.period.since_ts, ctx.period.until_ts, rolled or ""],
    )


def rolled_up_visits(ctx: ReportContext) -> list[dict[str, Any]]:
    """The period's visits of days whose raw events retention deleted, `n` visits per row, click ids by name."""
    rows = landings(ctx)
    for row in rows:
        row["extra"] = dict.fromkeys(filter(None, (row.pop("click_params") or "").split(",")), "1")
    return rows


def fold(value: str) -> str:
    """The grouping key of a UTM value: `Baidu`, `baidu` and ` BAIDU ` are one source."""
    return value.strip().casefold()


def spelling(counts: Counter[str]) -> str:
    """How a group's value is shown: its most common spelling; on a tie the lower-case one, else the first sorted."""
    return min(counts, key=lambda text: (-counts[text], text != text.casefold(), text))


def _new_group() -> dict[str, Any]:
    return {"visits": 0, "target_account_visits": 0, "accounts": set(), "leads": 0,
            "spellings": [Counter[str]() for _ in SPELLED]}  # fmt: skip


def _keys(visit: dict[str, Any]) -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
    """(group key, spellings as sent) of the rows a visit counts in: its source row and its term row."""
    name, source, medium = channel(visit["utm_source"], visit["utm_medium"], visit["referrer_host"], visit["extra"])
    campaign = (visit["utm_campaign"] or "").strip() or "(not set)"
    sent = (source, medium, campaign, "")
    keys: list[tuple[tuple[str, ...], tuple[str, ...]]] = [(("source", name, *map(fold, sent)), sent)]
    term = (visit["utm_term"] or "").strip()
    if term:
        keys.append((("term", name, fold(source), "", "", fold(term)), (source, "", "", term)))
    return keys


def _count(ctx: ReportContext, groups: dict[tuple[str, ...], dict[str, Any]], row: dict[str, Any],
           visits: int, leads: int) -> None:  # fmt: skip
    """Add `visits` visits and `leads` leads of one shape (tags, referrer, account) to the rows they count in."""
    for key, sent in _keys(row):
        group = groups[key]
        group["visits"] += visits
        group["leads"] += leads
        for counts, text in zip(group["spellings"], sent, strict=True):
            counts[text] += visits or 1
        if ctx.is_target(row["account_id"]):
            group["target_account_visits"] += visits
            group["accounts"].add(row["account_id"])


def _row(grouping: str, name: str, group: dict[str, Any]) -> dict[str, Any]:
    source, medium, campaign, term = (spelling(counts) for counts in group["spellings"])
    return {
        "grouping": grouping,
        "channel": name,
        "channel_zh": CHANNELS_ZH[name],
        "utm_source": source,
        "utm_medium": medium or None,
        "utm_campaign": campaign or None,
        "utm_term": term or None,
        "visits": group["visits"],
        "target_account_visits": group["target_account_visits"],
        "accounts_reached": len(group["accounts"]),
        "leads": group["leads"],
        "leads_per_100_visits": round(100 * group["leads"] / group["visits"], 2) if group["visits"] else None,
    }


def build(ctx: ReportContext, **options: Any) -> list[dict[str, Any]]:
    ctx.step("统计各渠道访问")
    groups: dict[tuple[str, ...], dict[str, Any]] = defaultdict(_new_group)
    for visit in visits(ctx):
        _count(ctx, groups, visit, visits=1, leads=int(visit["leads"] or 0))
    for landing in rolled_up_visits(ctx):
        _count(ctx, groups, landing, visits=int(landing["n"]), leads=int(landing["leads"] or 0))
    for lead in leads_without_visit(ctx):
        _count(ctx, groups, lead, visits=0, leads=1)
    rows = [_row(key[0], key[1], group) for key, group in groups.items()]
    rows.sort(key=lambda r: (r["grouping"] != "source", -r["target_account_visits"], -r["visits"], r["utm_source"]))
    return rows


def _channel_label(row: Mapping[str, Any]) -> str:
    campaign = row.get("utm_campaign") if row.get("utm_campaign") != "(not set)" else None
    parts = [row.get("channel_zh") or row.get("channel"), row.get("utm_source"), row.get("utm_medium"), campaign]
    return " / ".join(str(p) for p in parts if p) or "直接访问"


def channels_view(result: Any, others: Mapping[str, Any]) -> dict[str, Any]:
    """Source rows become the bar chart and table; `grouping: term` rows the SEM keyword table."""
    rows = rows_of(result)
    sources = [{**row, "label": _channel_label(row)} for row in rows if row.get("grouping", "source") == "source"]
    sources.sort(key=lambda r: -(r.get("visits") or 0))
    keywords = [row for row in rows if row.get("grouping") == "term"][:15]
    bars = [
        Bar(
            label=row["label"],
            values=(float(row.get("visits") or 0), float(row.get("target_account_visits") or 0)),
            note=f"{float(row.get('leads_per_100_visits') or 0):.1f} 线索/百次访问",
        )
        for row in sources[:12]
    ]
    chart = bar_chart(bars, ("访问", "目标账户访问")) if bars else ""
    return {"rows": sources, "keywords": keywords, "chart": chart, "empty": not rows}


REPORT = Report(
    name="channels",
    title="渠道",
    order=30,
    build=build,
    columns=COLUMNS,
    section=Section(view=channels_view),
    help="""Visits, target-account visits, accounts reached and leads per channel and per SEM keyword.

    A visit's channel comes from its landing page: an ad click id (gclid, bd_vid, gdt_vid, ...:
    paid_search / paid_social), else its UTM tags, else its referrer host in the Matomo and
    Chinese lists (search, social, ai_assistant: ChatGPT, DeepSeek, 豆包, Kimi, 元宝, ...; email;
    referral; direct). UTM values that differ only in case or spaces are one row. JSON: one list;
    `grouping` is "source" for rows per (channel, source, medium, campaign) and "term" per utm_term.
    """,
)
