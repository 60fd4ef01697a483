"""The dashboard HTML: every section with data and without, self-contained, hostile names escaped."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from analytics.dashboard import SECTIONS, render_dashboard, render_report_html
from analytics.reports.accounts import SPARK_WEEKS, weekly_pageviews
from analytics.store import Store
from tests.analytics.abm_cli import run_abm
from tests.analytics.report_helpers import UNTIL, at, event, report_context
from tests.conftest import REPO

HOSTILE = '<script>alert("pwn")</script>'


def sample_results(name: str = "恒锐精工") -> dict[str, Any]:
    """Report results shaped like the JSON keys fixed in issue 5 (plus the optional extras)."""
    agenda = ["开场", "开场", "行业趋势", "行业趋势", "产品演示", "产品演示", "产品演示", "客户案例", "问答", "问答"]
    present = [20, 28, 27, 26, 25, 24, 22, 14, 12, 10]
    return {
        "accounts": {
            "rows": [
                {"account_id": "ACC-001", "account_name": name, "visits": 120, "people": 7, "sessions": 30,
                 "pageviews": 200, "engaged_minutes": 45.5, "leads": 3, "last_seen": "2026-11-20T10:00:00.000Z",
                 "stage": "engaged", "tier": 1, "trend": 0.4, "weekly": [1, 3, 2, 5, 9, 14], "known_contacts": 3},
                {"account_id": "ACC-002", "account_name": "华东零售", "visits": 12, "people": 2, "sessions": 4,
                 "pageviews": 20, "engaged_minutes": 5.0, "leads": 0, "last_seen": "2026-11-01T10:00:00.000Z",
                 "stage": "customer", "tier": 3, "trend": -0.6, "weekly": [5, 3, 2, 1, 0, 0], "known_contacts": 1},
                {"account_id": "ACC-003", "account_name": "未访问", "visits": 0, "people": 0, "sessions": 0,
                 "pageviews": 0, "engaged_minutes": 0, "leads": 0, "last_seen": None, "stage": "unaware", "tier": 2},
            ],
            "target_share": 0.42,
            "target_share_of_all": 0.18,
        },
        "signals": [
            {"account_id": "ACC-001", "account_name": name, "signal": "surge", "this_week": 40, "baseline": 8.5,
             "ratio": 4.7},
            {"account_id": "ACC-002", "account_name": "华东零售", "signal": "drop", "this_week": 0, "baseline": 6,
             "ratio": 0.0},  # a customer in the accounts report: churn risk
            {"account_id": "ACC-009", "account_name": "新客", "signal": "new", "this_week": 3, "baseline": 0,
             "ratio": None},
        ],
        "channels": [
            {"grouping": "source", "channel": "paid_search", "channel_zh": "付费搜索", "utm_source": "baidu",
             "utm_medium": "cpc", "utm_campaign": "(not set)", "utm_term": None, "visits": 500,
             "target_account_visits": 120, "accounts_reached": 9, "leads": 12, "leads_per_100_visits": 2.4},
            {"grouping": "source", "channel": "social", "channel_zh": "社交", "utm_source": "wechat",
             "utm_medium": None, "utm_campaign": name, "utm_term": None, "visits": 300,
             "target_account_visits": 30, "accounts_reached": 4, "leads": 2, "leads_per_100_visits": 0.67},
            {"grouping": "term", "channel": "paid_search", "channel_zh": "付费搜索", "utm_source": "baidu",
             "utm_medium": None, "utm_campaign": None, "utm_term": f"MES 系统 {name}", "visits": 80,
             "target_account_visits": 20, "accounts_reached": 3, "leads": 2, "leads_per_100_visits": 2.5},
        ],
        "content": [
            {"path": "/resources/smart-factory/", "title": f"{name} 白皮书", "type": "whitepaper", "stage": "mofu",
             "views": 90, "people": 30, "accounts": 12, "target_accounts": 8, "tier1_accounts": 2, "downloads": 9,
             "leads": 4, "engaged_minutes": 60.5, "target_share": 0.55},
            {"path": "/resources/quiet/", "title": "冷门资源", "type": "article", "stage": "tofu", "views": 3,
             "people": 3, "accounts": 0, "target_accounts": 0, "tier1_accounts": 0, "downloads": 0, "leads": 0,
             "engaged_minutes": 0, "target_share": 0.0},
        ],
        "webinar": {
            "registrants": 40,
            "attendees": 30,
            "peak_drop_start_minute": 35,
            "buckets": [
                {"start_minute": 5 * i, "present": p, "joined": 0, "left": 1, "agenda": a}
                for i, (p, a) in enumerate(zip(present, agenda[:-1] + [name], strict=True))
            ],
            "no_shows": [{"name": name, "email": "wang@example.cn", "company": "恒锐", "account_id": "ACC-001"}],
            "early_leavers": [{"name": "李娜", "email": "li@example.cn", "company": name, "account_id": "ACC-002",
                               "minutes": 12.5}],
        },
        "experiments": {
            "arms": [
                {"arm": "personalized", "accounts": 18, "conversions": 7, "rate": 7 / 18},
                {"arm": "control", "accounts": 18, "conversions": 3, "rate": 3 / 18},
            ],
            "lift": 1.33, "ci_low": -0.2, "ci_high": 2.9, "p_value": 0.13, "srm_p_value": 1.0,
            "warning": f"样本太小，尚不能下结论 {name}",
        },
        "pipeline": {
            "opportunities": 4, "pipeline_amount": 1000.0, "won": 2, "lost": 1, "won_amount": 500.0, "win_rate": 0.6667,
            "avg_deal_size": 250.0, "avg_cycle_days": 7.0, "target_share": 0.6, "influenced_amount": 500.0,
            "influence_days": 90, "model": "first",
            "by_segment": [
                {"segment": "engaged", "segment_zh": "网站互动过", "opportunities": 2, "pipeline_amount": 500.0,
                 "won_amount": 500.0, "win_rate": 1.0},
                {"segment": "not_engaged", "segment_zh": "未互动", "opportunities": 2, "pipeline_amount": 500.0,
                 "won_amount": 0.0, "win_rate": 0.0},
            ],
            "by_channel": [{"channel": "paid_search", "channel_zh": name, "opportunities": 1, "pipeline_amount": 100.0,
                            "won_amount": 100.0}],
        },
        "roi": [
            {"utm_source": "baidu", "utm_medium": "cpc", "utm_campaign": name, "channel": "paid_search", "spend": 500.0,
             "visits": 1, "target_accounts": 1, "leads": 2, "opportunities": 1, "pipeline_amount": 100000.0,
             "won_amount": 100000.0, "cost_per_lead": 250.0, "cost_per_target_account": 500.0,
             "cost_per_opportunity": 500.0, "pipeline_per_spend": 200.0},
        ],
    }


EMPTY_RESULTS: dict[str, Any] = {
    "accounts": [],
    "signals": [],
    "channels": [],
    "content": [],
    "webinar": None,
    "pipeline": {"opportunities": 0, "by_segment": [], "by_channel": []},
    "roi": [],
    "experiments": {"arms": [], "lift": None, "ci_low": None, "ci_high": None, "p_value": None,
                    "srm_p_value": None, "warning": "暂无实验数据"},
}


class _Sections(HTMLParser):
    """Collect each <section id=...>'s text, and every external reference of the page."""

    def __init__(self) -> None:
        super().__init__()
        self.text: dict[str, str] = {}
        self.current: str | None = None
        self.references: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "section":
            self.current = values.get("id")
            self.text[self.current or ""] = ""
        for name in ("src", "href", "action", "poster", "srcset", "data"):
            if values.get(name) is not None and tag != "svg":
                self.references.append(f"{tag}.{name}={values[name]}")

    def handle_endtag(self, tag: str) -> None:
        if tag == "section":
            self.current = None

    def handle_data(self, data: str) -> None:
        if self.current:
            self.text[self.current] += data


