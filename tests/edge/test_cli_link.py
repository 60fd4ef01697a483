"""`abm link`: share and preview links signed with the edge's secret, from flag, env or settings."""

from __future__ import annotations

import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from personalize.edge.links import LinkClaims, verify_link
from tests.analytics.abm_cli import run_abm

REPO = Path(__file__).resolve().parents[2]
SECRET = b"cli-link-test-secret-0123456789ab"
URL = "https://abm.example/resources/smart-factory/?utm_source=wechat&utm_campaign=q4%20plan"


@pytest.fixture
def secret_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ("ABM_SECRET_FILE", "ABM_SETTINGS", "ABM_ACCOUNTS", "ABM_TAXONOMY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(REPO)  # taxonomy.yml of the project, as a user runs it
    path = tmp_path / "secret.key"
    path.write_bytes(SECRET + b"\n")
    return path


def claims_of(output: str) -> LinkClaims:
    url = output.strip().splitlines()[0]
    assert url.startswith(URL + "&abm=")
    (token,) = parse_qs(urlsplit(url).query)["abm"]
    claims, reason = verify_link(SECRET, token, now=int(time.time()))
    assert reason is None and claims is not None
    return claims


def test_a_share_link_keeps_utm_tags_and_carries_account_owner_and_expiry(secret_file: Path) -> None:
    before = int(time.time())
    result = run_abm("link", URL, "--account", "ACC-001", "--owner", "张伟", "--expires", "12h",
                     "--secret-file", secret_file, "--accounts", REPO / "demo" / "accounts.csv")
    assert result.exit_code == 0, result.output
    claims = claims_of(result.stdout)
    assert (claims.account, claims.owner, claims.preview, claims.industry) == ("ACC-001", "张伟", False, None)
    assert before + 12 * 3600 <= claims.expires <= int(time.time()) + 12 * 3600
    assert "account ACC-001, owner 张伟, valid until" in result.stderr


def test_the_default_expiry_is_14_days(secret_file: Path) -> None:
    result = run_abm("link", URL, "--account", "ACC-001", "--secret-file", secret_file)
    assert abs(claims_of(result.stdout).expires - (time.time() + 14 * 86400)) < 60


def test_a_preview_link_by_industry_display_name(secret_file: Path) -> None:
    result = run_abm("link", URL, "--preview", "--industry", "零售", "--secret-file", secret_file)
    assert result.exit_code == 0, result.output
    claims = claims_of(result.stdout)
    assert (claims.account, claims.industry, claims.preview) == (None, "retail", True)


def test_a_preview_link_by_account(secret_file: Path) -> None:
    result = run_abm("link", URL, "--preview", "--account", "ACC-002", "--secret-file", secret_file)
    assert claims_of(result.stdout).account == "ACC-002" and "preview of ACC-002" in result.stderr


def test_the_secret_comes_from_env_or_the_settings_file(secret_file: Path, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ABM_SECRET_FILE", str(secret_file))
    assert claims_of(run_abm("link", URL, "--account", "A").stdout).account == "A"
    monkeypatch.delenv("ABM_SECRET_FILE")
    settings = tmp_path / "abm.toml"
    settings.write_text(f'secret_file = "{secret_file.name}"\naccounts = "{REPO / "demo" / "accounts.csv"}"\n')
    result = run_abm("link", URL, "--account", "ACC-003", "--settings", settings)
    assert claims_of(result.stdout).account == "ACC-003"
    result = run_abm("link", URL, "--account", "ACC-999", "--settings", settings)  # checked against the settings' CSV
    assert result.exit_code == 1 and "'ACC-999' is not in" in result.stderr


@pytest.mark.parametrize(("args", "message", "code"), [
    (["--account", "ACC-999", "--accounts", str(REPO / "demo" / "accounts.csv")], "account 'ACC-999' is not in", 1),
    (["--account", "ACC-001", "--expires", "2w"], "'2w' is not a duration: write a whole number and a unit s, m, h or d", 1),
    (["--account", "ACC-001", "--expires", "0s"], "longer than zero", 1),
    (["--preview", "--industry", "retial"], "unknown industry 'retial'; allowed: manufacturing", 1),
    (["--industry", "retail"], "--industry is for previews", 1),
    (["--preview"], "give --account ID, or --preview with --industry ID", 1),
    ([], "give --account ID", 1),
])
def test_bad_arguments_say_what_to_do(secret_file: Path, args: list[str], message: str, code: int) -> None:
    result = run_abm("link", URL, *args, "--secret-file", secret_file)
    assert result.exit_code == code
    assert message in result.stderr and result.stdout == ""


def test_secret_problems(secret_file: Path, tmp_path: Path) -> None:
    result = run_abm("link", URL, "--account", "A")
    assert result.exit_code == 1 and "no secret: pass --secret-file FILE" in result.stderr
    short = tmp_path / "short.key"
    short.write_text("tiny")
    result = run_abm("link", URL, "--account", "A", "--secret-file", short)
    assert result.exit_code == 2 and "needs at least 32" in result.stderr
    result = run_abm("link", URL, "--account", "A", "--secret-file", tmp_path / "none.key")
    assert result.exit_code == 2 and "does not exist; create one with" in result.stderr


def test_help() -> None:
    result = run_abm("link", "--help")
    assert result.exit_code == 0 and "--expires" in result.stdout and "--preview" in result.stdout
