"""What GeoIP2-format databases say about an IP: country, region, organization, ISP, domain.

Several databases can be open at once (City + ISP, or one Enterprise); each is recognised by
the type in its metadata and their answers are merged, the first database listed winning a
field. Lookups never raise: a miss is empty facts, a broken database is counted in `errors`.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import geoip2.database
import geoip2.errors
import maxminddb.errors

from personalize.errors import ConfigError

#: Reader method per database kind, found by a word in the metadata's database_type.
KINDS = (
    ("Enterprise", "enterprise"),
    ("City", "city"),
    ("Country", "country"),
    ("ISP", "isp"),
    ("Domain", "domain"),
    ("ASN", "asn"),
    ("Connection-Type", "connection_type"),
    ("Anonymous-IP", "anonymous_ip"),
)
CACHE_SIZE = 4096


@dataclass(frozen=True)
class GeoFacts:
    country: str | None = None  # ISO 3166-1 alpha-2
    region: str | None = None  # ISO 3166-2 subdivision code, most specific
    organization: str | None = None
    isp: str | None = None
    domain: str | None = None
    as_org: str | None = None
    connection_type: str | None = None  # Cable/DSL, Cellular, Corporate, Satellite
    user_type: str | None = None  # business, residential, cellular, government, ...
    anonymous: bool = False  # VPN, public proxy, Tor exit or hosting provider


EMPTY = GeoFacts()


def _facts(model: Any) -> dict[str, Any]:
    """The GeoFacts fields one database's answer holds (None for what it does not know)."""
    traits = getattr(model, "traits", model)
    country = getattr(model, "country", None)
    subdivisions = getattr(model, "subdivisions", None)
    anonymous = any(
        getattr(model, flag, False)
        for flag in ("is_anonymous_vpn", "is_public_proxy", "is_tor_exit_node", "is_hosting_provider")
    )
    return {
        "country": country.iso_code if country is not None else None,
        "region": subdivisions.most_specific.iso_code if subdivisions is not None else None,
        "organization": getattr(traits, "organization", None),
        "isp": getattr(traits, "isp", None),
        "domain": getattr(traits, "domain", None),
        "as_org": getattr(traits, "autonomous_system_organization", None),
        "connection_type": getattr(traits, "connection_type", None),
        "user_type": getattr(traits, "user_type", None),
        "anonymous": anonymous or None,
    }


class GeoIP:
    """Open GeoIP2 databases, merged and cached per IP."""

    def __init__(self, readers: Sequence[tuple[Path, Callable[[str], Any], Any]]) -> None:
        self._readers = list(readers)  # (path, lookup method, reader)
        self._cache: OrderedDict[str, GeoFacts] = OrderedDict()
        self.errors = 0

    @classmethod
    def open(cls, paths: Sequence[Path]) -> GeoIP:
        """Open every database; ConfigError names a missing, corrupt or unsupported one."""
        readers = []
        try:
            for path in paths:
                reader = _open(Path(path))
                readers.append((Path(path), getattr(reader, _method(Path(path), reader)), reader))
        except ConfigError:
            for _, _, reader in readers:
                reader.close()
            raise
        return cls(readers)

    @property
    def paths(self) -> list[Path]:
        return [path for path, _, _ in self._readers]

    def lookup(self, ip: str | None) -> GeoFacts:
        """Merged facts for ``ip``; empty when unknown, invalid or every database failed."""
        if not ip or not self._readers:
            return EMPTY
        facts = self._cache.get(ip)
        if facts is not None:
            self._cache.move_to_end(ip)
            return facts
        facts, failed = self._lookup(ip)
        if not failed:  # a broken database is counted on every lookup, so it is not cached
            self._cache[ip] = facts
            if len(self._cache) > CACHE_SIZE:
                self._cache.popitem(last=False)
        return facts

    def _lookup(self, ip: str) -> tuple[GeoFacts, bool]:
        merged: dict[str, Any] = {}
        failed = False
        for _, method, _ in self._readers:
            try:
                answer = _facts(method(ip))
            except geoip2.errors.AddressNotFoundError:
                continue
            except ValueError:  # not an IP address, or IPv6 in an IPv4-only database
                continue
            except (maxminddb.errors.InvalidDatabaseError, OSError):
                self.errors += 1
                failed = True
                continue
            for name, value in answer.items():
                if value is not None and merged.get(name) is None:
                    merged[name] = value
        return (GeoFacts(**merged) if merged else EMPTY), failed

    def close(self) -> None:
        for _, _, reader in self._readers:
            reader.close()

    def __enter__(self) -> GeoIP:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _open(path: Path) -> geoip2.database.Reader:
    if not path.exists():
        raise ConfigError(f"GeoIP database {path} does not exist; check the --geoip path")
    try:
        return geoip2.database.Reader(str(path))
    except (maxminddb.errors.InvalidDatabaseError, ValueError, OSError) as error:
        raise ConfigError(
            f"GeoIP database {path} cannot be opened ({error}); it is corrupt or not a "
            "MaxMind DB (.mmdb) file: download it again"
        ) from error


def _method(path: Path, reader: geoip2.database.Reader) -> str:
    database_type = reader.metadata().database_type
    for word, method in KINDS:
        if word.lower() in database_type.lower():
            return method
    reader.close()
    supported = ", ".join(word for word, _ in KINDS)
    raise ConfigError(f"GeoIP database {path} is of type {database_type!r}, which abm-site does not read; supported: {supported}")


#: Names of the GeoFacts fields, for callers that tabulate them.
FIELDS = tuple(f.name for f in fields(GeoFacts))
