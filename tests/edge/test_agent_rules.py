"""The edge's User-Agent answers on ua-parser 1.x: a corpus of real UAs, and the ported user-agents rules.

The corpus's answers are what the user-agents-based classifier gave (recorded before the switch),
except where it was wrong: those lines say so and hold the right answer.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import user_agents.parsers
import yaml
from ua_parser import DefaultedResult

from personalize.edge.agent_rules import device_class
from personalize.edge.bots import Agent, AgentClassifier, ua_parser_for_process

CHROME = "AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0"
MOZ_LINUX = "Mozilla/5.0 (Linux; "
#: (label, User-Agent, device, browser, OS); every case here is a person, not a bot.
PEOPLE = [
    ("Chrome, Windows", f"Mozilla/5.0 (Windows NT 10.0; Win64; x64) {CHROME} Safari/537.36",
     "desktop", "Chrome", "Windows"),
    ("Chrome, macOS", f"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) {CHROME} Safari/537.36",
     "desktop", "Chrome", "Mac OS X"),
    ("Chrome, ChromeOS", f"Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) {CHROME} Safari/537.36",
     "desktop", "Chrome", "Chrome OS"),
    ("Edge, Windows", f"Mozilla/5.0 (Windows NT 10.0; Win64; x64) {CHROME} Safari/537.36 Edg/131.0.2903.86",
     "desktop", "Edge", "Windows"),
    ("Firefox, Windows", "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0",
     "desktop", "Firefox", "Windows"),
    ("Firefox, Ubuntu", "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
     "desktop", "Firefox", "Ubuntu"),
    ("Safari, macOS", "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
     "Version/18.2 Safari/605.1.15", "desktop", "Safari", "Mac OS X"),
    ("Safari, iPhone", "Mozilla/5.0 (iPhone; CPU iPhone OS 18_2 like Mac OS X) AppleWebKit/605.1.15 "
     "(KHTML, like Gecko) Version/18.2 Mobile/15E148 Safari/604.1", "mobile", "Mobile Safari", "iOS"),
    ("Chrome, iPhone", "Mozilla/5.0 (iPhone; CPU iPhone OS 17_7 like Mac OS X) AppleWebKit/605.1.15 "
     "(KHTML, like Gecko) CriOS/131.0.6778.73 Mobile/15E148 Safari/604.1", "mobile", "Chrome Mobile iOS", "iOS"),
    ("Safari, iPad", "Mozilla/5.0 (iPad; CPU OS 17_7 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
     "Version/17.6 Mobile/15E148 Safari/604.1", "tablet", "Mobile Safari", "iOS"),
    ("Chrome, Android phone", f"{MOZ_LINUX}Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/131.0.6778.81 Mobile Safari/537.36", "mobile", "Chrome Mobile", "Android"),
    ("Chrome, Android phone, reduced UA", f"{MOZ_LINUX}Android 10; K) {CHROME} Mobile Safari/537.36",
     "mobile", "Chrome Mobile", "Android"),
    ("Firefox, Android phone", "Mozilla/5.0 (Android 14; Mobile; rv:133.0) Gecko/133.0 Firefox/133.0",
     "mobile", "Firefox Mobile", "Android"),
    ("Chrome, Android tablet", f"{MOZ_LINUX}Android 13; SM-X710) {CHROME} Safari/537.36",
     "tablet", "Chrome", "Android"),
    ("Silk, Kindle Fire HD", f"{MOZ_LINUX}Android 11; KFTRWI) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Silk/131.4.1 like Chrome/131.0.6778.200 Safari/537.36", "tablet", "Amazon Silk", "Android"),
    ("IE, Surface RT", "Mozilla/5.0 (Windows NT 6.3; ARM; Trident/7.0; Touch; rv:11.0) like Gecko",
     "tablet", "IE", "Windows"),
    ("Samsung TV", "Mozilla/5.0 (SMART-TV; Linux; Tizen 6.0) AppleWebKit/538.1 (KHTML, like Gecko) "
     "Version/6.0 TV Safari/538.1", "other", "Safari", "Tizen"),
    # In-app browsers of Chinese apps. The old classifier took uap-core's browser family, which names
    # the WebView under WeChat on Android, WeCom, DingTalk, Feishu/Lark and Quark on Android (and
    # DingTalk on a Mac "Apple Mail"): wrong, so these lines hold the app's own name.
    ("WeChat, iPhone", "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 "
     "(KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.44(0x18002c2f) NetType/WIFI Language/zh_CN",
     "mobile", "WeChat Browser", "iOS"),
    ("WeChat, Android", f"{MOZ_LINUX}Android 13; V2148A Build/TP1A.220624.014; wv) AppleWebKit/537.36 "
     "(KHTML, like Gecko) Version/4.0 Chrome/116.0.0.0 Mobile Safari/537.36 XWEB/1160065 MMWEBSDK/20231202 "
     "MMWEBID/2247 MicroMessenger/8.0.47.2560(0x28002F30) WeChat/arm64 Weixin NetType/WIFI Language/zh_CN ABI/arm64",
     "mobile", "WeChat Browser", "Android"),  # old: Chrome Mobile WebView
    ("WeChat, Windows", "Mozilla/5.0 (Windows NT 10.0; WOW64) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/81.0.4044.138 Safari/537.36 NetType/WIFI MicroMessenger/7.0.20.1781(0x6700143B) "
     "WindowsWechat(0x63090a13) XWEB/9129 Flue", "desktop", "WeChat Browser", "Windows"),
    ("WeCom, iPhone", "Mozilla/5.0 (iPhone; CPU iPhone OS 16_6 like Mac OS X) AppleWebKit/605.1.15 "
     "(KHTML, like Gecko) Mobile/15E148 wxwork/4.1.16 MicroMessenger/7.0.1 Language/zh ColorScheme/Light",
     "mobile", "WeCom", "iOS"),  # old: WeChat Browser
    ("WeCom, Windows", "Mozilla/5.0 (Windows NT 10.0; WOW64) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/86.0.4240.198 Safari/537.36 wxwork/4.1.22 (MicroMessenger/6.2) WindowsWechat MailPlugin_Electron "
     "WeMail embeddisk", "desktop", "WeCom", "Windows"),  # old: WeChat Browser
    ("DingTalk, Android", f"{MOZ_LINUX}U; Android 12; zh-CN; PEGM00 Build/SKQ1.210216.001) AppleWebKit/537.36 "
     "(KHTML, like Gecko) Version/4.0 Chrome/69.0.3497.100 UWS/3.22.2.59 Mobile Safari/537.36 "
     "AliApp(DingTalk/7.0.40) com.alibaba.android.rimet/33002483 Channel/227200 language/zh-CN abi/64 "
     "UT4Aplus/0.2.25 colorScheme/light", "mobile", "DingTalk", "Android"),  # old: Chrome Mobile WebView
    ("DingTalk, macOS", "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
     "DingTalk(7.0.40-macOS-arm64-36150498) nw Channel/201200", "desktop", "DingTalk", "Mac OS X"),  # old: Apple Mail
    ("Feishu, iPhone", "Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 "
     "(KHTML, like Gecko) Mobile/15E148 Lark/7.9.6 LarkLocale/zh_CN ChannelName/Feishu TTWebView/0141110014715",
     "mobile", "Feishu", "iOS"),  # old: Mobile Safari UI/WKWebView
    ("Feishu/Lark, macOS (no channel named)", "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 "
     "(KHTML, like Gecko) Chrome/104.0.5112.102 Safari/537.36 Lark/7.6.8 LarkLocale/zh_CN ttnet SDK-Version/7.6.8",
     "desktop", "Lark", "Mac OS X"),  # old: Chrome
    ("Lark, Android", f"{MOZ_LINUX}Android 13; 2211133C Build/TKQ1.220905.001; wv) AppleWebKit/537.36 "
     "(KHTML, like Gecko) Version/4.0 Chrome/107.0.5304.105 Mobile Safari/537.36 Lark/7.8.7 LarkLocale/en_US "
     "ChannelName/Lark", "mobile", "Lark", "Android"),  # old: Chrome Mobile WebView
    ("QQ Browser, Android", f"{MOZ_LINUX}U; Android 13; zh-cn; 22081212C Build/TKQ1.220829.002) AppleWebKit/537.36 "
     "(KHTML, like Gecko) Version/4.0 Chrome/109.0.5414.86 MQQBrowser/14.8 Mobile Safari/537.36 COVC/046701",
     "mobile", "QQ Browser Mobile", "Android"),
    ("QQ Browser, Windows", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/94.0.4606.71 Safari/537.36 Core/1.94.236.400 QQBrowser/12.4.5623.400", "desktop", "QQ Browser", "Windows"),
    ("UC Browser, Android", f"{MOZ_LINUX}U; Android 11; zh-CN; M2012K11AC Build/RKQ1.200826.002) AppleWebKit/537.36 "
     "(KHTML, like Gecko) Version/4.0 Chrome/100.0.4896.58 UCBrowser/16.1.2.1277 Mobile Safari/537.36",
     "mobile", "UC Browser", "Android"),
    ("UC Browser, iPhone", "Mozilla/5.0 (iPhone; CPU iPhone OS 16_5 like Mac OS X; zh-CN) AppleWebKit/537.51.1 "
     "(KHTML, like Gecko) Mobile/20F66 UCBrowser/15.5.5.2074 Mobile AliApp(TUnionSDK/0.1.20.4)",
     "mobile", "UC Browser", "iOS"),
    # uap-core calls the Baidu app (baiduboxapp) "Baidu Explorer" on every OS: kept, it is consistent
    ("Baidu app, Android", f"{MOZ_LINUX}Android 12; V2169A Build/SP1A.210812.003; wv) AppleWebKit/537.36 "
     "(KHTML, like Gecko) Version/4.0 Chrome/97.0.4692.98 Mobile Safari/537.36 T7/13.40 SP-engine/2.78.0 "
     "baiduboxapp/13.40.5.10 (Baidu; P1 12) NABar/1.0", "mobile", "Baidu Explorer", "Android"),
    ("Baidu app, iPhone", "Mozilla/5.0 (iPhone; CPU iPhone OS 16_1 like Mac OS X) AppleWebKit/605.1.15 "
     "(KHTML, like Gecko) Mobile/15E148 SP-engine/2.64.0 main%2F1.0 baiduboxapp/13.24.5.10 (Baidu; P2 16.1) "
     "NABar/1.0 themeUA=Theme/default", "mobile", "Baidu Explorer", "iOS"),
    ("Quark, Android", f"{MOZ_LINUX}U; Android 13; zh-CN; 2211133C Build/TKQ1.220905.001) AppleWebKit/537.36 "
     "(KHTML, like Gecko) Version/4.0 Chrome/100.0.4896.58 Quark/6.9.6.501 Mobile Safari/537.36",
     "mobile", "Quark", "Android"),  # old: Chrome Mobile WebView
    ("Quark, iPhone", "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
     "(KHTML, like Gecko) Mobile/15E148 Quark/6.8.5.2012 Mobile", "mobile", "Quark", "iOS"),
    ("Huawei Browser, phone", f"{MOZ_LINUX}Android 12; HarmonyOS; NOH-AN00; HMSCore 6.12.0.302) AppleWebKit/537.36 "
     "(KHTML, like Gecko) Chrome/99.0.4844.88 HuaweiBrowser/14.0.5.302 Mobile Safari/537.36",
     "mobile", "Huawei Browser", "Android"),
    ("Huawei Browser, MatePad", f"{MOZ_LINUX}Android 12; HarmonyOS; BAH3-W59; HMSCore 6.11.0.302) "
     "AppleWebKit/537.36 (KHTML, like Gecko) Chrome/99.0.4844.88 HuaweiBrowser/14.0.0.322 Safari/537.36",
     "tablet", "Huawei Browser", "Android"),
]  # fmt: skip
#: (label, User-Agent, browser, OS); every case here is a bot. Both classifiers flag them all: neither
#: user-agents' `is_bot` nor ua-parser's "Spider" device knows 360Spider, YisouSpider, Bytespider,
#: curl, python-requests, HeadlessChrome or Lighthouse (wrong alone), the crawler list and the generic
#: words catch them.
BOTS = [
    ("Googlebot", "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", "Googlebot", "Other"),
    ("Googlebot smartphone", f"{MOZ_LINUX}Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/131.0.6778.69 Mobile Safari/537.36 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
     "Googlebot", "Android"),
    ("Bingbot", "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)", "bingbot", "Other"),
    ("Bingbot, Chrome-based", "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; bingbot/2.0; "
     "+http://www.bing.com/bingbot.htm) Chrome/116.0.1938.76 Safari/537.36", "bingbot", "Other"),
    ("Baiduspider", "Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)",
     "Baiduspider", "Other"),
    ("Baiduspider-render, iPhone", "Mozilla/5.0 (iPhone; CPU iPhone OS 9_1 like Mac OS X) AppleWebKit/601.1.46 "
     "(KHTML, like Gecko) Version/9.0 Mobile/13B143 Safari/601.1 (compatible; Baiduspider-render/2.0; "
     "+http://www.baidu.com/search/spider.html)", "Baiduspider-render", "iOS"),
    ("Sogou web spider", "Sogou web spider/4.0(+http://www.sogou.com/docs/help/webmasters.htm#07)",
     "Sogou web spider", "Other"),
    ("360Spider", "Mozilla/5.0 (Windows NT 6.1; WOW64) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/50.0.2661.102 Safari/537.36; 360Spider", "360Spider", "Windows"),
    ("YisouSpider", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/69.0.3497.81 YisouSpider/5.0 Safari/537.36", "YisouSpider", "Windows"),
    ("Bytespider", "Mozilla/5.0 (Linux; Android 5.0) AppleWebKit/537.36 (KHTML, like Gecko) Mobile Safari/537.36 "
     "(compatible; Bytespider; spider-feedback@bytedance.com)", "Bytespider", "Android"),
    ("PetalBot", "Mozilla/5.0 (Linux; Android 7.0;) AppleWebKit/537.36 (KHTML, like Gecko) Mobile Safari/537.36 "
     "(compatible; PetalBot;+https://webmaster.petalsearch.com/site/petalbot)", "PetalBot", "Other"),
    ("GPTBot", "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; +https://openai.com/gptbot)",
     "GPTBot", "Other"),
    ("ClaudeBot", "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; ClaudeBot/1.0; "
     "+claudebot@anthropic.com)", "ClaudeBot", "Other"),
    ("PerplexityBot", "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; PerplexityBot/1.0; "
     "+https://perplexity.ai/perplexitybot)", "PerplexityBot", "Other"),
    ("CCBot", "CCBot/2.0 (https://commoncrawl.org/faq/)", "CCBot", "Other"),
    # a bot keeps uap-core's name even when its UA carries an app's token
    ("DingTalkBot", "DingTalkBot-LinkService/1.0 (+https://open-doc.dingtalk.com/microapp/faquestions/ftpfeu)",
     "DingTalkBot", "Other"),
    ("curl", "curl/8.5.0", "curl", "Other"),
    ("python-requests", "python-requests/2.32.3", "Python Requests", "Other"),
    ("HeadlessChrome", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
     "HeadlessChrome/131.0.0.0 Safari/537.36", "HeadlessChrome", "Linux"),
    ("Lighthouse, mobile", f"{MOZ_LINUX}Android 11; moto g power (2022)) {CHROME} Mobile Safari/537.36 "
     "Chrome-Lighthouse", "Chrome Mobile", "Android"),
    ("Lighthouse, desktop", f"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) {CHROME} Safari/537.36 "
     "Chrome-Lighthouse", "Chrome", "Mac OS X"),
]  # fmt: skip


@pytest.fixture(scope="module")
def classifier() -> AgentClassifier:
    return AgentClassifier()


@pytest.mark.parametrize(("label", "ua", "device", "browser", "os"), PEOPLE, ids=[case[0] for case in PEOPLE])
def test_people(classifier: AgentClassifier, label: str, ua: str, device: str, browser: str, os: str) -> None:
    assert classifier.classify(ua) == Agent(device, browser, os, False)


@pytest.mark.parametrize(("label", "ua", "browser", "os"), BOTS, ids=[case[0] for case in BOTS])
def test_bots(classifier: AgentClassifier, label: str, ua: str, browser: str, os: str) -> None:
    assert classifier.classify(ua) == Agent("bot", browser, os, True)


@pytest.mark.parametrize("ua", ["\ud800 Mozilla/5.0", "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) \udcff",
                                "\x00\x01\x7f", "\u4e2d\u6587\u6d4f\u89c8\u5668 \xff\xfe"])
def test_strings_no_browser_sends_are_classified_not_raised(classifier: AgentClassifier, ua: str) -> None:
    """Headers arrive as latin-1, but `classify` takes any str: lone surrogates cannot reach the Rust matchers."""
    agent = classifier.classify(ua)
    assert (agent.device, agent.is_bot) == ("mobile" if "iPhone" in ua else "other", False)


def old_device_class(parsed: DefaultedResult) -> str:
    """user-agents 2.2's own properties, fed the same ua-parser 1.x result, in the edge's old order."""
    old = object.__new__(user_agents.parsers.UserAgent)  # its __init__ parses with ua-parser's legacy API
    old.ua_string = parsed.string
    old.os = user_agents.parsers.parse_operating_system(parsed.os.family, parsed.os.major, parsed.os.minor,
                                                        parsed.os.patch, parsed.os.patch_minor)
    old.browser = user_agents.parsers.parse_browser(parsed.user_agent.family, parsed.user_agent.major,
                                                    parsed.user_agent.minor, parsed.user_agent.patch)
    old.device = user_agents.parsers.parse_device(parsed.device.family, parsed.device.brand, parsed.device.model)
    if old.is_tablet:
        return "tablet"
    if old.is_mobile:
        return "mobile"
    return "desktop" if old.is_pc else "other"


@pytest.mark.fixtures
def test_the_device_rules_are_user_agents_own_on_every_uap_core_case(shared_fixtures: Path) -> None:
    """The port, checked alone: same parse in, same device class out, on ~20k uap-core UAs."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    uas = {
        case["user_agent_string"]
        for name in ("test_ua.yaml", "test_os.yaml", "test_device.yaml")
        for case in yaml.load((shared_fixtures / "uap" / name).read_text(encoding="utf-8"), Loader=loader)["test_cases"]
    }
    parser = ua_parser_for_process()
    ours = {}
    differ = []
    for ua in uas:
        parsed = parser.parse(ua).with_defaults()
        ours[ua] = device_class(parsed)
        if ours[ua] != old_device_class(parsed):
            differ.append(ua)
    counts = {name: sum(device == name for device in ours.values()) for name in ("desktop", "mobile", "tablet", "other")}
    print(f"{len(uas)} UAs: {counts}")
    assert len(uas) > 15_000 and min(counts.values()) > 100
    assert differ == []
