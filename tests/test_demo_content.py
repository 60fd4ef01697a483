"""The demo data shows every feature: enough resources of every kind, variants with logos for
each industry, a realistic target-account list, and GeoIP databases that identify its accounts.

Read through the project's own readers, so the demo stays valid as the rules evolve.
"""

from __future__ import annotations

import csv
import functools
import importlib.util
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path
from types import ModuleType
from typing import Any
from xml.etree import ElementTree

import geoip2.database
import pytest

from personalize.accounts import Account, AccountBook, read_accounts
from personalize.build.frontmatter import Resource
from personalize.build.resources import collect
from personalize.build.variants import Variant, read_variants
from personalize.edge.geoip import GeoIP
from personalize.taxonomy import Taxonomy

REPO = Path(__file__).resolve().parents[1]
CONTENT = REPO / "content"
DEMO = REPO / "demo"
TAXONOMY = Taxonomy.load(REPO / "taxonomy.yml")
INDUSTRIES = [industry for industry in TAXONOMY.ids("industries") if industry != "all"]
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def resources() -> list[Resource]:
    found, problems = collect(CONTENT, root=REPO, taxonomy=TAXONOMY, strict=True)
    assert problems == []
    return found


@pytest.fixture(scope="module")
def public(resources: list[Resource]) -> list[Resource]:
    return [resource for resource in resources if not resource.accounts]


@pytest.fixture(scope="module")
def accounts() -> list[Account]:
    found, problems = read_accounts(DEMO / "accounts.csv", TAXONOMY)
    assert problems == []
    return found


@pytest.fixture(scope="module")
def book(accounts: list[Account]) -> AccountBook:
    return AccountBook(accounts)


@pytest.fixture(scope="module")
def variants() -> dict[str, Variant]:
    sources = [(f"content/variants/{path.name}", path.read_text(encoding="utf-8"))
               for path in sorted((CONTENT / "variants").glob("*.md"))]
    found, problems = read_variants(sources, taxonomy=TAXONOMY, docs_dir=CONTENT)
    assert problems == []
    return found


# --- resources -------------------------------------------------------------------------------

def test_resources_cover_every_industry_stage_and_type(public: list[Resource]) -> None:
    assert len(public) >= 24
    industries = Counter(industry for resource in public for industry in resource.industries)
    assert set(INDUSTRIES) <= set(industries), industries
    assert industries["all"] >= 3, "several resources are for every industry"
    for industry in INDUSTRIES:
        own = [r for r in public if industry in r.industries]
        assert len(own) >= 3, f"{industry} has only {len(own)} resources of its own"
    assert {resource.stage for resource in public} == {"tofu", "mofu", "bofu"}
    assert {resource.type for resource in public} == set(TAXONOMY.ids("types"))


def test_every_resource_has_a_real_body(public: list[Resource]) -> None:
    for resource in public:
        body = (REPO / resource.path).read_text(encoding="utf-8").split("---\n", 2)[2]
        chinese = len(re.findall(r"[\u4e00-\u9fff]", body))
        assert 150 <= chinese <= 900, f"{resource.path}: {chinese} Chinese characters"
        assert re.search(r"^## ", body, re.MULTILINE), f"{resource.path}: no section headings"
        assert resource.summary and resource.date and resource.topics, resource.path


def test_words_the_search_must_find_are_in_the_content(public: list[Resource]) -> None:
    text = "".join((REPO / resource.path).read_text(encoding="utf-8") for resource in public)
    for word in ("数字化转型", "经销商", "售后服务", "全渠道", "橙皮书"):
        assert text.count(word) >= 2, word


def webinar_of(resource: Resource) -> dict[str, Any]:
    """A webinar resource's date, duration and agenda (the front matter's webinar block)."""
    assert resource.webinar is not None, f"{resource.path}: a webinar without its webinar block"
    return resource.webinar


