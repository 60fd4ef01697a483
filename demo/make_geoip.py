"""Write the demo GeoIP2-Enterprise database: fictitious Chinese company networks for the demo.

The edge identifies a visitor's company from the organization or domain a GeoIP2 database gives
for their IP. MaxMind's test databases only hold English test names, so this script writes one
with the networks of demo accounts (see demo/accounts.csv), registered under their legal names
("乐购优选（中国）有限公司" for the account "乐购优选"), plus carrier networks that must match nothing.

Usage: python demo/make_geoip.py OUT.mmdb   (prints the IPs to try)
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mmdb_writer import MMDBWriter
from netaddr import IPNetwork, IPSet

ASIA = {"code": "AS", "geoname_id": 6255147, "names": {"en": "Asia", "zh-CN": "亚洲"}}
CHINA = {"iso_code": "CN", "geoname_id": 1814991, "names": {"en": "China", "zh-CN": "中国"}}
#: city (zh-CN) -> subdivision ISO code, subdivision names, city name in English
PLACES = {
    "苏州": ("JS", {"zh-CN": "江苏省", "en": "Jiangsu"}, "Suzhou"),
    "天津": ("TJ", {"zh-CN": "天津市", "en": "Tianjin"}, "Tianjin"),
    "呼和浩特": ("NM", {"zh-CN": "内蒙古自治区", "en": "Inner Mongolia"}, "Hohhot"),
    "上海": ("SH", {"zh-CN": "上海市", "en": "Shanghai"}, "Shanghai"),
    "北京": ("BJ", {"zh-CN": "北京市", "en": "Beijing"}, "Beijing"),
    "广州": ("GD", {"zh-CN": "广东省", "en": "Guangdong"}, "Guangzhou"),
    "深圳": ("GD", {"zh-CN": "广东省", "en": "Guangdong"}, "Shenzhen"),
    "杭州": ("ZJ", {"zh-CN": "浙江省", "en": "Zhejiang"}, "Hangzhou"),
}


@dataclass(frozen=True)
class Network:
    """One network of the demo database and what it should show in the demo."""

    cidr: str
    city: str  # a key of PLACES
    shows: str  # what a visitor from here demonstrates
    organization: str | None = None
    domain: str | None = None
    isp: str = "中国电信"
    user_type: str = "business"
    connection_type: str = "Corporate"


NETWORKS = (
    Network("100.64.1.0/24", "苏州", "geoip_org → ACC-007 铭泰机械",
            organization="铭泰机械有限公司"),
    Network("100.64.2.0/24", "天津", "geoip_org → ACC-008 北辰汽车零部件",
            organization="北辰汽车零部件股份有限公司"),
    Network("100.64.3.0/24", "呼和浩特", "geoip_org → ACC-012 禾润乳业",
            organization="禾润乳业（集团）有限公司"),
    Network("100.64.4.0/24", "上海", "geoip_org → ACC-013 仁心医药",
            organization="仁心医药股份有限公司", domain="renxin-pharma.com"),
    Network("100.64.5.0/24", "北京", "geoip_org → ACC-015 鑫源保险",
            organization="鑫源保险股份有限公司"),
    Network("100.64.6.0/24", "广州", "geoip_org → ACC-017 乐购优选",
            organization="乐购优选（中国）有限公司"),
    Network("100.64.7.0/24", "深圳", "geoip_domain → ACC-009 云帆软件",
            domain="yunfan-soft.com"),
    Network("100.64.10.0/24", "上海", "geoip_org → ACC-005 汇衡银行",
            organization="汇衡银行股份有限公司", domain="huiheng-bank.com"),
    Network("2001:db8:5a00::/48", "上海", "geoip_org over IPv6 → ACC-002 星河半导体",
            organization="星河半导体股份有限公司", domain="xinghe-semi.com"),
    Network("100.64.8.0/24", "杭州", "no match: home broadband (residential)",
            organization="中国联通", isp="中国联通", user_type="residential", connection_type="Cable/DSL"),
    Network("100.64.9.0/24", "杭州", "no match: mobile network (cellular)",
            organization="中国移动", isp="中国移动", user_type="cellular", connection_type="Cellular"),
)


def record(network: Network) -> dict[str, Any]:
    """The nested record `geoip2.database.Reader.enterprise()` reads."""
    code, subdivision, city_en = PLACES[network.city]
    traits: dict[str, Any] = {
        "isp": network.isp,
        "autonomous_system_organization": network.isp,
        "user_type": network.user_type,
        "connection_type": network.connection_type,
    }
    if network.organization:
        traits["organization"] = network.organization
    if network.domain:
        traits["domain"] = network.domain
    return {
        "continent": ASIA,
        "country": CHINA,
        "registered_country": CHINA,
        "subdivisions": [{"iso_code": code, "names": subdivision}],
        "city": {"names": {"zh-CN": network.city, "en": city_en}},
        "traits": traits,
    }


def write(path: Path) -> None:
    writer = MMDBWriter(
        ip_version=6,
        ipv4_compatible=True,
        database_type="GeoIP2-Enterprise",
        languages=["zh-CN", "en"],
        description={"zh-CN": "abm-site 演示数据（虚构）", "en": "abm-site demo data (fictitious)"},
    )
    for network in NETWORKS:
        writer.insert_network(IPSet([network.cidr]), record(network))
    path.parent.mkdir(parents=True, exist_ok=True)
    writer.to_db_file(str(path))


def try_ip(network: Network) -> str:
    """The first host of a network: the address to try in the demo."""
    return str(IPNetwork(network.cidr)[1])


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    path = Path(argv[0])
    write(path)
    print(f"wrote {path}; IPs to try (e.g. with X-Forwarded-For from a trusted proxy):")
    for network in NETWORKS:
        print(f"  {try_ip(network):<20} {network.shows}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
