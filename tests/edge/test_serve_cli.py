"""`abm serve`: generated options, the settings table, start-up errors as exit codes, a real start."""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from personalize.cli import main
from tests.conftest import REPO, free_port
from tests.edge.edge_site import write_edge_site


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    try:
        main(["serve", *args])
        code = 0
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_help_lists_every_flag(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "--help")
    assert code == 0
    for flag in ("--site", "--accounts", "--geoip", "--db", "--host", "--port", "--trusted-proxy", "--secret-file",
                 "--holdout", "--workers", "--settings", "--print-urls", "ABM_HOLDOUT"):
        assert flag in out


def test_settings_table(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "--settings-table")
    assert code == 0 and out.startswith("| setting | CLI flag | env var | default | what |")


def test_bad_flag_value_names_the_flag(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(capsys, "--holdout", "2", "--port", "x")
    assert code == 2 and "setting holdout from --holdout" in err and "setting port from --port" in err


def test_missing_site_and_secret_stop_start_up(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(capsys, "--site", str(tmp_path / "site"), "--db", str(tmp_path / "e.sqlite"))
    assert code == 2 and "mkdocs build" in err and "no secret" in err


def test_serves_and_prints_urls_to_try(tmp_path: Path) -> None:
    root = write_edge_site(tmp_path)
    settings = tmp_path / "edge.toml"
    settings.write_text(
        'site = "site"\nprivate_dir = "build/private"\naccounts = "accounts.csv"\n'
        f'taxonomy = "{REPO / "taxonomy.yml"}"\nsecret_file = "secret.key"\ndb = "events.sqlite"\n'
        'dashboard_token = "t0k"\n[utm_map]\nretail-spring = "industry:retail"\n',
        encoding="utf-8",
    )
    port = free_port()
    command = [sys.executable, "-c", "from personalize.cli import main; main()", "serve", "--settings", str(settings),
               "--port", str(port)]
    process = subprocess.Popen(command, cwd=root, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        body = ""
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not body:
            try:
                body = urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1).read().decode()
            except OSError:
                time.sleep(0.1)
        assert "HERO-DEFAULT" in body
    finally:
        process.terminate()
        output = process.communicate(timeout=15)[0]
    assert f"http://127.0.0.1:{port}/" in output and "preview: industry manufacturing" in output
    assert "account ACC-1 恒锐精工 (shared by 王磊)" in output and "?abm=" in output
    assert "utm_campaign=retail-spring" in output and "/_abm/dashboard/?token=t0k" in output
    assert (root / "events.sqlite").exists()  # relative to the settings file