def test_webinars_have_realistic_agendas(public: list[Resource]) -> None:
    webinars = [resource for resource in public if resource.type == "webinar"]
    assert len(webinars) >= 2
    assert len({webinar_of(webinar)["start"][:10] for webinar in webinars}) == len(webinars)
    for resource in webinars:
        webinar = webinar_of(resource)
        assert 60 <= webinar["duration"] <= 90, resource.path
        minutes = [item["at"] for item in webinar["agenda"]]
        assert 6 <= len(minutes) <= 10, resource.path
        assert minutes[0] == 0 and minutes == sorted(set(minutes)) and minutes[-1] < webinar["duration"]
        titles = " ".join(item["title"] for item in webinar["agenda"])
        for part in ("开场", "案例", "演示", "问答"):
            assert part in titles, f"{resource.path}: no {part} in the agenda"


def test_gated_and_open_assets_are_real_files(public: list[Resource]) -> None:
    assert {resource.gated for resource in public} == {"true", "false", "auto"}
    downloads = {resource.download: resource.gated for resource in public if resource.download}
    assert len(downloads) >= 8
    assert {"true", "false"} <= set(downloads.values())
    for download in downloads:
        path = CONTENT / download
        data = path.read_bytes()
        if path.suffix == ".pdf":
            assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF"), download
            assert len(data) < 150_000, f"{download}: {len(data)} bytes"
        else:
            assert path.suffix == ".csv", download
            rows = list(csv.reader(data.decode("utf-8-sig").splitlines()))
            assert len(rows) > 10 and len({len(row) for row in rows}) == 1, download


def test_pages_for_named_accounts_are_private_and_unlinked(resources: list[Resource],
                                                           book: AccountBook) -> None:
    private = [resource for resource in resources if resource.accounts]
    assert len(private) >= 2
    for resource in private:
        assert resource.path.startswith("content/resources/accounts/"), resource.path
        assert all(book.get(account) for account in resource.accounts), resource.accounts
    for page in CONTENT.rglob("*.md"):
        if "accounts" not in page.relative_to(CONTENT).parts:
            assert "accounts/" not in page.read_text(encoding="utf-8"), f"{page} links an account page"


def test_public_content_never_names_a_target_account(accounts: list[Account],
                                                     variants: dict[str, Variant]) -> None:
    private = {REPO / variant.path for variant in variants.values() if variant.private}
    secrets = {account.name for account in accounts} | {d for account in accounts for d in account.domains}
    for path in CONTENT.rglob("*"):
        if path.suffix not in (".md", ".svg", ".csv") or path in private or "accounts" in path.parts:
            continue
        text = path.read_text(encoding="utf-8-sig")
        leaked = sorted(secret for secret in secrets if secret in text)
        assert not leaked, f"{path.relative_to(REPO)} names target accounts: {leaked}"


def test_plain_pages_exist_outside_resources() -> None:
    home = (CONTENT / "index.md").read_text(encoding="utf-8")
    assert "template: home.html" in home
    for name in ("pricing.md", "demo.md", "about.md"):
        assert (CONTENT / name).is_file(), name


# --- variants, logos, heroes ---------------------------------------------------------------

def test_every_industry_has_a_hero_and_a_logo_wall(variants: dict[str, Variant]) -> None:
    for key in ["default", *(f"industry:{industry}" for industry in INDUSTRIES)]:
        slots = variants[key].slots
        assert set(slots) == {"hero", "logos", "cta"}, key
        assert set(slots["hero"]) == {"eyebrow", "title", "subtitle", "image"}, key
        items = slots["logos"]["items"]
        assert 5 <= len(items) <= 6, key
        assert all((CONTENT / item["logo"]).suffix == ".svg" for item in items), key
    walls = [tuple(item["name"] for item in variants[f"industry:{i}"].slots["logos"]["items"]) for i in INDUSTRIES]
    assert len({name for wall in walls for name in wall}) == sum(map(len, walls)), "a customer on two walls"


def test_account_variants_address_tier1_accounts_by_name(variants: dict[str, Variant], book: AccountBook) -> None:
    private = [variant for variant in variants.values() if variant.private]
    assert len(private) >= 3
    for variant in private:
        account = book.get(variant.key.removeprefix("account:"))
        assert account is not None and account.tier == 1, variant.key
        assert account.name in variant.slots["hero"]["title"], variant.key


