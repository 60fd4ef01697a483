"""`abm accounts check`: a summary for a good CSV, every problem and exit 1 for a bad one."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.analytics.abm_cli import run_abm

REPO = Path(__file__).resolve().parents[2]
TAXONOMY = REPO / "taxonomy.yml"


def test_the_demo_accounts_pass_with_a_summary() -> None:
    result = run_abm("accounts", "check", REPO / "demo" / "accounts.csv", "--taxonomy", TAXONOMY)
    assert result.exit_code == 0, result.output
    assert "accounts, no problems" in result.stdout
    assert "1 one-to-one:" in result.stdout and "3 one-to-many:" in result.stdout
    assert "manufacturing:" in result.stdout and "with IP ranges:" in result.stdout


def test_a_gbk_file_with_chinese_values(tmp_path: Path) -> None:
    path = tmp_path / "accounts.csv"
    path.write_bytes("ID,Name,Domains,Industry,Tier\nA,鲜丰食品,xf.cn,快消,一对一\nB,安和,anhe.cn,医疗健康,3\n".encode("gbk"))
    result = run_abm("accounts", "check", path, "--taxonomy", TAXONOMY)
    assert result.exit_code == 0, result.output
    assert "2 accounts" in result.stdout
    assert "fmcg: 1, healthcare: 1" in result.stdout and "with IP ranges: 0" in result.stdout


def test_every_bad_row_is_printed_and_the_exit_code_is_1(tmp_path: Path) -> None:
    path = tmp_path / "accounts.csv"
    path.write_text("id,name,domains,industry,tier,ip_ranges\n"
                    "A,Acme,acme.example,retial,1,10.0.0.0/33\n"
                    "A,Beta,beta..example,retail,5,\n", encoding="utf-8")
    result = run_abm("accounts", "check", path, "--taxonomy", TAXONOMY)
    assert result.exit_code == 1
    assert result.stdout == ""
    for expected in ("5 problem(s)", "row 2, industry 'retial': unknown industry", "did you mean 'retail'",
                     "row 2, ip_ranges '10.0.0.0/33'", "row 3, domains 'beta..example'", "row 3, tier '5'",
                     "row 3, id 'A': duplicate id: row 2 has it already"):
        assert expected in result.stderr


@pytest.mark.parametrize(("content", "message", "code"), [
    (None, "cannot read the accounts CSV", 2),
    (b"", "the file is empty", 1),
    (b"id;name;industry\n", "missing required column 'name'", 1),
])
def test_missing_empty_and_headerless_files(tmp_path: Path, content: bytes | None, message: str, code: int) -> None:
    path = tmp_path / "accounts.csv"
    if content is not None:
        path.write_bytes(content)
    result = run_abm("accounts", "check", path, "--taxonomy", TAXONOMY)
    assert result.exit_code == code
    assert message in result.stderr


def test_a_missing_taxonomy_is_a_config_error(tmp_path: Path) -> None:
    result = run_abm("accounts", "check", REPO / "demo" / "accounts.csv", "--taxonomy", tmp_path / "none.yml")
    assert result.exit_code == 2 and "no taxonomy file" in result.stderr


@pytest.mark.parametrize("args", [["accounts", "--help"], ["accounts", "check", "--help"]])
def test_help(args: list[str]) -> None:
    result = run_abm(*args)
    assert result.exit_code == 0 and "Usage: abm accounts" in result.stdout
