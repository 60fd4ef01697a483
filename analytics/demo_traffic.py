"""Realistic, seeded demo traffic so a fresh checkout has a dashboard worth looking at.

Over ``days`` days ending ``until`` it writes what the edge and the imports would have written for
the demo accounts and the site's pages: mostly anonymous visits (with bots and a little preview
traffic that reports must leave out), several people per target account, a few accounts surging
this week, a few gone quiet (one a tier-1 customer), a few first seen this week, visits from every
kind of channel, leads whose earlier anonymous visits share their visitor id, both holdout arms
(control converts less, honestly), webinar attendance that drops at the product demo, and CRM
stages, opportunities and ad spend (`analytics.demo_revenue`). The same seed, accounts, pages and ``until`` give the same rows.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import personalize.manifest as manifest_module
from analytics import demo_revenue
from analytics.period import iso
from analytics.store import BATCH, Store
from analytics.webinars import WebinarPage
from personalize.accounts import Account
from personalize.events import UTM_FIELDS

DAY = timedelta(days=1)
SOURCE = "demo"


@dataclass(frozen=True)
class DemoPage:
    url: str  # site-relative, e.g. "/resources/orange-books/abm-playbook/"
    stage: str = "tofu"
    industries: tuple[str, ...] = ("all",)
    download: str | None = None  # the asset's URL path, e.g. "/downloads/abm-playbook.pdf"


BUILT_IN_PAGES = (
    DemoPage("/"), DemoPage("/resources/"), DemoPage("/resources/articles/what-is-abm/"),
    DemoPage("/resources/orange-books/abm-playbook/", "mofu", download="/downloads/abm-playbook.pdf"),
    DemoPage("/resources/cases/huajun-heavy-industry/", "bofu", ("manufacturing",)),
    DemoPage("/resources/datasheets/channel-cloud/", "bofu", download="/downloads/channel-cloud.pdf"),
    DemoPage("/pricing/", "bofu"),
)  # fmt: skip

#: (weight, utm_source, utm_medium, referrer host); a UTM source of None is an untagged visit.
CHANNELS = (
    (22, None, None, None),  # direct (and WeChat's in-app browser, which sends no referrer)
    (14, None, None, "www.baidu.com"), (3, None, None, "www.sogou.com"), (2, None, None, "www.so.com"),
    (4, None, None, "cn.bing.com"), (3, None, None, "www.google.com"), (4, None, None, "mp.weixin.qq.com"),
    (2, None, None, "weibo.com"), (3, None, None, "www.zhihu.com"), (2, None, None, "www.bilibili.com"),
    (2, None, None, "www.linkedin.com"),
    (14, "baidu", "cpc", "www.baidu.com"), (8, "wechat", "social", None), (6, "edm", "email", None),
    (4, "infoq", "syndication", "www.infoq.cn"), (3, "36kr", "syndication", "36kr.com"), (4, "event", "offline", None),
)  # fmt: skip
BAIDU_PLANS = {
    "品牌词": {"品牌-核心": ["abm-site", "abm 营销平台"]},
    "行业解决方案": {"制造-售后": ["售后服务管理系统", "现场服务软件"], "快消-渠道": ["经销商管理系统", "渠道管理 dms"]},
    "竞品词": {"竞品-crm": ["crm 系统对比", "营销自动化软件"]},
}  # fmt: skip
CAMPAIGNS = {
    "wechat": ["2026-服务化专题推文", "abm-实战系列"], "edm": ["newsletter-2026-10", "newsletter-2026-11"],
    "infoq": ["数字化案例专栏"], "36kr": ["企服观察"], "event": ["2026-智能制造展", "2026-零售峰会"],
}  # fmt: skip
DEVICES = (("desktop", "Chrome", "Windows", 55), ("desktop", "Edge", "Windows", 12), ("desktop", "Safari", "Mac OS X", 8),
           ("mobile", "WeChat", "iOS", 12), ("mobile", "Chrome Mobile", "Android", 10), ("tablet", "Mobile Safari", "iOS", 3))
BOTS = (("Baiduspider", "Other"), ("Googlebot", "Other"), ("bingbot", "Other"), ("YisouSpider", "Other"))
REGIONS = ("Shanghai", "Beijing", "Guangdong", "Zhejiang", "Jiangsu", "Sichuan")
MATCH_SOURCES = (("ip_range", 35), ("geoip_org", 25), ("geoip_domain", 10), ("cookie", 15), ("utm", 8), ("link", 7))
BASE_RATE = {1: 1.3, 2: 0.6, 3: 0.22}  # sessions per day of a target account, by tier
CONTROL_SHARE = 0.10
CONVERT = {"personalized": 0.045, "control": 0.03}  # CTA click chance per account session
#: Companies outside the target list; business domains, since the lead form refuses free mail.
BUSINESS_DOMAINS = ("xinda-tech.example.cn", "huaxin-group.example.cn", "mingyuan-logistics.example.cn")


@dataclass
class Traffic:
    events: list[dict[str, Any]] = field(default_factory=list)
    leads: list[dict[str, Any]] = field(default_factory=list)
    spans: list[dict[str, Any]] = field(default_factory=list)
    registrants: list[dict[str, Any]] = field(default_factory=list)
    crm: list[dict[str, Any]] = field(default_factory=list)
    opportunities: list[dict[str, Any]] = field(default_factory=list)
    spend: list[dict[str, Any]] = field(default_factory=list)
    #: account id -> its role in the story ("surge", "quiet", "new"), for tests and the summary
    story: dict[str, str] = field(default_factory=dict)
    arms: dict[str, str] = field(default_factory=dict)


def _weighted(rng: random.Random, items: Sequence[Any]) -> Any:
    """An item of (..., weight) tuples, chosen by its weight."""
    return rng.choices(items, weights=[item[-1] for item in items])[0]


class _Generator:
    def __init__(self, rng: random.Random, accounts: Sequence[Account], pages: Sequence[DemoPage], since: datetime):
        self.rng, self.accounts, self.pages, self.since = rng, list(accounts), list(pages) or list(BUILT_IN_PAGES), since
        self.out = Traffic()

    def token(self, prefix: str) -> str:
        return f"{prefix}{self.rng.getrandbits(64):016x}"

    def moment(self, day: datetime) -> datetime:
        """A time on ``day`` in Chinese office hours mostly (UTC+8), as UTC."""
        hour = self.rng.choices(range(24), weights=[1, 1, 1, 1, 1, 1, 2, 4, 8, 12, 12, 10, 6, 9, 12, 12, 10, 8, 6, 5, 5, 4, 3, 2])[0]
        return day + timedelta(hours=hour - 8, minutes=self.rng.random() * 60)

    def story(self) -> None:
        """Pick surging, quiet and new accounts and the control arm, deterministically for the seed."""
        ordered = sorted(self.accounts, key=lambda a: a.id)
        customers = [a for a in ordered if a.tier == 1 and a.stage == "customer"] or [a for a in ordered if a.tier == 1]
        rest = [a for a in ordered if a not in customers[:1]]
        self.rng.shuffle(rest)
        picks = {"quiet": customers[:1] + rest[:2], "surge": rest[2:5], "new": [a for a in rest[5:] if a.tier == 3][:2]}
        self.out.story = {a.id: role for role, group in picks.items() for a in group}
        control = set(self.rng.sample([a.id for a in ordered], max(2, round(len(ordered) * CONTROL_SHARE)))) if ordered else set()
        self.out.arms = {a.id: "control" if a.id in control else "personalized" for a in ordered}

    def channel(self, day: datetime) -> dict[str, Any]:
        _, source, medium, referrer = self.rng.choices(CHANNELS, weights=[c[0] for c in CHANNELS])[0]
        fields: dict[str, Any] = {"referrer_host": referrer, "utm_source": source, "utm_medium": medium}
        if source == "baidu":
            plan = self.rng.choice(sorted(BAIDU_PLANS))
            unit = self.rng.choice(sorted(BAIDU_PLANS[plan]))
            fields |= {"utm_campaign": plan, "utm_content": unit, "utm_term": self.rng.choice(BAIDU_PLANS[plan][unit]),
                       "extra": {"bd_vid": str(self.rng.getrandbits(40))}}
        elif source is not None:
            fields["utm_campaign"] = self.rng.choice(CAMPAIGNS[source])
        return fields

    def session(self, day: datetime, visitor: str, *, account: Account | None = None, pages: int | None = None,
                bot: bool = False, preview: bool = False, start: datetime | None = None
                ) -> tuple[datetime, dict[str, Any]]:
        """One visit: pageviews with engagement, maybe a CTA click and a download.

        Returns its end and the fields its events share (session, channel, account), so a lead
        taken at the end of the visit is attributed to the same session and channel.
        """
        rng = self.rng
        at = start or self.moment(day)
        device, browser, os_name = (("bot", *rng.choice(BOTS)) if bot else _weighted(rng, DEVICES)[:3])
        arm = self.out.arms.get(account.id) if account else None
        variant = ("default" if arm == "control" or account is None else
                   f"account:{account.id}" if account.tier == 1 else f"industry:{account.industry}")
        match = "link" if preview else _weighted(rng, MATCH_SOURCES)[0] if account else "none"
        common = {
            "visitor_id": visitor, "session_id": self.token("s"), **({} if bot else self.channel(day)),
            "account_id": account.id if account else None, "match_source": match,
            "industry": account.industry if account else None, "variant": variant, "arm": arm,
            "owner": account.owner if account and match == "link" else None, "device": device, "browser": browser,
            "os": os_name, "is_bot": bot, "is_preview": preview, "country": "CN", "region": rng.choice(REGIONS),
            "ip_hash": f"{rng.getrandbits(64):016x}",
        }  # fmt: skip
        relevant = [p for p in self.pages if account is None or "all" in p.industries or account.industry in p.industries]
        count = pages or min(1 + int(rng.expovariate(0.6)), 8)
        for index in range(count):
            page = rng.choice(relevant or self.pages)
            self.event(at, "pageview", common, page.url, extra=common.get("extra") if index == 0 else None)
            seconds = 5.0 if bot else round(min(rng.lognormvariate(3.6, 0.9), 900.0), 1)
            self.event(at + timedelta(seconds=seconds), "engagement", common, page.url, value=seconds)
            at += timedelta(seconds=seconds + rng.uniform(2, 20))
            if not bot and account is not None and rng.random() < CONVERT[arm or "personalized"] * 2 / count:
                self.event(at, "cta_click", common, page.url)
                if page.download:
                    self.event(at + timedelta(seconds=3), "download", common, page.url, extra={"asset": page.download})
            elif not bot and page.download and rng.random() < 0.03:
                self.event(at, "download", common, page.url, extra={"asset": page.download})
        return at, common

    def event(self, at: datetime, kind: str, common: dict[str, Any], path: str, *,
              extra: dict[str, Any] | None = None, value: float | None = None) -> None:
        self.out.events.append({**common, "ts": iso(at), "kind": kind, "path": path, "extra": extra, "value": value})

    def account_traffic(self, days: int, until: datetime) -> Iterator[None]:
        """Per day: anonymous visits, bots, previews and each account's sessions by its story."""
        rng = self.rng
        people = {a.id: [self.token("v") for _ in range(rng.randint(2, 3 + 2 * (4 - a.tier)))] for a in self.accounts}
        returning: list[str] = []
        for offset in range(days + 1):
            day = self.since + offset * DAY
            age = (until - day).days  # 0 = the day `until` falls on
            weekend = day.weekday() >= 5
            for _ in range(rng.randint(25, 40) if weekend else rng.randint(55, 80)):
                visitor = rng.choice(returning) if returning and rng.random() < 0.3 else self.token("v")
                returning.append(visitor)
                self.session(day, visitor, bot=rng.random() < 0.1)
            for account in self.accounts:
                role = self.out.story.get(account.id)
                rate = BASE_RATE.get(account.tier, 0.3) * (0.4 if weekend else 1.0)
                if role in ("surge", "new") and age <= 7:
                    rate *= 4  # surging accounts bring new people too
                    if rng.random() < 0.4:
                        people[account.id].append(self.token("v"))
                if (role == "quiet" and age <= 18) or (role == "new" and age > 5):
                    rate = 0
                first_day = role == "new" and age == 5  # a new account is seen, whatever the draw
                for _ in range(max(_poisson(rng, rate), int(first_day))):
                    self.session(day, rng.choice(people[account.id]), account=account,
                                 preview=rng.random() < 0.02)
            yield

    def leads(self, days: int, count: int) -> None:
        """Lead journeys: anonymous visits by one visitor id, then the form with consent."""
        rng = self.rng
        for number in range(count):
            active = [a for a in self.accounts if a.id not in self.out.story]  # keep the quiet ones quiet
            account = rng.choice(active) if active and rng.random() < 0.6 else None
            visitor = self.token("v")
            lead_day = self.since + rng.randrange(min(3, days - 1), days) * DAY  # --days 1 works too
            for _ in range(rng.randint(1, 4)):
                self.session(lead_day - rng.randint(1, 20) * DAY, visitor)
            page = rng.choice([p for p in self.pages if p.download] or self.pages)
            at = self.moment(lead_day)
            end, visit = self.session(lead_day, visitor, account=account, pages=1, start=at)
            name = rng.choice("张王李赵刘陈杨黄周吴") + rng.choice(["伟", "芳", "敏", "静", "磊", "洋", "婷", "强"])
            domain = account.domains[0] if account and account.domains else rng.choice(BUSINESS_DOMAINS)
            common = {**visit, "match_source": "cookie" if account else "none"}
            self.event(end, "lead", common, page.url)
            self.out.leads.append({
                "lead_id": f"L{number:05d}-{rng.getrandbits(32):08x}", "ts": iso(end), "visitor_id": visitor,
                "name": name, "company": account.name if account else "", "email": f"user{number}@{domain}",
                "role": rng.choice(["IT 经理", "市场总监", "销售副总裁", "运营负责人"]), "account_id": account.id if account else None,
                "match_source": common["match_source"], "path": page.url, "asset": page.download,
                "consent_text": "我同意接收产品资讯，并已阅读隐私政策", "consent_ts": iso(end),
                "owner": account.owner if account else None, "session_id": visit["session_id"], "ip_hash": visit["ip_hash"],
                **{field: visit.get(field) for field in UTM_FIELDS},
            })  # fmt: skip

    def webinar(self, page: WebinarPage, until: datetime) -> None:
        """Registrants for every webinar; for past ones, join/leave spans with a drop at the demo."""
        rng = self.rng
        start, end = page.start, page.start + timedelta(minutes=page.duration)
        demo = next((a for a in page.agenda if "演示" in a.title or "demo" in a.title.lower()), None)
        drop_at = demo.at if demo else page.duration // 2
        for number in range(rng.randint(70, 110) if start < until else rng.randint(15, 30)):
            account = rng.choice(self.accounts) if self.accounts and rng.random() < 0.5 else None
            domain = account.domains[0] if account and account.domains else "example.cn"
            person = {"webinar": page.slug, "name": f"参会者{number:03d}", "email": f"guest{number}@{domain}",
                      "company": account.name if account else "", "account_id": account.id if account else None,
                      "source": SOURCE}
            registered = start - timedelta(days=rng.uniform(1, 20))
            self.out.registrants.append({**person, "registered_at": iso(min(registered, until))})
            if start >= until or rng.random() > 0.58:
                continue  # a no-show, or the webinar is still ahead
            join = start + timedelta(minutes=max(-5.0, rng.gauss(2, 4)))
            left = drop_at + rng.uniform(0, 7) if rng.random() < 0.35 else rng.uniform(5, page.duration + 5)
            leave = min(start + timedelta(minutes=max(left, 3)), end + timedelta(minutes=3))
            self.out.spans.append({**person, "join_ts": iso(join), "leave_ts": iso(max(leave, join)), "role": "attendee"})
        for role, name in (("host", "主持人"), ("panelist", "嘉宾一"), ("panelist", "嘉宾二")):
            if start < until:
                self.out.spans.append({"webinar": page.slug, "name": name, "email": f"{name}@vendor.example",
                                       "role": role, "join_ts": iso(start - timedelta(minutes=10)),
                                       "leave_ts": iso(end + timedelta(minutes=5)), "source": SOURCE})

    def crm(self, until: datetime) -> None:
        for account in self.accounts:
            if account.stage and account.stage != "unaware":
                updated = until - timedelta(days=self.rng.randint(1, 80))
                amount = round(self.rng.uniform(5, 80), 1) * 10000 if account.stage in ("opportunity", "customer") else None
                self.out.crm.append({"account_id": account.id, "stage": account.stage, "amount": amount,
                                     "updated_at": iso(updated), "source": SOURCE})


