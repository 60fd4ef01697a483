"""A count of the cases hypothesis generated, per property test, for the terminal summary."""

from __future__ import annotations

from collections import Counter

CASES: Counter[str] = Counter()


def case(name: str) -> None:
    """Call first thing in a property test body: one generated case of `name`."""
    CASES[name] += 1
