"""Channels: landing UTM tags or the referrer host decide a visit's channel; keywords grouped apart."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from analytics.channels_map import CHANNELS_ZH, channel, referrer_channel
from analytics.click_ids import CLICK_IDS
from analytics.reports import channels
from analytics.store import Store
from personalize.events import CAMPAIGN_EXTRAS
from tests.analytics.abm_cli import run_abm
from tests.analytics.report_helpers import account, at, book, event, report_context


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("www.baidu.com", "search"), ("m.baidu.com", "search"), ("sogou.com", "search"), ("www.so.com", "search"),
        ("m.sm.cn", "search"), ("cn.bing.com", "search"), ("www.google.com.hk", "search"), ("google.de", "search"),
        ("mp.weixin.qq.com", "social"), ("weibo.com", "social"), ("www.zhihu.com", "social"),
        ("www.bilibili.com", "social"), ("www.linkedin.com", "social"), ("www.douyin.com", "social"),
        ("www.xiaohongshu.com", "social"), ("mail.qq.com", "email"), ("mail.163.com", "email"),
        ("outlook.live.com", "email"), ("mail.google.com", "email"), ("partner.example", "referral"),
        ("notbaidu.com", "referral"), ("", "direct"), (None, "direct"), ("WWW.BAIDU.COM:443", "search"),
        ("so.360.cn", "search"), ("www.sogou.com", "search"), ("quark.sm.cn", "search"), ("so.toutiao.com", "search"),
        ("so.douyin.com", "search"), ("zhuanlan.zhihu.com", "social"), ("www.xiaohongshu.com", "social"),
        ("xhslink.com", "social"), ("weixin.qq.com", "social"), ("www.toutiao.com", "social"), ("b23.tv", "social"),
        ("weibo.cn", "social"), ("blog.csdn.net", "social"), ("maimai.cn", "social"), ("juejin.cn", "social"),
        ("exmail.qq.com", "email"), ("mail.126.com", "email"), ("news.qq.com", "referral"),
    ],
)  # fmt: skip
def test_referrer_grouping(host: str | None, expected: str) -> None:
    assert referrer_channel(host) == expected


@pytest.mark.parametrize(
    "host",
    ["chatgpt.com", "chat.openai.com", "chat.deepseek.com", "www.doubao.com", "kimi.moonshot.cn", "www.kimi.com",
     "yuanbao.tencent.com", "www.perplexity.ai", "gemini.google.com", "copilot.microsoft.com", "yiyan.baidu.com",
     "tongyi.aliyun.com", "www.qianwen.com", "chat.qwen.ai", "claude.ai", "chatglm.cn"],
)  # fmt: skip
def test_ai_assistants(host: str) -> None:
    assert referrer_channel(host) == "ai_assistant"
    assert channel(None, None, host)[:2] == ("ai_assistant", host.removeprefix("www."))
    assert CHANNELS_ZH["ai_assistant"] == "AI 助手"


def test_utm_source_naming_an_ai_assistant() -> None:
    assert channel("chatgpt.com", None, None) == ("ai_assistant", "chatgpt.com", "(not set)")  # as ChatGPT tags
    assert channel("chatgpt.com", "referral", "chatgpt.com")[0] == "ai_assistant"
    assert channel(" DeepSeek ", None, None)[:2] == ("ai_assistant", "DeepSeek")
    assert channel("Doubao", "", None)[0] == "ai_assistant" and channel("kimi", None, None)[0] == "ai_assistant"
    assert channel("chatgpt.com", "cpc", None)[0] == "paid_search"  # a paid placement stays paid
    assert channel("deepseek-newsletter", None, None)[0] == "campaign"


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ('{"gclid": "Cj0K"}', ("paid_search", "google", "cpc")), ('{"bd_vid": "123"}', ("paid_search", "baidu", "cpc")),
        ({"msclkid": "x"}, ("paid_search", "bing", "cpc")), ('{"qhclickid": "x"}', ("paid_search", "360", "cpc")),
        ('{"wbraid": "x"}', ("paid_search", "google", "cpc")), ('{"gdt_vid": "wx0"}', ("paid_social", "tencent", "cpc")),
        ('{"qz_gdt": "x"}', ("paid_social", "tencent", "cpc")), ('{"ttclid": "x"}', ("paid_social", "tiktok", "cpc")),
        ('{"clickid": "x", "adid": "1"}', ("paid_social", "oceanengine", "cpc")),
        ('{"li_fat_id": "x"}', ("paid_social", "linkedin", "cpc")), ('{"ScCid": "x"}', ("paid_social", "snapchat", "cpc")),
        ('{"dclid": "x"}', ("display", "google", "cpc")),
        ('{"clickid": "x"}', ("social", "weixin.qq.com", "referral")),  # a bare clickid is anyone's
        ('{"fbclid": "x"}', ("social", "weixin.qq.com", "referral")),  # on every link out of Facebook
        ('{"gclid": ""}', ("social", "weixin.qq.com", "referral")), ("{}", ("social", "weixin.qq.com", "referral")),
        ("not json", ("social", "weixin.qq.com", "referral")), (None, ("social", "weixin.qq.com", "referral")),
    ],
)  # fmt: skip
def test_click_ids_mark_paid_clicks(extra: Any, expected: tuple[str, str, str]) -> None:
    assert channel(None, None, "weixin.qq.com", extra) == expected


def test_click_ids_win_over_tags_and_the_edge_keeps_them() -> None:
    assert channel("wechat", "social", None, '{"gdt_vid": "x"}') == ("paid_social", "wechat", "social")
    assert channel("Baidu", None, "www.baidu.com", '{"bd_vid": "1"}') == ("paid_search", "Baidu", "cpc")
    kept = set(CAMPAIGN_EXTRAS)
    assert {click.param for click in CLICK_IDS} | {p for click in CLICK_IDS for p in click.with_any} <= kept
    assert {click.channel for click in CLICK_IDS} <= set(CHANNELS_ZH)


def test_utm_tags_win_over_the_referrer() -> None:
    assert channel("baidu", "cpc", "www.google.com") == ("paid_search", "baidu", "cpc")
    assert channel("wechat", "social", None) == ("social", "wechat", "social")
    assert channel("newsletter", None, None) == ("campaign", "newsletter", "(not set)")
    assert channel(None, None, "www.zhihu.com") == ("social", "zhihu.com", "referral")
    assert channel(None, None, "www.baidu.com") == ("search", "baidu.com", "organic")
    assert channel("", "", "") == ("direct", "(direct)", "(none)")


def visit(session: str, account_id: str | None = None, **landing: Any) -> list[dict[str, Any]]:
    """A two-page visit; only the first page's tags and referrer count."""
    first = event(at(2), session_id=session, visitor_id=session, account_id=account_id, **landing)
    second = event(at(2, minutes=1), session_id=session, visitor_id=session, account_id=account_id,
                   referrer_host="www.zhihu.com", utm_source="other", is_bot=landing.get("is_bot", 0))  # fmt: skip
    return [first, second]


