"""A smoke run of benchmarks/soak.py (the real soak runs for minutes, outside `make test`): it runs and reports."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from tests.conftest import REPO, SHARED_FIXTURES


def test_the_soak_script_runs_and_reports_every_goal() -> None:
    if not shutil.which("wrk") or not (SHARED_FIXTURES / "maxmind").is_dir():
        pytest.skip("needs wrk and the shared GeoIP2 fixtures")
    result = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "soak.py"), "--seconds", "10", "--probe-seconds", "1",
         "--load", "0.2", "--connections", "4"],
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    for goal in ("errors: 0 non-2xx, 0 events dropped", "events stored / pages served", "lost 0", "p99",
                 "resident memory MB: start"):
        assert goal in result.stdout, result.stdout
