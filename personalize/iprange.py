"""Which of many CIDR ranges holds an address: sorted disjoint intervals and one bisect.

CIDR ranges are either nested or disjoint, so they flatten into disjoint intervals where the
innermost (most specific) range wins; a lookup is then one binary search, for IPv4 and IPv6.
"""

from __future__ import annotations

import ipaddress
from bisect import bisect_right
from collections.abc import Iterable
from functools import lru_cache
from typing import Generic, TypeVar

T = TypeVar("T")


class IpRangeIndex(Generic[T]):
    def __init__(self, ranges: Iterable[tuple[str, T]]) -> None:
        by_version: dict[int, list[tuple[int, int, T]]] = {4: [], 6: []}
        for cidr, value in ranges:
            network = ipaddress.ip_network(cidr, strict=False)
            by_version[network.version].append(
                (int(network.network_address), int(network.broadcast_address), value)
            )
        self._tables = {version: _flatten(items) for version, items in by_version.items()}

    def get(self, ip: str | None) -> T | None:
        """The value of the most specific range holding ``ip``; None for no match or no address."""
        version, number = _address(ip) if ip else (0, 0)
        if not version:
            return None
        starts, ends, values = self._tables[version]
        index = bisect_right(starts, number) - 1
        if index >= 0 and number <= ends[index]:
            return values[index]
        return None


@lru_cache(maxsize=8192)
def _address(ip: str) -> tuple[int, int]:
    """(IP version, address as a number), IPv4-mapped IPv6 as IPv4; (0, 0) when not an address."""
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return 0, 0
    if address.version == 6 and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.version, int(address)


def _flatten(items: list[tuple[int, int, T]]) -> tuple[list[int], list[int], list[T]]:
    """Nested-or-disjoint intervals -> disjoint ones, each carrying its innermost value."""
    starts: list[int] = []
    ends: list[int] = []
    values: list[T] = []

    def emit(start: int, end: int, value: T) -> None:
        if start <= end:
            starts.append(start)
            ends.append(end)
            values.append(value)

    stack: list[tuple[int, T]] = []  # (end, value) of the ranges open at `position`, innermost last
    position = 0
    for start, end, value in sorted(items, key=lambda item: (item[0], -item[1])):
        while stack and stack[-1][0] < start:
            top_end, top_value = stack.pop()
            emit(position, top_end, top_value)
            position = max(position, top_end + 1)
        if stack:
            emit(position, start - 1, stack[-1][1])
        position = start
        stack.append((end, value))
    while stack:
        top_end, top_value = stack.pop()
        emit(position, top_end, top_value)
        position = max(position, top_end + 1)
    return starts, ends, values
