"""Which channel a visit came through: from its UTM tags, else from the referrer's host.

Chinese sources first-class: Baidu, Sogou, 360 (so.com), Shenma (sm.cn) are search engines;
WeChat, Weibo, Zhihu, Bilibili, Douyin, Xiaohongshu are social; QQ Mail and 163 are e-mail. A
host matches a rule when it is the rule's domain or a subdomain of it (m.baidu.com -> baidu.com);
`google.*` matches Google in every country domain.
"""

from __future__ import annotations

CHANNELS_ZH = {
    "paid_search": "付费搜索",
    "search": "搜索",
    "social": "社交",
    "email": "邮件",
    "display": "展示广告",
    "referral": "外部引荐",
    "campaign": "营销活动",
    "direct": "直接访问",
}

SEARCH = ("baidu.com", "sogou.com", "so.com", "sm.cn", "bing.com", "cn.bing.com", "yandex.com", "duckduckgo.com",
          "yahoo.com", "toutiao.com")  # fmt: skip
SOCIAL = ("weixin.qq.com", "wechat.com", "weibo.com", "weibo.cn", "t.co", "zhihu.com", "bilibili.com", "b23.tv",
          "linkedin.com", "lnkd.in", "douyin.com", "xiaohongshu.com", "xhslink.com", "facebook.com", "x.com",
          "twitter.com", "maimai.cn", "csdn.net")  # fmt: skip
EMAIL = ("mail.qq.com", "exmail.qq.com", "mail.163.com", "mail.126.com", "mail.sina.com.cn", "mail.aliyun.com",
         "outlook.live.com", "outlook.office.com", "outlook.office365.com", "mail.google.com", "mail.yahoo.com")  # fmt: skip

#: utm_medium (lower-cased) -> channel, for tagged visits.
MEDIUMS = {
    **dict.fromkeys(("cpc", "ppc", "sem", "paid_search", "paidsearch", "search_ads", "竞价"), "paid_search"),
    **dict.fromkeys(("organic", "seo"), "search"),
    **dict.fromkeys(("social", "social_media", "sns", "wechat", "weixin", "weibo", "paid_social", "社交"), "social"),
    **dict.fromkeys(("email", "e-mail", "edm", "newsletter", "邮件"), "email"),
    **dict.fromkeys(("display", "banner", "cpm", "native", "video"), "display"),
    **dict.fromkeys(("referral", "syndication", "partner", "affiliate"), "referral"),
}


def _matches(host: str, domains: tuple[str, ...]) -> bool:
    return any(host == domain or host.endswith("." + domain) for domain in domains)


def clean_host(host: str | None) -> str:
    """`WWW.Baidu.com:443` -> `baidu.com`."""
    host = (host or "").strip().lower().split(":", 1)[0].rstrip(".")
    return host.removeprefix("www.")


def referrer_channel(host: str | None) -> str:
    """The channel of an untagged visit from its referrer host (no host = direct)."""
    host = clean_host(host)
    if not host:
        return "direct"
    if _matches(host, EMAIL):  # before search/social: mail.qq.com is not weixin.qq.com
        return "email"
    if _matches(host, SEARCH) or ".google." in f".{host}." or host.startswith("google."):
        return "search"
    if _matches(host, SOCIAL):
        return "social"
    return "referral"


def channel(utm_source: str | None, utm_medium: str | None, referrer_host: str | None) -> tuple[str, str, str]:
    """(channel, source, medium) of a visit: UTM tags when present, else the referrer grouping."""
    source, medium = (utm_source or "").strip(), (utm_medium or "").strip()
    if source or medium:
        grouped = MEDIUMS.get(medium.lower())
        if grouped is None:
            grouped = referrer_channel(source) if "." in source else "campaign"
        return grouped, source or "(not set)", medium or "(not set)"
    found = referrer_channel(referrer_host)
    if found == "direct":
        return "direct", "(direct)", "(none)"
    return found, clean_host(referrer_host), "organic" if found == "search" else "referral"
