"""`abm export events` / `abm import events`: every format round-trips byte for byte; bad rows have lines."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from analytics.store import Store
from personalize.events import EVENT_COLUMNS, EVENT_FIELDS
from tests.analytics.abm_cli import run_abm

EVENTS: list[dict[str, Any]] = [
    {
        "ts": "2026-03-02T09:00:00.000Z", "kind": "pageview", "visitor_id": "v1", "session_id": "s1",
        "path": "/resources/a/", "referrer_host": "www.baidu.com", "utm_source": "baidu", "utm_medium": "cpc",
        "utm_campaign": "制造业-品牌词", "utm_term": "MES 系统", "utm_content": "单元1", "account_id": "ACC-001",
        "match_source": "ip_range", "industry": "manufacturing", "variant": "industry:manufacturing",
        "arm": "personalized", "device": "desktop", "browser": "Chrome", "os": "Windows", "country": "CN",
        "region": "SH", "ip_hash": "ab12", "extra": {"bd_vid": "123", "note": "逗号, \"引号\"\n换行"},
    },
    {"ts": "2026-03-02T09:00:00.000Z", "kind": "engagement", "visitor_id": "v1", "value": 42.5},
    {"ts": "2026-03-01T08:00:00.000Z", "kind": "pageview", "visitor_id": "bot", "is_bot": True, "device": "bot"},
    {"ts": "2026-03-05T12:00:00.000Z", "kind": "download", "visitor_id": "v2", "is_preview": 1, "owner": "张伟"},
]


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "events.sqlite"
    with Store.open(path, create=True) as store:
        store.insert_events(EVENTS)
    return path


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "parquet"])
def test_export_import_export_is_byte_identical(tmp_path: Path, db: Path, fmt: str) -> None:
    first, second, copy = tmp_path / f"first.{fmt}", tmp_path / f"second.{fmt}", tmp_path / "copy.sqlite"
    result = run_abm("export", "events", "--db", db, "--out", first)
    assert result.exit_code == 0, result.output
    assert "exported 4 event(s)" in result.stderr
    result = run_abm("import", "events", first, "--db", copy)
    assert result.exit_code == 0, result.stderr
    assert "imported 4 event(s)" in result.stdout
    assert run_abm("export", "events", "--db", copy, "--format", fmt, "--out", second).exit_code == 0
    assert first.read_bytes() == second.read_bytes()
    with Store.open(db) as original, Store.open(copy) as imported:
        sql = f"SELECT {', '.join(EVENT_COLUMNS)} FROM events ORDER BY ts, kind, visitor_id"
        assert imported.query(sql) == original.query(sql)


def test_export_uses_exactly_the_contract_field_names(tmp_path: Path, db: Path) -> None:
    out = tmp_path / "e.parquet"
    run_abm("export", "events", "--db", db, "--out", out)
    assert tuple(pq.read_schema(out).names) == EVENT_FIELDS + ("extra", "value", "event_id")
    csv_text = run_abm("export", "events", "--db", db, "--format", "csv").stdout
    assert csv_text.splitlines()[0] == ",".join(EVENT_COLUMNS)
    rows = [json.loads(line) for line in run_abm("export", "events", "--db", db).stdout.splitlines()]
    assert [list(row) for row in rows] == [list(EVENT_COLUMNS)] * 4
    assert rows[0]["is_bot"] is True and rows[0]["ts"] == "2026-03-01T08:00:00.000Z"
    assert rows[2]["extra"] == EVENTS[0]["extra"] and rows[1]["value"] == 42.5


def test_export_window_is_half_open(db: Path) -> None:
    result = run_abm("export", "events", "--db", db, "--since", "2026-03-02", "--until", "2026-03-05T12:00:00Z")
    assert [json.loads(line)["kind"] for line in result.stdout.splitlines()] == ["engagement", "pageview"]


def test_parquet_export_is_a_store_for_duckdb(tmp_path: Path, db: Path) -> None:
    out = tmp_path / "e.parquet"
    run_abm("export", "events", "--db", db, "--out", out)
    sql = "SELECT kind, SUM(is_bot) AS bots, COUNT(*) AS n FROM events GROUP BY kind ORDER BY kind"
    with Store.open(out) as parquet, Store.open(db) as sqlite:
        assert parquet.dialect == "duckdb"
        assert parquet.query(sql) == sqlite.query(sql)
        assert parquet.scalar("SELECT COUNT(*) FROM webinar_spans") == 0


def test_bad_rows_are_reported_with_their_lines_and_nothing_is_imported(tmp_path: Path) -> None:
    source = tmp_path / "bad.csv"
    source.write_text(
        "ts,kind,visitor_id,is_bot\n"
        "2026-03-02T09:00:00.000Z,pageview,v1,false\n"
        "2026-03-02 09:00,pageview,v2,false\n"
        '2026-03-02T09:00:00.000Z,pageview,"multi\nline",false\n'
        "2026-03-02T09:00:00.000Z,visit,v3,false\n"
        "2026-03-02T09:00:00.000Z,pageview,v4,perhaps\n"
        "2026-03-02T09:00:00.000Z,pageview\n",
        encoding="utf-8",
    )
    db = tmp_path / "s.sqlite"
    result = run_abm("import", "events", source, "--db", db)
    assert result.exit_code == 1
    assert "4 bad row(s), nothing imported" in result.stderr
    for line, text in [(3, "ts: '2026-03-02 09:00'"), (6, "kind: 'visit'"), (7, "is_bot: 'perhaps'"), (8, "2 cells")]:
        assert f"bad.csv:{line}: {text}" in result.stderr
    with Store.open(db) as store:
        assert store.scalar("SELECT COUNT(*) FROM events") == 0
    result = run_abm("import", "events", source, "--db", db, "--skip-bad-rows")
    assert result.exit_code == 0
    assert "imported 2 event(s)" in result.stdout and "skipped 4 bad row(s)" in result.stdout


def test_times_another_tool_writes_are_stored_in_the_one_spelling_reports_compare(tmp_path: Path) -> None:
    """Whole seconds, an offset, microseconds: same instant, stored as 2026-03-02T01:00:00.000Z style text."""
    source = tmp_path / "other.jsonl"
    times = ["2026-03-02T09:00:00Z", "2026-03-02T17:00:01.5+08:00", "2026-03-02T09:00:02.123456+00:00",
             "2026-13-02T09:00:00.000Z", "2026-03-02T09:00:03"]
    source.write_text("".join(json.dumps({"ts": ts, "kind": "pageview", "is_bot": False, "is_preview": False}) + "\n"
                              for ts in times), encoding="utf-8")
    db = tmp_path / "s.sqlite"
    result = run_abm("import", "events", source, "--db", db)
    assert result.exit_code == 1 and "2 bad row(s), nothing imported" in result.stderr
    assert "other.jsonl:4: ts: '2026-13-02T09:00:00.000Z' is not ISO 8601" in result.stderr
    assert "other.jsonl:5: ts: '2026-03-02T09:00:03' is not ISO 8601 with a UTC offset" in result.stderr
    assert run_abm("import", "events", source, "--db", db, "--skip-bad-rows").exit_code == 0
    with Store.open(db) as store:
        stored = [row["ts"] for row in store.query("SELECT ts FROM events ORDER BY ts")]
    assert stored == ["2026-03-02T09:00:00.000Z", "2026-03-02T09:00:01.500Z", "2026-03-02T09:00:02.123Z"]


def test_bad_jsonl_lines_and_unknown_csv_columns(tmp_path: Path) -> None:
    source = tmp_path / "bad.jsonl"
    source.write_text('{"ts": "2026-03-02T09:00:00.000Z", "kind": "lead"}\n\n[1]\n{oops\n', encoding="utf-8")
    result = run_abm("import", "events", source, "--db", tmp_path / "s.sqlite")
    assert "bad.jsonl:3: not a JSON object" in result.stderr and "bad.jsonl:4: not JSON" in result.stderr
    header = tmp_path / "header.csv"
    header.write_text("timestamp,kind\n2026-03-02T09:00:00.000Z,lead\n", encoding="utf-8")
    result = run_abm("import", "events", header, "--db", tmp_path / "s.sqlite")
    assert result.exit_code == 1 and "header.csv:1: unknown column(s) timestamp" in result.stderr


def test_unknown_suffix_and_broken_parquet_are_user_errors(tmp_path: Path) -> None:
    odd = tmp_path / "events.txt"
    odd.write_text("x", encoding="utf-8")
    result = run_abm("import", "events", odd, "--db", tmp_path / "s.sqlite")
    assert result.exit_code == 1 and "cannot tell the format" in result.stderr
    broken = tmp_path / "events.parquet"
    broken.write_bytes(b"PAR1 not really")
    result = run_abm("import", "events", broken, "--db", tmp_path / "s.sqlite")
    assert result.exit_code == 1 and "not a readable Parquet file" in result.stderr


def test_export_from_a_missing_store(tmp_path: Path) -> None:
    result = run_abm("export", "events", "--db", tmp_path / "none.sqlite")
    assert result.exit_code == 1 and "no event store at" in result.stderr


def test_help_texts() -> None:
    for args in (["import", "--help"], ["import", "events", "--help"], ["export", "events", "--help"]):
        result = run_abm(*args)
        assert result.exit_code == 0 and "Usage:" in result.stdout