def _svg_problems(path: Path) -> list[str]:
    """What would make an SVG not self-contained: remote or file references, scripts, no viewBox."""
    root = ElementTree.parse(path).getroot()
    problems = [] if root.tag == f"{SVG}svg" and root.get("viewBox") else ["not an <svg> with a viewBox"]
    for element in root.iter():
        if element.tag in (f"{SVG}image", f"{SVG}script", f"{SVG}use", f"{SVG}style", f"{SVG}foreignObject"):
            problems.append(f"<{element.tag.removeprefix(SVG)}>")
        for name, value in element.attrib.items():
            if name.endswith("href") or ("url(" in value and "url(#" not in value):
                problems.append(f"{name}={value!r}")
    return problems


def test_logos_and_heroes_are_small_self_contained_svgs() -> None:
    logos = sorted((CONTENT / "assets" / "logos").glob("*.svg"))
    heroes = {path.stem: path for path in (CONTENT / "assets" / "heroes").glob("*.svg")}
    assert len(logos) >= 30
    assert set(INDUSTRIES) <= set(heroes)
    for path, limit in [*((logo, 3_000) for logo in logos), *((hero, 6_000) for hero in heroes.values())]:
        assert path.stat().st_size < limit, path.name
        assert _svg_problems(path) == [], path.name
    names = [ElementTree.parse(path).getroot().findtext(f"{SVG}text") for path in logos]
    assert all(names) and len(set(names)) == len(logos), "each logo carries its company name"


# --- accounts -------------------------------------------------------------------------------

def test_accounts_are_a_realistic_target_list(accounts: list[Account]) -> None:
    assert len(accounts) >= 30
    tiers = Counter(account.tier for account in accounts)
    assert tiers[1] < tiers[2] < tiers[3] and tiers[2] == 2 * tiers[1], tiers
    assert {account.industry for account in accounts} == set(INDUSTRIES)
    assert {account.stage for account in accounts} == {
        "unaware", "aware", "engaged", "qualified", "opportunity", "customer"}
    assert all(account.owner and re.fullmatch(r"[\u4e00-\u9fff]{2,3}", account.owner) for account in accounts)
    assert sum(bool(account.ip_ranges) for account in accounts) >= 6
    assert any(len(account.ip_ranges) > 1 for account in accounts)
    assert any(len(account.domains) > 1 for account in accounts)


def test_accounts_csv_is_plain_utf8_with_the_documented_header() -> None:
    with (DEMO / "accounts.csv").open(encoding="utf-8", newline="") as file:
        header = next(csv.reader(file))
    assert header == ["id", "name", "domains", "industry", "tier", "ip_ranges", "owner", "stage"]


def _open(*paths: Path) -> GeoIP:
    return GeoIP.open(list(paths))


@pytest.mark.fixtures
@pytest.mark.parametrize(("database", "ip", "account_id", "by"), [
    ("GeoIP2-Enterprise-Test.mmdb", "89.160.20.113", "ACC-011", "organization"),  # Bevtec -> Bevtec AB
    ("GeoIP2-Enterprise-Test.mmdb", "216.160.83.57", "ACC-010", "organization"),  # Lariat Software, Inc.
    ("GeoIP2-ISP-Test.mmdb", "38.105.0.65", "ACC-019", "organization"),  # GHD -> GHD Pty Ltd
    ("GeoIP2-ISP-Test.mmdb", "82.99.17.97", "ACC-022", "organization"),  # Effectiv Solutions GmbH
    ("GeoIP2-Domain-Test.mmdb", "1.2.0.1", "ACC-023", "domain"),  # maxmind.com
])
def test_accounts_are_found_in_the_geoip_test_databases(shared_fixtures: Path, book: AccountBook,
                                                        database: str, ip: str, account_id: str, by: str) -> None:
    with _open(shared_fixtures / "maxmind" / database) as geoip:
        facts = geoip.lookup(ip)
    found = book.by_org_name(facts.organization or "") if by == "organization" else book.by_domain(facts.domain or "")
    assert found is not None and found.id == account_id, facts