def parse(html: str) -> _Sections:
    parser = _Sections()
    parser.feed(html)
    return parser


def assert_self_contained(html: str) -> None:
    """No reference that would make a browser ask any host for anything."""
    parser = parse(html)
    assert all(ref.split("=", 1)[1].startswith("#") for ref in parser.references), parser.references
    assert not re.search(r"url\(", html)
    assert not re.search(r"@import|<link\b|<iframe|<img\b", html)
    for match in re.finditer(r"https?://[^\s\"'<>]+", html):
        assert match.group(0) == "http://www.w3.org/2000/svg", match.group(0)  # the SVG namespace, not a request


def svgs_are_well_formed(html: str) -> int:
    found = re.findall(r"<svg\b.*?</svg>", html, flags=re.S)
    for svg in found:
        ET.fromstring(svg)
    return len(found)


def test_every_section_renders_with_data_and_the_header_holds_the_key_numbers() -> None:
    html = render_dashboard(sample_results(), period=("2026-08-25T00:00:00+00:00", "2026-11-23T00:00:00+00:00"))
    sections = parse(html).text
    assert list(sections) == list(SECTIONS)
    for name in SECTIONS:
        assert "暂无数据" not in sections[name], name
    assert "恒锐精工" in sections["accounts"] and "一对一" in sections["accounts"] and "▲ +40%" in sections["accounts"]
    assert "18.0%" in sections["accounts"] and "42.0%" in sections["accounts"]
    assert "激增" in sections["signals"] and "4.70×" in sections["signals"] and "流失风险" in sections["signals"]
    not_customer = sample_results()
    not_customer["accounts"]["rows"][1]["stage"] = "engaged"
    assert '<span class="badge drop">流失风险</span>' in render_dashboard(sample_results())
    assert '<span class="badge drop">流失风险</span>' not in render_dashboard(not_customer)
    assert "MES 系统" in sections["channels"] and "2.4 线索/百次访问" in html
    assert "付费搜索 / baidu / cpc" in sections["channels"]  # "(not set)" campaigns are left out
    assert "第 35 分钟" in sections["webinar"] and "wang@example.cn" in sections["webinar"]
    assert "个性化" in sections["experiments"] and "+133.0%" in html and "样本太小" in sections["experiments"]
    assert "2026-08-25 至 2026-11-23" in html
    header = html.split('<section class="card"', 1)[0]
    # reached 2 of 3 target accounts, 2 engaged or further, 14 leads from the source rows, 1 surge,
    # (3 + 1) / 2 known contacts per engaged account
    assert re.findall(r'<div class="value">([^<]*)</div>', header) == ["2", "2", "18.0%", "14", "1", "2.0"]
    assert svgs_are_well_formed(html) == 6  # 2 sparklines, channel bars, webinar curve, pipeline bars, lift interval
    assert "60.0%" in sections["pipeline"] and "网站互动过" in sections["pipeline"] and "200.0" in sections["roi"]
    assert_self_contained(html)


