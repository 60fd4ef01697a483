"""A smoke run of the accounts-report benchmark on a small store: both sides agree, a ratio is printed."""

from __future__ import annotations

import re
import runpy

import pytest

from tests.conftest import REPO


def test_the_benchmark_runs_small_and_both_sides_give_the_same_numbers(capsys: pytest.CaptureFixture[str]) -> None:
    benchmark = runpy.run_path(str(REPO / "benchmarks" / "accounts_report.py"))
    assert benchmark["main"](["--events", "20000", "--accounts", "50", "--repeat", "1"]) == 0
    out = capsys.readouterr().out
    assert "both sides agree on every number" in out
    assert re.search(r"ratio:\s+\d+\.\d\dx", out)
