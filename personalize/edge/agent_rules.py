"""How the edge reads a ua-parser result: the device class and the browser name it records.

The device class keeps the rules of `user-agents` 2.2 (which the edge used until it had gone years
without a release), ported onto ua-parser 1.x's result so reports keep their meaning. Only the
checks the edge asks for are kept: tablet, mobile and PC (bots are decided in `bots.py`).

uap-core names the in-app browsers of Chinese work apps by the WebView under them (DingTalk on a
Mac is "Apple Mail", WeCom is "WeChat Browser", WeChat on Android is "Chrome Mobile WebView"), so
their own UA tokens are looked for first.
"""

from __future__ import annotations

from ua_parser import DefaultedResult

#: user-agents' MOBILE_DEVICE_FAMILIES, MOBILE_BROWSER_FAMILIES, MOBILE_OS_FAMILIES, PC_OS_FAMILIES,
#: TABLET_DEVICE_FAMILIES, as in its 2.2.0 release.
MOBILE_DEVICES = frozenset(
    ("iPhone", "iPod", "Generic Smartphone", "Generic Feature Phone", "PlayStation Vita", "iOS-Device")
)
MOBILE_BROWSERS = frozenset(
    ("IE Mobile", "Opera Mobile", "Opera Mini", "Chrome Mobile", "Chrome Mobile WebView", "Chrome Mobile iOS")
)
MOBILE_OSES = frozenset(
    ("Windows Phone", "Windows Phone OS", "Symbian OS", "Bada", "Windows CE", "Windows Mobile", "Maemo")
)
PC_OSES = frozenset(("Windows 95", "Windows 98", "Solaris"))
TABLET_DEVICES = frozenset((
    "iPad", "BlackBerry Playbook", "Blackberry Playbook", "Kindle", "Kindle Fire", "Kindle Fire HD",
    "Galaxy Tab", "Xoom", "Dell Streak",
))  # fmt: skip
#: (UA token, browser name), first match wins: WeCom's UA also carries MicroMessenger, Feishu's also Lark.
IN_APP_BROWSERS = (
    ("wxwork/", "WeCom"),
    ("MicroMessenger/", "WeChat Browser"),
    ("DingTalk", "DingTalk"),
    ("Feishu", "Feishu"),
    ("Lark/", "Lark"),
    ("Quark/", "Quark"),
)


def os_version(parsed: DefaultedResult) -> str:
    """The OS version as user-agents spelled it: major.minor.patch, missing parts left out."""
    os = parsed.os
    return ".".join(part for part in (os.major, os.minor, os.patch) if part)


def is_tablet(parsed: DefaultedResult) -> bool:
    """user-agents' `is_tablet`."""
    os, browser = parsed.os.family, parsed.user_agent.family
    if parsed.device.family in TABLET_DEVICES:
        return True
    # newer Android tablets leave "Mobile" out; older ones such as the Galaxy Tab still send it
    if os == "Android" and "Mobile Safari" not in parsed.string and browser != "Firefox Mobile":
        return True
    if os == "Windows" and os_version(parsed).startswith("RT"):
        return True
    return os == "Firefox OS" and "Mobile" not in browser


def is_mobile(parsed: DefaultedResult) -> bool:
    """user-agents' `is_mobile` for a UA already known not to be a tablet (its Android test needs that)."""
    os, device, text = parsed.os.family, parsed.device.family, parsed.string
    return (
        device in MOBILE_DEVICES
        or parsed.user_agent.family in MOBILE_BROWSERS
        or os in ("Android", "Firefox OS")
        or (os == "BlackBerry OS" and device != "Blackberry Playbook")
        or os in MOBILE_OSES
        or "J2ME" in text
        or "MIDP" in text
        or "iPhone;" in text
        or "Googlebot-Mobile" in text
        or (device == "Spider" and "Mobile" in parsed.user_agent.family)
        or ("NokiaBrowser" in text and "Mobile" in text)
    )


def is_pc(parsed: DefaultedResult) -> bool:
    """user-agents' `is_pc`: Windows, Mac, ChromeOS and desktop Linux."""
    os, text = parsed.os.family, parsed.string
    if "Windows NT" in text or os in PC_OSES or (os == "Windows" and os_version(parsed) == "ME"):
        return True
    if os == "Mac OS X" and "Silk" not in text:
        return True
    if "Maemo" in text:
        return False
    return "Chrome OS" in os or ("Linux" in text and "X11" in text)


def device_class(parsed: DefaultedResult) -> str:
    """tablet | mobile | desktop | other, checked in that order as the edge always did."""
    if is_tablet(parsed):
        return "tablet"
    if is_mobile(parsed):
        return "mobile"
    if is_pc(parsed):
        return "desktop"
    return "other"


def browser_name(parsed: DefaultedResult) -> str:
    """The in-app browser a UA names itself, else uap-core's browser family."""
    for token, name in IN_APP_BROWSERS:
        if token in parsed.string:
            return name
    return parsed.user_agent.family
