"""The visitor's IP: the direct peer, or X-Forwarded-For when (and only when) a trusted proxy sent it.

Anyone can send X-Forwarded-For, so its entries are believed only from the right, hop by hop,
while each hop is a proxy we run; the first untrusted address is the client. Garbage entries
(ports, brackets, "unknown", junk) never raise and never become the client.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from functools import lru_cache

from personalize.errors import ConfigError

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address

#: Only this many hops from the right are considered; a longer header is hostile or broken.
MAX_HOPS = 20
#: Longest header value looked at (the rightmost part is kept).
MAX_HEADER = 2048


def parse_trusted(cidrs: Iterable[str]) -> tuple[Network, ...]:
    """The trusted proxy ranges; ConfigError names a bad one."""
    networks = []
    for cidr in cidrs:
        try:
            networks.append(ipaddress.ip_network(cidr.strip(), strict=False))
        except ValueError as error:
            raise ConfigError(
                f"trusted proxy {cidr!r} is not an IP address or CIDR range ({error}); "
                "write e.g. 10.0.0.0/8 or 127.0.0.1"
            ) from error
    return tuple(networks)


#: Longest header entry that can hold an address ("[IPv6%zone]:port" with spaces around).
MAX_ENTRY = 80


def parse_ip(text: str | None) -> Address | None:
    """An address from a header entry or peer: strips ports, brackets and zone ids; None for junk."""
    if not text or len(text) > MAX_ENTRY:
        return None
    return _parse_entry(text)


@lru_cache(maxsize=8192)  # the same visitors and proxies come back: parsing is the costly part
def _parse_entry(text: str) -> Address | None:
    entry = text.strip().strip('"')
    if entry.startswith("["):  # [2001:db8::1]:443
        entry = entry[1 : entry.find("]")] if "]" in entry else ""
    elif entry.count(":") == 1:  # 203.0.113.7:8080
        entry = entry.split(":", 1)[0]
    entry = entry.split("%", 1)[0]
    if not entry or len(entry) > 45:
        return None
    try:
        address = ipaddress.ip_address(entry)
    except ValueError:
        return None
    if address.version == 6 and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _trusted(address: Address, trusted: tuple[Network, ...]) -> bool:
    return any(address.version == network.version and address in network for network in trusted)


def from_trusted_proxy(peer: str | None, trusted: tuple[Network, ...]) -> bool:
    """The direct peer is one of the trusted proxies (whose request headers are believed)."""
    address = parse_ip(peer) if trusted else None
    return address is not None and _trusted(address, trusted)


def client_ip(peer: str | None, forwarded_for: str | None, trusted: tuple[Network, ...]) -> str | None:
    """The client's address as text, or None when not even the peer is an address. Never raises."""
    address = parse_ip(peer)
    if address is None or not forwarded_for or not trusted or not _trusted(address, trusted):
        return str(address) if address is not None else None
    hops = forwarded_for[-MAX_HEADER:].split(",")[-MAX_HOPS:]
    for hop in reversed(hops):
        candidate = parse_ip(hop)
        if candidate is None:
            # A junk hop means nothing left of it can be trusted: stop at the last good address.
            break
        address = candidate
        if not _trusted(candidate, trusted):
            break
    return str(address)