def _poisson(rng: random.Random, rate: float) -> int:
    """Knuth's method: fine for the small daily rates here."""
    limit, count, product = math.exp(-rate), 0, rng.random()
    while product > limit:
        count, product = count + 1, product * rng.random()
    return count


def generate(
    *, seed: int, days: int, until: datetime, accounts: Sequence[Account], pages: Sequence[DemoPage],
    webinars: Sequence[WebinarPage] = (), on_day: Callable[[], None] | None = None,
) -> Traffic:
    """All demo rows for ``days`` days before ``until`` (aware datetime), deterministic for ``seed``."""
    first = until - days * DAY
    since = first.replace(hour=0, minute=0, second=0, microsecond=0)
    generator = _Generator(random.Random(seed), accounts, pages, since)
    generator.story()
    for _ in generator.account_traffic(days, until):
        if on_day is not None:
            on_day()
    generator.leads(days, max(10, days // 2))
    for page in webinars:
        generator.webinar(page, until)
    generator.crm(until)
    out = generator.out
    out.opportunities = demo_revenue.opportunities(generator.rng, accounts, first, until, SOURCE)
    out.spend = demo_revenue.spend(generator.rng, paid_campaigns(), first, until, SOURCE)
    window = (iso(first), iso(until))
    out.events = sorted((e for e in out.events if window[0] <= e["ts"] < window[1]), key=lambda e: e["ts"])
    out.leads = [lead for lead in out.leads if window[0] <= lead["ts"] < window[1]]
    return out


def paid_campaigns() -> dict[tuple[str, str], list[str]]:
    """(utm_source, utm_medium) -> campaign names of the demo's tagged channels, which all cost money."""
    found = {("baidu", "cpc"): sorted(BAIDU_PLANS)}
    for _, source, medium, _ in CHANNELS:
        if source is not None and medium is not None and source != "baidu":
            found[(source, medium)] = CAMPAIGNS[source]
    return found


def _asset(download: str | None) -> str | None:
    return "/" + download.lstrip("/") if download else None


def site_pages(site: Path) -> list[DemoPage]:
    """The pages visitors can reach: the built manifest's (public pages only), else a built-in list."""
    path = manifest_module.find_public(site)
    if path is None:
        return list(BUILT_IN_PAGES)
    pages = manifest_module.read(path).pages
    found = [DemoPage("/" + p.url.lstrip("/"), p.stage, tuple(p.industries), _asset(p.download)) for p in pages]
    return [DemoPage("/"), DemoPage("/resources/"), *found]


def write(store: Store, traffic: Traffic, *, on_batch: Callable[[int], None] | None = None) -> dict[str, int]:
    """Insert everything in batches; demo webinar and CRM rows replace earlier demo rows."""
    advance = on_batch or (lambda n: None)
    for start in range(0, len(traffic.events), BATCH):
        batch = traffic.events[start : start + BATCH]
        store.insert_events(batch)
        advance(len(batch))
    store.insert_rows("leads", traffic.leads)
    store.replace_rows("webinar_registrants", traffic.registrants, key={"source": SOURCE})
    store.replace_rows("webinar_spans", traffic.spans, key={"source": SOURCE})
    store.replace_rows("crm_stages", traffic.crm, key={"source": SOURCE})
    store.replace_rows("crm_opportunities", traffic.opportunities, key={"source": SOURCE})
    store.replace_rows("spend", traffic.spend, key={"source": SOURCE})
    return {"events": len(traffic.events), "leads": len(traffic.leads), "webinar spans": len(traffic.spans),
            "webinar registrants": len(traffic.registrants), "CRM stages": len(traffic.crm),
            "opportunities": len(traffic.opportunities), "spend rows": len(traffic.spend)}
