"""The marketer's dashboard: report results -> one self-contained HTML file in Chinese.

Each section has a view function that turns a report's result (the JSON shapes fixed in issue 5)
into what its template shows, charts included, so the templates only lay things out. Nothing in
the output refers to another host: CSS, SVG charts and the small sorting script are inline.
"""

from __future__ import annotations

import importlib
import math
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from analytics.charts import Bar, Mark, bar_chart, interval_chart, line_chart, sparkline
from analytics.context import IDENTIFIED, REAL_TRAFFIC, ReportContext
from analytics.period import iso
from analytics.reports.signals import SIGNALS_ZH as SIGNALS
from analytics.stages import STAGES, STAGES_ZH
from analytics.webinars import list_webinars

#: The period the dashboard covers when none is given: the last four weeks.
DEFAULT_DAYS = 28
#: Weeks of activity in each account's sparkline.
SPARK_WEEKS = 8
#: The dashboard's sections, in page order; each is also a report name.
SECTIONS = ("accounts", "signals", "channels", "webinar", "experiments")

TITLES = {
    "accounts": "目标账户",
    "signals": "账户信号",
    "channels": "渠道",
    "webinar": "研讨会出席",
    "experiments": "个性化实验",
    "leads": "线索",
}
TIERS = {"1": "一对一", "2": "一对少", "3": "一对多"}
ENGAGED_STAGES = frozenset(STAGES[STAGES.index("engaged") :])
ARMS = {"personalized": "个性化", "control": "对照组"}

