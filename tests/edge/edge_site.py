"""A small hand-written build (site, private dir, manifests), accounts CSV and secret for edge tests.

Markers in the fragments (HERO-DEFAULT, HERO-MANUFACTURING, HERO-ACC-1, OPEN-LINK, and the lead
form's GATED_FORM attribute) let a test tell from the body which variant and which CTA were served.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from personalize import leadform, manifest
from personalize.edge.leads import gated_cta
from personalize.edge.settings import Settings
from personalize.edge.site import Site, load_site
from personalize.leadform import FormFacts, page_path
from personalize.manifest import Manifest, Page, Webinar

REPO = Path(__file__).resolve().parents[2]
SECRET = "0123456789abcdef" * 4
CONSENT = "我同意按照隐私政策处理以上信息（测试条款）"
ACCOUNTS_CSV = """id,name,domains,industry,tier,ip_ranges,owner,stage
ACC-1,恒锐精工,hengrui-precision.cn,manufacturing,1,203.0.113.0/24,王磊,engaged
ACC-2,Bevtec,bevtec.se,retail,2,,李娜,aware
ACC-3,Military Health Supplies,health.mil,healthcare,3,,,unknown
ACC-4,Lariat Software,lariat.example.com,finance,1,,张伟,qualified
ACC-5,Fairpoint Communications,fairpoint.example.net,fmcg,2,,,unknown
"""
#: Strings from the accounts CSV that must never reach an anonymous visitor.
CONFIDENTIAL = ("恒锐精工", "hengrui-precision", "Bevtec", "bevtec.se", "Lariat", "王磊", "ACC-1")

SCRIPT_TAG = "<script src=/abm/beacon.js defer></script>"
SLOT_HTML = '<div data-abm-slot="{slot}"><!--abm:slot:{slot}-->{html}<!--/abm:slot:{slot}--></div>'
DEFAULTS = {
    "hero": '<h1 class="hero">HERO-DEFAULT 数字化增长</h1>',
    "logos": '<p class="logos">LOGOS-DEFAULT</p>',
    "cta": '<a class="cta" href="/resources/demo/">CTA-DEFAULT 预约演示</a>',
}
VARIANTS = {
    "default": DEFAULTS,
    "industry:manufacturing": {
        "hero": '<h1 class="hero">HERO-MANUFACTURING 让每一条产线在线</h1>',
        "logos": '<p class="logos">LOGOS-MANUFACTURING</p>',
        "cta": '<a class="cta" href="/resources/demo/">CTA-MANUFACTURING</a>',
    },
    "industry:retail": {"hero": '<h1 class="hero">HERO-RETAIL 全渠道零售</h1>'},
    "industry:finance": {"hero": '<h1 class="hero">HERO-FINANCE 金融</h1>'},
}
PRIVATE_VARIANTS = {"account:ACC-1": {"hero": '<h1 class="hero">HERO-ACC-1 恒锐精工专属方案</h1>'}}


#: The lead form's mark in a served body: the one template draws it (`personalize.leadform`).
GATED_FORM = 'data-abm-cta="lead"'


def gated_form(url: str, title: str, download: str) -> str:
    """The lead form as the build draws it into the page."""
    facts = FormFacts(page=page_path(url), asset=page_path(download), title=title, webinar=False, consent=CONSENT)
    return leadform.render(facts)


def _page(url: str, title: str, stage: str, gated: str, *, download: str | None = None, **extra: Any) -> Page:
    cta = None
    if download:
        cta = {"open": f'<a class="OPEN-LINK" href="/{download}" download>下载</a>', "gated": gated_form(url, title, download)}
    return Page(
        url=url,
        file=f"{url}index.html" if url else "index.html",
        src=f"content/{url or 'index'}.md",
        title=title,
        type="whitepaper",
        industries=["all"],
        stage=stage,
        personas=["it"],
        gated=gated,
        download=download,
        slots=["hero", "logos", "cta"],
        cta=cta,
        **extra,
    )


PAGES = [
    _page("", "首页", "tofu", "false"),
    _page("resources/whitepaper/", "制造业白皮书", "mofu", "auto", download="downloads/whitepaper.pdf"),
    _page("resources/trends/", "趋势报告", "tofu", "auto", download="downloads/trends.pdf"),
    _page("resources/casebook/", "客户案例集", "bofu", "true", download="downloads/casebook.pdf"),
    _page("resources/datasheet/", "产品手册", "bofu", "false", download="downloads/datasheet.pdf"),
    _page("webinars/live/", "线上研讨会", "mofu", "false", webinar=Webinar(start="2026-10-15T14:00:00+08:00", duration=60)),
]
PRIVATE_PAGES = [_page("accounts/acc-1/", "恒锐精工专属页", "bofu", "false", accounts=["ACC-1"])]


#: Body text that makes every page longer than the edge's compression threshold (as real pages are).
FILLER = "<p>" + "制造企业的数字化增长从每一条产线、每一台设备和每一次服务开始。" * 24 + "</p>"


def html(title: str, body: str = "") -> str:
    slots = "".join(SLOT_HTML.format(slot=slot, html=DEFAULTS[slot]) for slot in ("hero", "logos"))
    return (
        '<!doctype html><html lang="zh"><head><meta charset="utf-8">'
        f'<title>{title}</title><link rel="stylesheet" href="/assets/stylesheets/main.0123abcd.min.css">'
        f"</head><body>{slots}<article>{body}{FILLER}</article>{SLOT_HTML.format(slot='cta', html=DEFAULTS['cta'])}</body></html>"
    )


def write_edge_site(root: Path) -> Path:
    """Write site/, build/private/, accounts.csv and secret.key under root; return root."""
    site, private = root / "site", root / "build" / "private"
    for page in PAGES:
        _write(site / page.file, html(page.title, f"<p>{page.title} 正文</p>"))
    for page in PRIVATE_PAGES:
        _write(private / page.file, html(page.title, "<p>为恒锐精工准备的方案</p>"))
    _write(site / "404.html", html("页面不存在", "<p>NOT-FOUND 页面不存在</p>"))
    _write(site / "assets/stylesheets/main.0123abcd.min.css", "body{color:#222}")
    _write(site / "assets/extra.css", ".hero{font-size:2em}")
    for name in ("whitepaper", "trends", "casebook", "datasheet"):
        _write(site / f"downloads/{name}.pdf", "%PDF-1.4 test")
    taxonomy = {"industries": {key.split(":")[1]: {"zh": key, "en": key} for key in VARIANTS if ":" in key}}
    public = Manifest(pages=PAGES, variants=VARIANTS, taxonomy=taxonomy, consent=CONSENT)
    manifest.write(public, site / manifest.PUBLIC_FILE)
    private_manifest = Manifest(pages=PRIVATE_PAGES, variants=PRIVATE_VARIANTS, schema=manifest.PRIVATE_SCHEMA)
    manifest.write(private_manifest, private / manifest.PRIVATE_FILE)
    _write(root / "accounts.csv", ACCOUNTS_CSV)
    _write(root / "secret.key", SECRET + "\n")
    return root


def load_test_site(root: Path) -> Site:
    """The hand-written build under root, split the way the edge splits it (a plain script tag)."""
    return load_site(root / "site", root / "build" / "private", script_tag=lambda page: SCRIPT_TAG,
                     gated_form=gated_cta)


def edge_settings(root: Path, **values: Any) -> Settings:
    """Settings for the hand-written build under root, SQLite store in root; override any value."""
    base: dict[str, Any] = {
        "site": root / "site",
        "private_dir": root / "build" / "private",
        "accounts": root / "accounts.csv",
        "taxonomy": REPO / "taxonomy.yml",
        "secret_file": root / "secret.key",
        "db": str(root / "events.sqlite"),
        "spool_dir": root / "spool",  # also for a PostgreSQL store, whose default is ./spool
        "holdout": 0.0,
    }
    base.update(values)
    return Settings(**base)


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")