@pytest.mark.parametrize("results", [{}, EMPTY_RESULTS], ids=["nothing", "empty reports"])
def test_an_empty_store_renders_every_section_with_a_no_data_note(results: dict[str, Any]) -> None:
    html = render_dashboard(results)
    sections = parse(html).text
    assert list(sections) == list(SECTIONS)
    for name in SECTIONS:
        assert "暂无数据" in sections[name], name
    assert_self_contained(html)


def test_hostile_names_are_escaped_everywhere_they_appear() -> None:
    html = render_dashboard(sample_results(HOSTILE))
    assert HOSTILE not in html
    assert html.count("<script>") == 1  # the dashboard's own sorting script, nothing else
    escaped = "&lt;script&gt;alert(&#34;pwn&#34;)&lt;/script&gt;"
    assert html.count(escaped) >= 6  # accounts, signals, channels, keyword, follow-up lists, warning
    assert svgs_are_well_formed(html) == 6
    sections = parse(html).text
    for name in SECTIONS:
        assert HOSTILE in sections[name], name  # shown as text, not run


@pytest.mark.parametrize("name", SECTIONS)
def test_a_single_report_renders_as_its_own_self_contained_file(name: str) -> None:
    html = render_report_html(name, sample_results()[name])
    sections = parse(html).text
    assert list(sections) == [name]
    assert "暂无数据" not in sections[name]
    assert html.startswith("<!doctype html>") and html.rstrip().endswith("</html>")
    assert_self_contained(html)
    empty = parse(render_report_html(name, EMPTY_RESULTS[name])).text
    assert "暂无数据" in empty[name]


