"""`abm import crm` with opportunities and lead follow-ups: stage words, XLSX, GBK, lost deals, re-imports."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import openpyxl

from analytics.reports.accounts import account_journeys
from analytics.stage_map import default_stage_map
from analytics.store import Store
from personalize.database import connect_sqlite
from tests.analytics.abm_cli import run_abm
from tests.analytics.report_helpers import account, book, report_context

ACCOUNTS = "id,name,domains,industry,tier\nACC-001,恒锐精工,hengrui.cn,manufacturing,1\nACC-002,星河半导体,xinghe.com,high-tech,2\n"
TWELVE = ("线索", "市场验证", "市场验证未通过", "销售验证", "销售验证未通过", "需求挖掘", "方案阶段", "POC测试",
          "商务谈判", "合同流程", "赢单", "部署上线", "输单", "成交", "won", "lost", "Closed Won", "Closed Lost")  # fmt: skip


def _files(tmp_path: Path) -> tuple[Path, Path]:
    accounts = tmp_path / "accounts.csv"
    accounts.write_text(ACCOUNTS, encoding="utf-8")
    return accounts, tmp_path / "s.sqlite"


def _opportunities(db: Path) -> list[dict]:
    with Store.open(db) as store:
        return store.query("SELECT * FROM crm_opportunities ORDER BY opportunity_id")


def test_every_default_stage_word_imports_with_its_outcome(tmp_path: Path) -> None:
    accounts, db = _files(tmp_path)
    words = [*TWELVE, *(word for word in ("需求调研", "方案", "POC", "谈判", "合同", "客户", "已合作", "丢单"))]
    lines = [f"O-{i:02d},恒锐精工,{word},￥{i}万,2026-09-01,2026-10-01" for i, word in enumerate(words)]
    export = tmp_path / "商机.csv"
    export.write_bytes(("商机编号,客户名称,商机阶段,商机金额,创建日期,成交日期\n" + "\n".join(lines) + "\n").encode("gbk"))
    result = run_abm("import", "crm", export, "--db", db, "--accounts", accounts, "--tz", "+08:00")
    assert result.exit_code == 0, result.stderr
    assert f"imported {len(words)} opportunity(ies)" in result.stdout
    rows = {row["crm_stage"]: row for row in _opportunities(db)}
    assert set(rows) == set(words)
    outcome = {word: rows[word]["outcome"] for word in words}
    assert [w for w in words if outcome[w] == "lost"] == ["市场验证未通过", "销售验证未通过", "输单", "lost", "Closed Lost", "丢单"]
    assert {outcome[w] for w in ("赢单", "部署上线", "成交", "won", "Closed Won", "客户")} == {"won"}
    assert rows["POC测试"]["stage"] == "opportunity" and rows["POC测试"]["amount"] == 70000.0
    assert rows["线索"]["created_at"] == "2026-08-31T16:00:00.000Z"  # read in +08:00
    assert all(default_stage_map().get(word) for word in TWELVE)


def test_an_unknown_word_names_the_word_the_line_and_the_map_and_nothing_is_imported(tmp_path: Path) -> None:
    accounts, db = _files(tmp_path)
    export = tmp_path / "opps.csv"
    export.write_text("opportunity_id,account_id,stage,amount,created\nO-1,ACC-001,POC测试,1.2亿,2026-09-01\n"
                      "O-2,ACC-001,等待预算,,2026-09-02\nO-1,ACC-002,赢单,,2026-09-03\n", encoding="utf-8")  # fmt: skip
    result = run_abm("import", "crm", export, "--db", db, "--accounts", accounts)
    assert result.exit_code == 1 and "2 bad row(s), nothing imported" in result.stderr
    assert "opps.csv:3: stage: '等待预算' is not in the stage map; add it to " in result.stderr
    assert "stage_map.yml" in result.stderr and "--stage-map" in result.stderr
    assert "opps.csv:4: opportunity_id: 'O-1' appears again (first on line 2)" in result.stderr
    assert not db.exists()
    own = tmp_path / "my_stages.yml"
    own.write_text("POC测试: {stage: opportunity, outcome: open}\n等待预算: {stage: opportunity}\n赢单: {stage: customer, outcome: won}\n",
                   encoding="utf-8")  # fmt: skip
    export.write_text(export.read_text(encoding="utf-8").replace("O-1,ACC-002", "O-3,ACC-002"), encoding="utf-8")
    result = run_abm("import", "crm", export, "--db", db, "--accounts", accounts, "--stage-map", own)
    assert result.exit_code == 0, result.stderr
    assert [(r["opportunity_id"], r["amount"]) for r in _opportunities(db)] == [("O-1", 1.2e8), ("O-2", None), ("O-3", None)]


def test_xlsx_reimport_replaces_by_id_and_a_lost_deal_moves_its_account_off_opportunity(tmp_path: Path) -> None:
    accounts, db = _files(tmp_path)
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None, "a new workbook has its one sheet"
    sheet.append(["商机编号", "客户编号", "商机阶段", "商机金额", "创建日期", "预计成交日期", "负责人"])
    sheet.append(["O-1", "ACC-001", "POC测试", 1200000, datetime(2026, 9, 1), None, "王芳"])
    sheet.append(["O-2", "ACC-002", "商务谈判", "¥300,000", "2026-09-05", "2026-12-01", "李雷"])
    path = tmp_path / "opps.xlsx"
    workbook.save(path)
    for _ in range(2):
        assert run_abm("import", "crm", path, "--db", db, "--accounts", accounts).exit_code == 0
    assert [(r["opportunity_id"], r["amount"], r["owner"]) for r in _opportunities(db)] == [
        ("O-1", 1200000.0, "王芳"), ("O-2", 300000.0, "李雷"),
    ]  # fmt: skip
    sheet["C2"], sheet["F2"] = "输单", datetime(2026, 10, 1)
    workbook.save(path)
    assert run_abm("import", "crm", path, "--db", db, "--accounts", accounts).exit_code == 0
    rows = _opportunities(db)
    assert len(rows) == 2 and (rows[0]["outcome"], rows[0]["closed_at"]) == ("lost", "2026-10-01T00:00:00.000Z")
    with Store.open(db) as store:
        opps = store.query("SELECT * FROM crm_opportunities")
    accounts_book = book(account("ACC-001", tier=1), account("ACC-002"))
    until = datetime(2026, 12, 1, tzinfo=UTC)
    with report_context(tmp_path, tables={"crm_opportunities": opps}, accounts=accounts_book, until=until) as ctx:
        journeys = account_journeys(ctx)
    assert journeys["ACC-001"][1] == "engaged" and journeys["ACC-002"][1] == "opportunity"


def test_lead_followups_by_email_or_id_keep_the_first_contact(tmp_path: Path) -> None:
    _, db = _files(tmp_path)
    export = tmp_path / "跟进.csv"
    export.write_text("邮箱,线索编号,首次跟进时间,跟进结果\nZhou@Hengrui.cn,,2026-10-02 10:00:00,已电话沟通\n"
                      "zhou@hengrui.cn,,2026-10-01 18:00:00,\n,L-7,2026年10月3日 09:00:00,\n", encoding="utf-8")  # fmt: skip
    for _ in range(2):
        result = run_abm("import", "crm", export, "--db", db, "--tz", "Asia/Shanghai")
        assert result.exit_code == 0 and "imported 2 lead follow-up(s)" in result.stdout, result.stderr
    with Store.open(db) as store:
        rows = store.query("SELECT lead_key, followed_up_at, result FROM lead_followups ORDER BY lead_key")
    assert rows == [{"lead_key": "L-7", "followed_up_at": "2026-10-03T01:00:00.000Z", "result": None},
                    {"lead_key": "zhou@hengrui.cn", "followed_up_at": "2026-10-01T10:00:00.000Z", "result": None}]  # fmt: skip
    export.write_text("email,首次跟进时间\nnot-an-email,2026-10-02\nx@y.cn,someday\n", encoding="utf-8")
    result = run_abm("import", "crm", export, "--db", db)
    assert result.exit_code == 1 and "跟进.csv:2: email: 'not-an-email'" in result.stderr
    assert "跟进.csv:3: followed_up_at: 'someday'" in result.stderr


def test_a_version_2_store_gets_the_new_tables(tmp_path: Path) -> None:
    db = tmp_path / "old.sqlite"
    Store.open(db, create=True).close()
    connection = connect_sqlite(str(db))
    with connection:
        for table in ("crm_opportunities", "lead_followups", "spend"):
            connection.execute(f"DROP TABLE {table}")
        connection.execute("UPDATE schema_version SET version = 2 WHERE component = 'analytics'")  # before them
    connection.close()
    with Store.open(db) as store:
        assert {"crm_opportunities", "lead_followups", "spend"} <= store.tables()
    with sqlite3.connect(db) as raw:
        assert raw.execute("SELECT version FROM schema_version WHERE component = 'analytics'").fetchone() == (3,)
