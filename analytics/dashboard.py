"""The marketer's dashboard: report results -> one self-contained HTML file in Chinese.

Each section has a view function that turns a report's result (the JSON shapes fixed in issue 5)
into what its template shows, charts included, so the templates only lay things out. Nothing in
the output refers to another host: CSS, SVG charts and the small sorting script are inline.

Times on the page are local to the period's zone, which the header names once ("时间：北京时间
(Asia/Shanghai)"); templates show a stored UTC timestamp with the ``localtime`` filter.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import UTC, datetime, tzinfo
from typing import Any

from jinja2 import Environment, PackageLoader, pass_context, select_autoescape
from jinja2.runtime import Context

from analytics.context import ReportContext
from analytics.journey import STAGES, STAGES_ZH
from analytics.period import STORED_TS, Period, local_text, period_text, resolve_zone, zone_label
from analytics.reports import Report, registry
from analytics.reports.signals import SIGNALS_ZH as SIGNALS
from analytics.results import rows_of

#: The period the dashboard covers when none is given: the last four weeks.
DEFAULT_DAYS = 28
#: The reports the dashboard shows, in page order: those with a section.
SECTION_REPORTS = tuple(report for report in registry().values() if report.section is not None and report.section.on_dashboard)
SECTIONS = tuple(report.name for report in SECTION_REPORTS)
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


@pass_context
def _localtime(context: Context, value: Any) -> str:
    """A stored UTC timestamp as ``YYYY-MM-DD HH:MM`` in the page's zone; blank when missing."""
    return local_text(value, context["zone"]) if value else ""


_environment.filters["number"] = _number
_environment.filters["percent"] = _percent
_environment.filters["localtime"] = _localtime
_environment.tests["stored_ts"] = lambda value: isinstance(value, str) and bool(STORED_TS.match(value))
_environment.globals.update(TIERS=TIERS, STAGES=STAGES_ZH, SIGNALS=SIGNALS, ARMS=ARMS)


def table_view(result: Any) -> dict[str, Any]:
    """Any other report (e.g. leads) as a plain table of its rows."""
    rows = rows_of(result)
    if isinstance(result, Mapping) and not rows:
        rows = [dict(result)]
    columns = list(dict.fromkeys(key for row in rows for key in row))
    return {"rows": rows, "columns": columns, "empty": not rows}


def key_numbers(views: Mapping[str, Mapping[str, Any]], leads: int | None = None) -> list[dict[str, str]]:
    """The header: what a CMO asks first."""
    accounts = views.get("accounts", {}).get("rows", []) + views.get("accounts", {}).get("quiet", [])
    reached = sum(1 for row in accounts if (row.get("visits") or 0) > 0)
    engaged_rows = [row for row in accounts if (row.get("visits") or 0) > 0 and row.get("stage") in ENGAGED_STAGES]
    engaged = len(engaged_rows)
    contacts = [int(row.get("known_contacts") or 0) for row in engaged_rows]
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
        {
            "label": "活跃账户平均联系人",
            "value": _number(sum(contacts) / len(contacts), 1) if contacts else "–",
            "hint": "每个活跃目标账户留过资料的不同人数（采购委员会）",
        },
    ]


#: A period as a Period, or as the (first day, last day) texts a caller already worked out.
PeriodArg = Period | tuple[Any, Any] | None


def _period_text(period: PeriodArg) -> str:
    if isinstance(period, Period):
        return period_text(period)
    if not period:
        return ""
    since, until = (str(p)[:10] if p else "" for p in period)
    return f"{since or '最早'} 至 {until or '现在'}"


def _page(period: PeriodArg, zone: tzinfo | None) -> dict[str, Any]:
    """What the page header shows of time: the period, when it was generated, and the zone, named once."""
    zone = period.zone if isinstance(period, Period) else resolve_zone(zone)
    return {
        "period": _period_text(period),
        "generated": local_text(datetime.now(UTC), zone),
        "zone": zone,
        "zone_label": zone_label(zone),
    }


def render_dashboard(
    results: Mapping[str, Any],
    *,
    period: PeriodArg = None,
    title: str = "ABM 账户洞察",
    leads: int | None = None,
    zone: tzinfo | None = None,
    account_links: bool = False,
) -> str:
    """The whole dashboard; a missing or empty result renders its section as "暂无数据".

    Times are shown in the period's zone (or `zone`, else the configured one). `account_links`: account
    names link to ``accounts/<ID>`` (the edge serves those pages, a file has none).
    """
    views = {report.name: _view(report, results.get(report.name), results) for report in SECTION_REPORTS}
    template = _environment.get_template("dashboard.html.j2")
    return template.render(
        title=title,
        **_page(period, zone),
        kpis=key_numbers(views, leads),
        sections=[_section(report, views[report.name]) for report in SECTION_REPORTS],
        account_links=account_links,
    )


def build_results(context: ReportContext, *, webinar: str | None = None) -> dict[str, Any]:
    """Run every report the dashboard shows; the webinar is the given one or the latest on the site."""
    results: dict[str, Any] = {}
    for report in SECTION_REPORTS:
        context.step(report.title)
        results[report.name] = report.section_result(context, webinar=webinar)
    return results


def leads_count(context: ReportContext) -> int:
    """Every lead of the period, target account or not (the header's lead count)."""
    return int(context.store.scalar(
        "SELECT COUNT(*) FROM leads WHERE ts >= ? AND ts < ?", [context.period.since_ts, context.period.until_ts]
    ) or 0)  # fmt: skip


def build_dashboard(context: ReportContext, *, webinar: str | None = None, account_links: bool = False) -> str:
    results = build_results(context, webinar=webinar)
    return render_dashboard(results, period=context.period, leads=leads_count(context), account_links=account_links)


def render_report_html(name: str, result: Any, *, period: PeriodArg = None, zone: tzinfo | None = None) -> str:
    """One report as a self-contained file (`abm report NAME --format html`)."""
    report = registry().get(name)
    view = _view(report, result, {}) if report is not None else table_view(result)
    template = _environment.get_template("report.html.j2")
    return template.render(
        title=report.title if report is not None else name,
        **_page(period, zone),
        sections=[_section(report, view) if report is not None else ("table", name, view, "table")],
    )


def _view(report: Report, result: Any, others: Mapping[str, Any]) -> dict[str, Any]:
    """The report's section view, or the plain table for a report without a section."""
    return report.section.view(result, others) if report.section is not None else table_view(result)


def _section(report: Report, view: dict[str, Any]) -> tuple[str, str, dict[str, Any], str]:
    """(id, heading, view, template) as the page template lays a section out."""
    if report.section is None:
        return ("table", report.title, view, "table")
    return (report.name, report.title, view, report.section.template or report.name)
