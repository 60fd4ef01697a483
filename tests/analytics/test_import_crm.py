"""`abm import crm`: CRM stage exports in English or Chinese, good and bad."""

from __future__ import annotations

from pathlib import Path

from analytics.store import Store
from tests.analytics.abm_cli import run_abm

ACCOUNTS = (
    "id,name,domains,industry,tier\n"
    "ACC-001,恒锐精工,hengrui-precision.cn,manufacturing,1\n"
    "ACC-002,星河半导体,xinghe-semi.com,high-tech,1\n"
)


def _stages(db: Path) -> list[dict]:
    with Store.open(db) as store:
        return store.query("SELECT account_id, stage, amount, updated_at, source FROM crm_stages ORDER BY account_id")


def test_english_export_with_ids_is_mapped_and_reimport_replaces(tmp_path: Path) -> None:
    export = tmp_path / "pipeline.csv"
    export.write_text("Account_ID,Stage,Amount,Updated_At\nACC-001,Closed Won,\"1,200,000\",2026-10-01\n"
                      "ACC-002,POC,,2026/10/05\n", encoding="utf-8")
    db = tmp_path / "s.sqlite"
    for _ in range(2):
        result = run_abm("import", "crm", export, "--db", db)
        assert result.exit_code == 0, result.stderr
        assert "imported 2 CRM stage(s)" in result.stdout
    assert _stages(db) == [
        {"account_id": "ACC-001", "stage": "customer", "amount": 1200000.0,
         "updated_at": "2026-10-01T00:00:00.000Z", "source": "crm:pipeline.csv"},
        {"account_id": "ACC-002", "stage": "opportunity", "amount": None,
         "updated_at": "2026-10-05T00:00:00.000Z", "source": "crm:pipeline.csv"},
    ]


def test_chinese_gbk_export_named_accounts(tmp_path: Path) -> None:
    accounts = tmp_path / "accounts.csv"
    accounts.write_text(ACCOUNTS, encoding="utf-8")
    export = tmp_path / "商机.csv"
    text = "客户名称,销售阶段,商机金额,更新时间\n恒锐精工,商机,¥120万,2026-10-01 09:30:00\n星河半导体,线索,,\n"
    export.write_bytes(text.encode("gb18030"))
    db = tmp_path / "s.sqlite"
    result = run_abm("import", "crm", export, "--db", db, "--accounts", accounts, "--tz", "+08:00")
    assert result.exit_code == 0, result.stderr
    rows = _stages(db)
    assert [(r["account_id"], r["stage"], r["amount"]) for r in rows] == [("ACC-001", "opportunity", 1200000.0), ("ACC-002", "aware", None)]
    assert rows[0]["updated_at"] == "2026-10-01T01:30:00.000Z"


def test_bad_rows_with_lines_and_skip(tmp_path: Path) -> None:
    accounts = tmp_path / "accounts.csv"
    accounts.write_text(ACCOUNTS, encoding="utf-8")
    export = tmp_path / "bad.csv"
    export.write_text("account_id,stage,amount,updated_at\nACC-001,opportunity,10,2026-10-01\nACC-001,dreaming,,\n"
                      "ACC-999,customer,,\nACC-002,customer,lots,\nACC-002,customer,,31/31/2026\n,customer,,\n", encoding="utf-8")
    db = tmp_path / "s.sqlite"
    result = run_abm("import", "crm", export, "--db", db, "--accounts", accounts)
    assert result.exit_code == 1 and "5 bad row(s), nothing imported" in result.stderr
    for text in ("bad.csv:3: stage: 'dreaming' is not in the stage map", "bad.csv:4: account_id: 'ACC-999' is not in the accounts CSV",
                 "bad.csv:5: amount: 'lots'", "bad.csv:6: updated_at:", "bad.csv:7: account: empty"):
        assert text in result.stderr
    assert not db.exists()  # nothing was written, not even an empty store
    result = run_abm("import", "crm", export, "--db", db, "--accounts", accounts, "--skip-bad-rows")
    assert result.exit_code == 0 and "imported 1 CRM stage(s)" in result.stdout and "skipped 5" in result.stdout


def test_bad_headers(tmp_path: Path) -> None:
    export = tmp_path / "x.csv"
    export.write_text("account,stage\n恒锐精工,商机\n", encoding="utf-8")
    result = run_abm("import", "crm", export, "--db", tmp_path / "s.sqlite")
    assert result.exit_code == 1 and "pass --accounts" in result.stderr
    export.write_text("company,colour\nx,red\n", encoding="utf-8")
    result = run_abm("import", "crm", export, "--db", tmp_path / "s.sqlite")
    assert result.exit_code == 1 and "account stages need a stage column" in result.stderr
    export.write_text("", encoding="utf-8")
    assert "the file is empty" in run_abm("import", "crm", export, "--db", tmp_path / "s.sqlite").stderr
