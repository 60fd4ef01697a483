"""Channels: landing UTM tags or the referrer host decide a visit's channel; keywords grouped apart."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from analytics.channels_map import channel, referrer_channel
from analytics.reports import channels
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
    ],
)  # fmt: skip
def test_referrer_grouping(host: str | None, expected: str) -> None:
    assert referrer_channel(host) == expected


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
