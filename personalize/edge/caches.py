"""Bounded caches for the edge's request path: plain dicts that drop their oldest entry when full.

Dicts keep insertion order, so the oldest key is the first one; a hit costs one `dict.get`.
"""

from __future__ import annotations

from typing import Any


def remember(cache: dict[Any, Any], key: Any, value: Any, size: int) -> None:
    """Store ``value`` under ``key``, first dropping the oldest entry when ``cache`` holds ``size``."""
    if len(cache) >= size:
        del cache[next(iter(cache))]
    cache[key] = value
