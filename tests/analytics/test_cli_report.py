"""`abm report` through the real CLI root: formats, files, options and the errors a user sees."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from analytics.store import Store
from tests.analytics.abm_cli import run_abm
from tests.analytics.report_helpers import at, event

ACCOUNTS_CSV = (
    "id,name,domains,industry,tier,owner,stage\n"
    "ACC-1,恒锐精工,acc-1.example,manufacturing,1,张伟,\n"
    "ACC-2,星河半导体,acc-2.example,high-tech,2,李娜,customer\n"
)
UNTIL = ("--until", "2026-04-08")


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "events.sqlite"
    events = [event(at(1, minutes=i), account_id="ACC-1", arm="personalized") for i in range(6)]
    events += [event(at(15), account_id="ACC-1"), event(at(2), account_id="ACC-2", arm="control")]
    with Store.open(path, create=True) as store:
        store.insert_events(events)
        store.insert_rows("leads", [{"lead_id": "L1", "ts": at(1), "name": "李雷", "email": "li@acc-1.example",
                                     "visitor_id": "v-ACC-1", "account_id": "ACC-1"}])  # fmt: skip
    return path


@pytest.fixture
def accounts(tmp_path: Path) -> Path:
    path = tmp_path / "accounts.csv"
    path.write_text(ACCOUNTS_CSV, encoding="utf-8")
    return path


def test_json_is_a_list_of_rows_with_the_documented_keys(db: Path, accounts: Path) -> None:
    result = run_abm("report", "accounts", "--db", db, "--accounts", accounts, "--format", "json", *UNTIL)
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    keys = {"account_id", "account_name", "visits", "people", "sessions", "pageviews", "engaged_minutes", "leads",
            "last_seen", "stage"}  # fmt: skip
    assert [r["account_id"] for r in rows] == ["ACC-1", "ACC-2"] and keys <= set(rows[0])
    assert (rows[0]["account_name"], rows[0]["pageviews"], rows[0]["leads"], rows[1]["stage"]) == ("恒锐精工", 6, 1, "customer")


def test_summary_csv_and_table(db: Path, accounts: Path) -> None:
    summary = run_abm("report", "accounts", "--db", db, "--accounts", accounts, "--summary", "--format", "json", *UNTIL)
    assert json.loads(summary.stdout)["target_share"] == 1.0
    as_csv = run_abm("report", "signals", "--db", db, "--format", "csv", *UNTIL)
    assert as_csv.exit_code == 0, as_csv.output
    rows = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    assert {"account_id", "account_name", "signal", "this_week", "baseline", "ratio"} <= set(rows[0])
    assert [(r["account_id"], r["signal"], r["ratio"]) for r in rows] == [("ACC-1", "surge", "24.0"), ("ACC-2", "new", "")]
    table = run_abm("report", "accounts", "--db", db, "--accounts", accounts, *UNTIL)
    assert "恒锐精工" in table.stdout and "目标账户访问占已识别访问 100.0%" in table.stdout


def test_signals_options_change_the_answer(db: Path) -> None:
    result = run_abm("report", "signals", "--db", db, "--format", "json", "--min-activity", "7", *UNTIL)
    signals = {r["account_id"]: r["signal"] for r in json.loads(result.stdout)}
    assert signals == {"ACC-2": "new"}  # ACC-1: 6 this week is below the minimum activity of 7
    bad = run_abm("report", "signals", "--db", db, "--baseline-weeks", "2")
    assert bad.exit_code == 2 and "baseline-weeks" in bad.output


def test_experiments_and_leads_objects_and_explain(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "experiments.json"
    result = run_abm("report", "experiments", "--db", db, "--format", "json", "--out", out, *UNTIL)
    assert result.exit_code == 0 and result.stdout == ""
    experiment = json.loads(out.read_text(encoding="utf-8"))
    assert {"arms", "lift", "ci_low", "ci_high", "p_value", "srm_p_value", "warning"} <= set(experiment)
    assert [a["accounts"] for a in experiment["arms"]] == [1, 1] and "样本太少" in experiment["warning"]
    arms_csv = run_abm("report", "experiments", "--db", db, "--format", "csv", *UNTIL).stdout
    assert arms_csv.splitlines()[0] == "arm,accounts,conversions,rate"
    leads = json.loads(run_abm("report", "leads", "--db", db, "--format", "json", *UNTIL).stdout)
    assert [(r["lead_id"], r["grade"]) for r in leads] == [("L1", leads[0]["grade"])] and "grade_zh" in leads[0]
    explain = run_abm("report", "leads", "--db", db, "--explain", "L1", *UNTIL)
    assert explain.exit_code == 0 and "pageview" in explain.stdout and "decay" in explain.stdout
    missing = run_abm("report", "leads", "--db", db, "--explain", "L9", *UNTIL)
    assert missing.exit_code == 1 and "no lead" in missing.stderr


def test_user_errors_and_exit_codes(db: Path, tmp_path: Path) -> None:
    unknown = run_abm("report", "acounts", "--db", db)
    assert unknown.exit_code == 2
    assert "unknown report 'acounts'" in unknown.stderr
    assert "accounts, account, signals, channels, content, webinar, leads, owners, pipeline, roi, experiments" in unknown.stderr
    webinar = run_abm("report", "webinar", "no-such-webinar", "--db", db, "--site", tmp_path)
    assert webinar.exit_code == 1 and "no-such-webinar" in webinar.stderr
    no_store = run_abm("report", "accounts", "--db", tmp_path / "missing.sqlite")
    assert no_store.exit_code == 1 and "no event store" in no_store.stderr
    bad_date = run_abm("report", "accounts", "--db", db, "--since", "last tuesday")
    assert bad_date.exit_code == 1 and "--since" in bad_date.stderr
    backwards = run_abm("report", "accounts", "--db", db, "--since", "2026-05-01", "--until", "2026-04-01")
    assert backwards.exit_code == 1 and "before --until" in backwards.stderr
    bad_format = run_abm("report", "accounts", "--db", db, "--format", "xml")
    assert bad_format.exit_code == 2


def test_duckdb_engine_gives_the_same_json(db: Path, accounts: Path) -> None:
    args = ("report", "accounts", "--db", db, "--accounts", accounts, "--format", "json", *UNTIL)
    assert json.loads(run_abm(*args, "--engine", "duckdb").stdout) == json.loads(run_abm(*args).stdout)


def test_every_report_has_help() -> None:
    for name in ("accounts", "signals", "channels", "webinar", "leads", "experiments"):
        result = run_abm("report", name, "--help")
        assert result.exit_code == 0 and "--db" in result.stdout and "--format" in result.stdout
    assert "surge" in run_abm("report", "signals", "--help").stdout


def test_the_commands_and_the_dashboard_sections_come_from_the_registry() -> None:
    from analytics.dashboard import SECTIONS
    from analytics.reports import registry

    lines = run_abm("report", "--help").stdout.split("Commands:", 1)[1].strip().splitlines()
    assert [line.split()[0] for line in lines] == [*registry(), "dashboard"]
    assert list(SECTIONS) == [name for name, spec in registry().items() if spec.section and spec.section.on_dashboard]
    assert list(registry()) == ["accounts", "account", "signals", "channels", "content", "webinar", "leads", "owners", "pipeline",
                                "roi", "experiments"]
