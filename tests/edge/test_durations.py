"""Durations as typed on the command line: a number and a unit s, m, h or d."""

from __future__ import annotations

import pytest

from personalize.edge.durations import parse_duration
from personalize.errors import UserError


@pytest.mark.parametrize(("text", "seconds"), [
    ("45s", 45), ("30m", 1800), ("12h", 43200), ("14d", 1_209_600), (" 2D ", 172_800), ("90", 90), ("1 h", 3600),
])
def test_units(text: str, seconds: int) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["3w", "1y", "h", "", "-1d", "1.5h", "14 days", "0d", "1d2h"])
def test_bad_durations_say_which_units_exist(text: str) -> None:
    with pytest.raises(UserError, match=r"s, m, h or d|longer than zero"):
        parse_duration(text)