@pytest.mark.fixtures
@pytest.mark.parametrize(("database", "ip"), [
    ("GeoIP2-Enterprise-Test.mmdb", "74.209.16.1"),  # Fairpoint, residential
    ("GeoIP2-Enterprise-Test.mmdb", "214.78.120.1"),  # Starlink
    ("GeoIP2-Enterprise-Test.mmdb", "149.101.100.1"),  # Verizon Wireless, cellular
    ("GeoIP2-ISP-Test.mmdb", "1.128.0.1"),  # Telstra
])
def test_no_account_is_named_like_an_isp(shared_fixtures: Path, book: AccountBook, database: str, ip: str) -> None:
    with _open(shared_fixtures / "maxmind" / database) as geoip:
        facts = geoip.lookup(ip)
    assert facts.organization
    for name in (facts.organization, facts.isp, facts.as_org):
        assert name is None or book.by_org_name(name) is None, name
    assert facts.domain is None or book.by_domain(facts.domain) is None


# --- demo GeoIP database --------------------------------------------------------------------

@functools.cache
def _make_geoip() -> ModuleType:
    """demo/make_geoip.py as a module (demo/ is not a package); registered so its dataclass works."""
    spec = importlib.util.spec_from_file_location("demo_make_geoip", DEMO / "make_geoip.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def demo_mmdb(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    path = tmp_path_factory.mktemp("geoip") / "demo.mmdb"
    result = subprocess.run([sys.executable, str(DEMO / "make_geoip.py"), str(path)],
                            capture_output=True, text=True, check=True)
    return path, result.stdout


def test_make_geoip_writes_an_enterprise_database_that_reads_back(demo_mmdb: tuple[Path, str]) -> None:
    path, printed = demo_mmdb
    module = _make_geoip()
    with geoip2.database.Reader(str(path)) as reader:
        assert reader.metadata().database_type == "GeoIP2-Enterprise"
        for network in module.NETWORKS:
            ip = module.try_ip(network)
            assert ip in printed
            answer = reader.enterprise(ip)
            assert str(answer.traits.network) == network.cidr
            assert answer.country.iso_code == "CN" and answer.city.names["zh-CN"] == network.city
            assert answer.subdivisions.most_specific.iso_code
            assert (answer.traits.organization, answer.traits.domain) == (network.organization, network.domain)
            assert (answer.traits.user_type, answer.traits.connection_type) == (network.user_type,
                                                                                network.connection_type)


def test_demo_geoip_networks_identify_the_accounts_they_claim(demo_mmdb: tuple[Path, str],
                                                              book: AccountBook) -> None:
    module = _make_geoip()
    sources: Counter[str] = Counter()
    with _open(demo_mmdb[0]) as geoip:
        for network in module.NETWORKS:
            ip = module.try_ip(network)
            facts = geoip.lookup(ip)
            assert book.by_ip(ip) is None, f"{network.cidr} overlaps an account's ip_ranges"
            by_org = book.by_org_name(facts.organization or "")
            by_domain = book.by_domain(facts.domain or "")
            claimed = re.search(r"ACC-\d{3}", network.shows)
            if claimed is None:  # a carrier network: it must match no account
                assert by_org is None and by_domain is None and facts.user_type in ("residential", "cellular")
                sources["none"] += 1
            elif network.organization:
                assert by_org is not None and by_org.id == claimed.group(), network.shows
                assert by_org.name != network.organization, "GeoIP spells the legal name"
                sources["geoip_org"] += 1
            else:
                assert by_domain is not None and by_domain.id == claimed.group(), network.shows
                sources["geoip_domain"] += 1
    assert sources["geoip_org"] >= 5 and sources["geoip_domain"] >= 1 and sources["none"] >= 2


def test_make_geoip_without_an_output_path_prints_usage() -> None:
    result = subprocess.run([sys.executable, str(DEMO / "make_geoip.py")], capture_output=True, text=True)
    assert result.returncode == 2
    assert "Usage: python demo/make_geoip.py OUT.mmdb" in result.stderr