EVENTS = [
    *visit("s1", "ACC-1", utm_source="baidu", utm_medium="cpc", utm_campaign="制造", utm_term="CRM 软件"),
    *visit("s2", "ACC-2", utm_source="baidu", utm_medium="cpc", utm_campaign="制造", utm_term="CRM 软件"),
    *visit("s3", "ACC-1", utm_source="baidu", utm_medium="cpc", utm_campaign="制造", utm_term="售后管理"),
    *visit("s4", None, utm_source="baidu", utm_medium="cpc", utm_campaign="制造", utm_term="CRM 软件"),
    *visit("s5", "OTHER", referrer_host="mp.weixin.qq.com"),
    *visit("s6", "ACC-2", referrer_host="mp.weixin.qq.com"),
    *visit("s7"),
    *visit("s8", "ACC-1", is_bot=1),
]
LEADS = [
    {"lead_id": "L1", "ts": at(2, minutes=2), "session_id": "s1", "account_id": "ACC-1"},
    {"lead_id": "L2", "ts": at(2, minutes=2), "session_id": "s4"},
    {"lead_id": "L3", "ts": at(2, minutes=2), "session_id": "s6", "account_id": "ACC-2"},
]


@pytest.mark.parametrize("engine", ["sqlite", "duckdb"])
def test_channel_rows(tmp_path: Path, engine: str) -> None:
    accounts = book(account("ACC-1"), account("ACC-2"))
    with report_context(tmp_path, EVENTS, tables={"leads": LEADS}, accounts=accounts, engine=engine) as ctx:
        rows = channels.build(ctx)
    got = {(r["grouping"], r["channel"], r["utm_source"], r["utm_term"]): (
        r["visits"], r["target_account_visits"], r["accounts_reached"], r["leads"], r["leads_per_100_visits"])
        for r in rows}  # fmt: skip
    assert got == {
        ("source", "paid_search", "baidu", None): (4, 3, 2, 2, 50.0),
        ("source", "social", "mp.weixin.qq.com", None): (2, 1, 1, 1, 50.0),  # OTHER is not a target account
        ("source", "direct", "(direct)", None): (1, 0, 0, 0, 0.0),
        ("term", "paid_search", "baidu", "CRM 软件"): (3, 2, 2, 2, 66.67),
        ("term", "paid_search", "baidu", "售后管理"): (1, 1, 1, 0, 0.0),
    }
    assert rows[0]["grouping"] == "source" and rows[-1]["grouping"] == "term"
    assert next(r for r in rows if r["channel"] == "paid_search")["utm_campaign"] == "制造"


