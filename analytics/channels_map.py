"""Which channel a visit came through: its click id, else its UTM tags, else its referrer's host.

The order, strongest first:

1. an ad platform's click id in the event's `extra` (gclid, bd_vid, gdt_vid, ...) = a paid click
   (`analytics.click_ids`), whatever the tags say;
2. a utm_source that names an AI assistant (`chatgpt.com`, which ChatGPT adds itself, or a list
   name such as `deepseek`) = ai_assistant, unless utm_medium says the click was paid;
3. a known utm_medium (cpc, social, email, ...); else a utm_source that is a host, grouped like a
   referrer; else any other tag = campaign;
4. untagged: the referrer host in the Matomo lists and ours (`analytics.referrers`), Chinese
   sources first-class; unknown hosts are referral, no referrer is direct.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from analytics.click_ids import paid_click
from analytics.referrers import clean_host, find, find_name

#: Every channel with its Chinese label, in the order reports and the dashboard list them.
CHANNELS_ZH: Final = {
    "paid_search": "付费搜索",
    "paid_social": "付费社交",
    "search": "搜索",
    "social": "社交",
    "ai_assistant": "AI 助手",
    "email": "邮件",
    "display": "展示广告",
    "referral": "外部引荐",
    "campaign": "营销活动",
    "offline_event": "线下活动",
    "direct": "直接访问",
}
PAID: Final = frozenset({"paid_search", "paid_social", "display"})

#: utm_medium (lower-cased) -> channel, for tagged visits.
MEDIUMS: Final = {
    **dict.fromkeys(("cpc", "ppc", "sem", "paid_search", "paidsearch", "search_ads", "竞价"), "paid_search"),
    **dict.fromkeys(("paid_social", "paidsocial", "social_ads", "信息流"), "paid_social"),
    **dict.fromkeys(("organic", "seo"), "search"),
    **dict.fromkeys(("social", "social_media", "sns", "wechat", "weixin", "weibo", "社交"), "social"),
    **dict.fromkeys(("ai", "ai_assistant", "llm", "chatbot"), "ai_assistant"),
    **dict.fromkeys(("email", "e-mail", "edm", "newsletter", "邮件"), "email"),
    **dict.fromkeys(("display", "banner", "cpm", "native", "video"), "display"),
    **dict.fromkeys(("referral", "syndication", "partner", "affiliate"), "referral"),
    # posters, badges and slides at events and booths (`abm link --qr`), and `abm import event-leads`
    **dict.fromkeys(("offline", "event", "events", "qr", "qrcode", "booth", "线下", "线下活动"), "offline_event"),
}


def referrer_channel(host: str | None) -> str:
    """The channel of an untagged visit from its referrer host (no host = direct)."""
    if not clean_host(host):
        return "direct"
    site = find(host)
    return site.channel if site is not None else "referral"


def names_ai_assistant(source: str) -> bool:
    """Whether a utm_source is an AI assistant: its host (`chatgpt.com`) or its list name (`Kimi`)."""
    site = find(source) if "." in source else find_name(source)
    return site is not None and site.channel == "ai_assistant"


def tagged_channel(source: str, medium: str) -> str:
    """The channel of a visit with UTM tags (either may be empty)."""
    grouped = MEDIUMS.get(medium.lower())
    if grouped not in PAID and source and names_ai_assistant(source):
        return "ai_assistant"
    if grouped is not None:
        return grouped
    if "." in source:
        return referrer_channel(source)
    return "campaign"


def channel(utm_source: str | None, utm_medium: str | None, referrer_host: str | None,
            extra: str | Mapping[str, Any] | None = None) -> tuple[str, str, str]:  # fmt: skip
    """(channel, source, medium) of a visit: click id, else UTM tags, else the referrer grouping."""
    source, medium = (utm_source or "").strip(), (utm_medium or "").strip()
    click = paid_click(extra)
    if click is not None:
        return click.channel, source or click.source, medium or "cpc"
    if source or medium:
        return tagged_channel(source, medium), source or "(not set)", medium or "(not set)"
    found = referrer_channel(referrer_host)
    if found == "direct":
        return "direct", "(direct)", "(none)"
    return found, clean_host(referrer_host), "organic" if found == "search" else "referral"