_environment = Environment(
    loader=PackageLoader("analytics", "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
    finalize=lambda value: "" if value is None else value,  # a missing company is blank, not "None"
)


def _number(value: Any, digits: int = 0) -> str:
    """Thousands separators; a dash for missing values."""
    if value is None or value == "":
        return "–"
    if isinstance(value, (int, float)) and not (isinstance(value, float) and math.isnan(value)):
        return f"{value:,.{digits}f}"
    return str(value)


def _percent(value: Any, digits: int = 1) -> str:
    return "–" if value is None else f"{float(value):.{digits}%}"


_environment.filters["number"] = _number
_environment.filters["percent"] = _percent
_environment.globals.update(TIERS=TIERS, STAGES=STAGES_ZH, SIGNALS=SIGNALS, ARMS=ARMS)


def rows_of(result: Any, *keys: str) -> list[Mapping[str, Any]]:
    """The rows of a result that is a list of rows or an object holding them under one of keys."""
    if isinstance(result, list):
        return [row for row in result if isinstance(row, Mapping)]
    if isinstance(result, Mapping):
        for key in keys + ("rows",):
            if isinstance(result.get(key), list):
                return rows_of(result[key])
    return []


def _trend(row: Mapping[str, Any]) -> dict[str, str] | None:
    """An arrow for the change vs the previous period (a fraction, e.g. 0.4 = +40%)."""
    change = row.get("trend")
    if not isinstance(change, (int, float)):
        return None
    if change > 0.1:
        return {"arrow": "▲", "css": "up", "text": f"{change:+.0%}"}
    if change < -0.1:
        return {"arrow": "▼", "css": "down", "text": f"{change:+.0%}"}
    return {"arrow": "▬", "css": "flat", "text": f"{change:+.0%}"}


def accounts_view(result: Any) -> dict[str, Any]:
    rows = []
    for row in rows_of(result, "accounts"):
        weekly = row.get("weekly")
        rows.append(
            {
                **row,
                "tier": str(row.get("tier") or ""),
                "trend_view": _trend(row),
                "spark": sparkline([float(v) for v in weekly]) if isinstance(weekly, list) else "",
            }
        )
    rows.sort(key=lambda r: (-(r.get("visits") or 0), str(r.get("account_name") or "")))
    facts = result if isinstance(result, Mapping) else {}
    active = [row for row in rows if row.get("visits") or row.get("sessions")]
    quiet = [row for row in rows if not (row.get("visits") or row.get("sessions"))]
    return {"rows": active, "quiet": quiet, "empty": not rows, "target_share": facts.get("target_share"),
            "target_share_of_all": facts.get("target_share_of_all")}


def signals_view(result: Any) -> dict[str, Any]:
    rows = rows_of(result, "signals")
    order = {"surge": 0, "drop": 1, "new": 2}
    rows = sorted(rows, key=lambda r: (order.get(str(r.get("signal")), 3), -(r.get("ratio") or 0)))
    rows = [{**row, "churn_risk": row.get("signal") == "drop" and row.get("stage") == "customer"} for row in rows]
    counts = {kind: sum(1 for r in rows if r.get("signal") == kind) for kind in SIGNALS}
    return {"rows": rows, "empty": not rows, "counts": counts}


def _channel_label(row: Mapping[str, Any]) -> str:
    campaign = row.get("utm_campaign") if row.get("utm_campaign") != "(not set)" else None
    parts = [row.get("channel_zh") or row.get("channel"), row.get("utm_source"), row.get("utm_medium"), campaign]
    return " / ".join(str(p) for p in parts if p) or "直接访问"


def channels_view(result: Any) -> dict[str, Any]:
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


def _agenda_marks(result: Mapping[str, Any], buckets: Sequence[Mapping[str, Any]]) -> list[Mark]:
    """Agenda items as marks: from the result's agenda when given, else where the bucket label changes."""
    agenda = result.get("agenda")
    if isinstance(agenda, list) and agenda:
        return [
            Mark(float(item.get("at", item.get("start_minute", 0))), str(item.get("title", "")))
            for item in agenda
            if isinstance(item, Mapping)
        ]
    marks, previous = [], None
    for bucket in buckets:
        label = bucket.get("agenda")
        if label and label != previous:
            marks.append(Mark(float(bucket.get("start_minute", 0)), str(label)))
        previous = label
    return marks


def _follow_up_order(person: Mapping[str, Any]) -> tuple[bool, str]:
    """People of known accounts first: they are the ones sales calls."""
    return (not person.get("account_id"), str(person.get("account_name") or person.get("name") or ""))


def webinar_view(result: Any) -> dict[str, Any]:
    if not isinstance(result, Mapping):
        return {"empty": True}
    buckets = rows_of(result.get("buckets"))
    peak = result.get("peak_drop_start_minute")
    points = [(float(b.get("start_minute", 0)), float(b.get("present", 0))) for b in buckets]
    chart = ""
    if points:
        width = (points[1][0] - points[0][0]) if len(points) > 1 else 5.0
        chart = line_chart(
            points,
            marks=_agenda_marks(result, buckets),
            highlight=(float(peak), float(peak) + width) if peak is not None else None,
            x_unit=" 分钟",
            width=1000,
            label="每 5 分钟在场人数",
        )
    no_shows, early = (sorted(rows_of(result.get(key)), key=_follow_up_order) for key in ("no_shows", "early_leavers"))
    return {
        **result,
        "buckets": buckets,
        "chart": chart,
        "no_shows": no_shows,
        "early_leavers": early,
        "empty": not result.get("attendees") and not result.get("registrants") and not no_shows,
    }


def experiments_view(result: Any) -> dict[str, Any]:
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


def table_view(result: Any) -> dict[str, Any]:
    """Any other report (e.g. leads) as a plain table of its rows."""
    rows = rows_of(result)
    if isinstance(result, Mapping) and not rows:
        rows = [dict(result)]
    columns = list(dict.fromkeys(key for row in rows for key in row))
    return {"rows": rows, "columns": columns, "empty": not rows}


VIEWS: dict[str, Callable[[Any], dict[str, Any]]] = {
    "accounts": accounts_view,
    "signals": signals_view,
    "channels": channels_view,
    "webinar": webinar_view,
    "experiments": experiments_view,
}


def key_numbers(views: Mapping[str, Mapping[str, Any]], leads: int | None = None) -> list[dict[str, str]]:
    """The header: what a CMO asks first."""
    accounts = views.get("accounts", {}).get("rows", []) + views.get("accounts", {}).get("quiet", [])
    reached = sum(1 for row in accounts if (row.get("visits") or 0) > 0)
    engaged = sum(1 for row in accounts if (row.get("visits") or 0) > 0 and row.get("stage") in ENGAGED_STAGES)
    if leads is None:
        leads = sum(int(row.get("leads") or 0) for row in views.get("channels", {}).get("rows", []))
    share = views.get("accounts", {}).get("target_share_of_all")
    of_identified = views.get("accounts", {}).get("target_share")
    return [
        {"label": "触达目标账户", "value": _number(reached), "hint": f"共 {len(accounts)} 个目标账户"},
        {"label": "活跃目标账户", "value": _number(engaged), "hint": "本期有访问且阶段为互动及以上"},
        {
            "label": "目标账户流量占比",
            "value": _percent(share) if share is not None else "–",
            "hint": "占全部访问" + (f"；占已识别访问 {_percent(of_identified)}" if of_identified is not None else ""),
        },
        {"label": "线索", "value": _number(leads), "hint": "本统计周期"},
        {
            "label": "激增账户",
            "value": _number(views.get("signals", {}).get("counts", {}).get("surge", 0)),
            "hint": "本周明显高于基线",
        },
    ]


def _period_text(period: tuple[Any, Any] | None) -> str:
    if not period:
        return ""
    since, until = (str(p)[:10] if p else "" for p in period)
    return f"{since or '最早'} 至 {until or '现在'}"


def render_dashboard(
    results: Mapping[str, Any],
    *,
    period: tuple[Any, Any] | None = None,
    title: str = "ABM 账户洞察",
    leads: int | None = None,
) -> str:
    """The whole dashboard; a missing or empty result renders its section as "暂无数据"."""
    stages = {row.get("account_id"): row.get("stage") for row in rows_of(results.get("accounts"), "accounts")}
    signals = [{"stage": stages.get(row.get("account_id")), **row} for row in rows_of(results.get("signals"))]
    views = {name: VIEWS[name](signals if name == "signals" else results.get(name)) for name in SECTIONS}
    template = _environment.get_template("dashboard.html.j2")
    return template.render(
        title=title,
        period=_period_text(period),
        generated=datetime.now(UTC).astimezone().strftime("%Y-%m-%d %H:%M"),
        kpis=key_numbers(views, leads),
        sections=[(name, TITLES[name], views[name]) for name in SECTIONS],
    )


def build_results(context: ReportContext, *, webinar: str | None = None) -> dict[str, Any]:
    """Run every report the dashboard shows; the webinar is the given one or the latest on the site."""
    results: dict[str, Any] = {}
    for name in SECTIONS:
        report = importlib.import_module(f"analytics.reports.{name}")
        context.step(TITLES[name])
        if name == "accounts":
            rows = report.build(context)
            weekly = weekly_pageviews(context)
            for row in rows:
                row.setdefault("weekly", weekly.get(row["account_id"], [0] * SPARK_WEEKS))
            results[name] = {"rows": rows, **report.summary(context)}
        elif name == "webinar":
            slug = webinar or latest_webinar(context)
            results[name] = report.build(context, slug=slug) if slug else None
        else:
            results[name] = report.build(context)
    return results


def weekly_pageviews(context: ReportContext) -> dict[str, list[int]]:
    """Pageviews per account in each of the SPARK_WEEKS weeks before --until (the sparklines)."""
    until = context.period.until
    rows = context.store.query(
        f"""SELECT account_id, substr(ts, 1, 10) AS day, COUNT(*) AS pageviews FROM events
        WHERE kind = 'pageview' AND ts >= ? AND ts < ? AND {REAL_TRAFFIC} AND {IDENTIFIED}
        GROUP BY account_id, substr(ts, 1, 10)""",
        [iso(until - timedelta(weeks=SPARK_WEEKS)), context.period.until_ts],
    )
    weekly: dict[str, list[int]] = {}
    for row in rows:
        day_end = datetime.fromisoformat(row["day"]).replace(tzinfo=UTC) + timedelta(days=1)
        age = max(until - day_end, timedelta(0)) // timedelta(weeks=1)  # whole weeks between day and until
        weeks = weekly.setdefault(row["account_id"], [0] * SPARK_WEEKS)
        weeks[max(SPARK_WEEKS - 1 - age, 0)] += int(row["pageviews"])
    return weekly


def leads_count(context: ReportContext) -> int:
    """Every lead of the period, target account or not (the header's lead count)."""
    return int(context.store.scalar(
        "SELECT COUNT(*) FROM leads WHERE ts >= ? AND ts < ?", [context.period.since_ts, context.period.until_ts]
    ) or 0)  # fmt: skip


def latest_webinar(context: ReportContext) -> str | None:
    """The slug of the most recent webinar that has started (built site's manifest, else content/)."""
    now = datetime.now(UTC)
    started = [w for w in list_webinars(context.site, context.content) if w.start <= now]
    return max(started, key=lambda w: w.start).slug if started else None


def build_dashboard(context: ReportContext, *, webinar: str | None = None) -> str:
    period = (context.period.since.isoformat(), context.period.until.isoformat())
    return render_dashboard(build_results(context, webinar=webinar), period=period, leads=leads_count(context))


def render_report_html(name: str, result: Any, *, period: tuple[Any, Any] | None = None) -> str:
    """One report as a self-contained file (`abm report NAME --format html`)."""
    view = VIEWS.get(name, table_view)(result)
    template = _environment.get_template("report.html.j2")
    return template.render(
        title=TITLES.get(name, name),
        period=_period_text(period),
        generated=datetime.now(UTC).astimezone().strftime("%Y-%m-%d %H:%M"),
        sections=[(name if name in VIEWS else "table", TITLES.get(name, name), view)],
    )