def test_empty_store(tmp_path: Path) -> None:
    with report_context(tmp_path) as ctx:
        assert channels.build(ctx) == []


#: One hand-made visit per line: (utm_source, utm_medium, utm_campaign, utm_term) of its landing page.
SPELLINGS = [
    ("Baidu", "CPC", "春季", "CRM"), ("baidu", "cpc", "春季 ", "crm"), (" baidu ", "cpc", "春季", "CRM"),
    (" WeChat ", "social", "Launch", None), ("wechat", "Social", "launch", None), ("WECHAT", "social", "Launch", None),
    ("wechat ", "social", "webinar", None), ("Zhihu", "Social", "Launch", None), ("zhihu", "social", "Launch", None),
    ("Zhihu ", "social", "launch", None),
]


def test_report_groups_utm_values_by_case_and_space(tmp_path: Path) -> None:
    """`abm report channels`: 3 baidu visits and 3 + 1 wechat visits; each row shows its most common spelling."""
    path = tmp_path / "events.sqlite"
    events = [event(at(2, minutes=n), session_id=f"s{n}", visitor_id=f"v{n}", utm_source=source, utm_medium=medium,
                    utm_campaign=campaign, utm_term=term) for n, (source, medium, campaign, term) in enumerate(SPELLINGS)]  # fmt: skip
    with Store.open(path, create=True) as store:
        store.insert_events(events)
    result = run_abm("report", "channels", "--db", path, "--format", "json", "--until", "2026-04-08")
    assert result.exit_code == 0, result.output
    got = {(r["grouping"], r["channel"], r["utm_source"], r["utm_medium"], r["utm_campaign"], r["utm_term"]): r["visits"]
           for r in json.loads(result.stdout)}  # fmt: skip
    assert got == {
        ("source", "paid_search", "baidu", "cpc", "春季", None): 3,  # Baidu/baidu/baidu: 2 x "baidu" once stripped
        ("source", "social", "wechat", "social", "Launch", None): 3,  # WeChat, wechat, WECHAT: a tie, lower case wins
        ("source", "social", "wechat", "social", "webinar", None): 1,
        ("source", "social", "Zhihu", "social", "Launch", None): 3,  # Zhihu twice; social twice; Launch twice
        ("term", "paid_search", "baidu", None, None, "CRM"): 3,  # CRM twice, crm once
    }
    with Store.open(path) as store:  # the store keeps what was sent
        sent = {row["utm_source"] for row in store.query("SELECT utm_source FROM events")}
    assert sent == {"Baidu", "baidu", " baidu ", " WeChat ", "wechat", "WECHAT", "wechat ", "Zhihu", "zhihu", "Zhihu "}
