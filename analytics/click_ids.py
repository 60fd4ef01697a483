"""Paid clicks told by the click id the ad platform appends to the landing URL.

The edge keeps these parameters raw in the event's `extra` JSON (`personalize.events.CAMPAIGN_EXTRAS`);
a click id proves a paid click even when the advertiser forgot the UTM tags. fbclid is not here:
Facebook adds it to every link out of it, paid or not.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final


@dataclass(frozen=True, slots=True)
class ClickId:
    param: str
    channel: str
    source: str  # the ad platform, shown as the visit's source when it has no utm_source
    with_any: tuple[str, ...] = ()  # counts only next to one of these (a bare `clickid` is too common)


CLICK_IDS: Final = (
    ClickId("gclid", "paid_search", "google"),
    ClickId("gbraid", "paid_search", "google"),
    ClickId("wbraid", "paid_search", "google"),
    ClickId("msclkid", "paid_search", "bing"),
    ClickId("bd_vid", "paid_search", "baidu"),  # 百度营销 (oCPC)
    ClickId("qhclickid", "paid_search", "360"),  # 360 点睛
    ClickId("yclid", "paid_search", "yandex"),
    ClickId("dclid", "display", "google"),  # Display & Video 360 / Campaign Manager
    ClickId("gdt_vid", "paid_social", "tencent"),  # 腾讯广告 (广点通): WeChat, QQ, 腾讯新闻
    ClickId("qz_gdt", "paid_social", "tencent"),
    ClickId("clickid", "paid_social", "oceanengine", with_any=("adid", "creativeid")),  # 巨量引擎: 抖音, 头条
    ClickId("ttclid", "paid_social", "tiktok"),
    ClickId("li_fat_id", "paid_social", "linkedin"),
    ClickId("twclid", "paid_social", "x"),
    ClickId("ScCid", "paid_social", "snapchat"),
)


def _params(extra: str | Mapping[str, Any] | None) -> Mapping[str, Any]:
    if isinstance(extra, Mapping):
        return extra
    if not extra or extra == "{}":
        return {}
    try:
        params = json.loads(extra)
    except ValueError:
        return {}
    return params if isinstance(params, dict) else {}


def paid_click(extra: str | Mapping[str, Any] | None) -> ClickId | None:
    """The click id that marks a visit as paid, from its `extra` JSON (text or object); None if none."""
    params = _params(extra)
    if not params:
        return None
    for click in CLICK_IDS:
        if params.get(click.param) and (not click.with_any or any(params.get(p) for p in click.with_any)):
            return click
    return None