def test_a_report_without_its_own_section_renders_as_a_table_of_its_rows() -> None:
    leads = [
        {"lead_id": "L-1", "name": HOSTILE, "account_id": "ACC-001", "score": 72.5, "grade": "interested"},
        {"lead_id": "L-2", "name": "王伟", "account_id": None, "score": 10, "grade": "nurture", "extra": "x"},
    ]
    html = render_report_html("leads", leads)
    text = parse(html).text["table"]
    assert "L-1" in text and "72.50" in text and "interested" in text and HOSTILE in text
    assert HOSTILE not in html
    assert re.findall(r"<th>([^<]*)</th>", html) == ["lead_id", "name", "account_id", "score", "grade", "extra"]
    assert "暂无数据" in parse(render_report_html("leads", [])).text["table"]
    assert_self_contained(html)


def test_missing_values_render_blank_and_known_accounts_lead_the_follow_up_lists() -> None:
    results = sample_results()
    results["webinar"]["no_shows"] = [
        {"name": "匿名", "email": "a@x.cn", "company": None, "account_id": None},
        {"name": "王伟", "email": "w@hengrui.cn", "company": "恒锐", "account_id": "ACC-001", "account_name": "恒锐精工"},
    ]
    text = parse(render_dashboard(results)).text["webinar"]
    assert "None" not in text
    assert text.index("恒锐精工") < text.index("匿名")


def test_weekly_pageviews_fill_the_eight_weeks_before_until(tmp_path: Path) -> None:
    events = [event(at(day + 0.5), account_id="ACC-001") for day in range(70)]  # one a day, noon
    events += [event(at(3), account_id="ACC-001", is_bot=1), event(at(2), account_id=None)]
    with report_context(tmp_path, events) as ctx:
        weekly = weekly_pageviews(ctx)
    assert weekly == {"ACC-001": [7] * SPARK_WEEKS}


def test_abm_report_dashboard_writes_one_file_from_a_store(tmp_path: Path) -> None:
    store = tmp_path / "abm.sqlite"
    with Store.open(store, create=True) as opened:
        opened.insert_events([event(at(day), account_id="ACC-001", utm_source="baidu", utm_medium="cpc")
                              for day in range(1, 20)])  # fmt: skip
    out = tmp_path / "out" / "dashboard.html"
    result = run_abm("report", "dashboard", "--db", store, "--out", out, "--accounts", REPO / "demo" / "accounts.csv",
                     "--taxonomy", REPO / "taxonomy.yml", "--until", UNTIL.date().isoformat(), "--site", tmp_path)  # fmt: skip
    assert result.exit_code == 0, result.stderr
    html = out.read_text(encoding="utf-8")
    sections = parse(html).text
    assert list(sections) == list(SECTIONS) and "恒锐精工" in sections["accounts"]
    # the default period: the 28 local days that end with --until, which is included (was 03-11, exclusive 04-08)
    assert "2026-03-12 至 2026-04-08" in html and "时间：北京时间 (Asia/Shanghai)" in html
    assert_self_contained(html)
    missing = run_abm("report", "dashboard", "--db", tmp_path / "none.sqlite", "--out", out)
    assert missing.exit_code == 1 and "none.sqlite" in missing.stderr
