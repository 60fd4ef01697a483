"""Hostile files: front matter, the accounts CSV, webinar reports and CRM exports. Each either reads or
fails with a clear message (a UserError or problems as data), never a traceback, never a partial import."""

from __future__ import annotations

import csv
import io
from datetime import UTC
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analytics.imports.attendance import ReadOptions
from analytics.imports.crm import read_crm
from analytics.imports.generic import read_generic
from analytics.imports.zoom import read_zoom
from analytics.store import Store
from personalize.accounts import read_accounts
from personalize.build.frontmatter import check_resource
from personalize.errors import UserError
from personalize.taxonomy import Taxonomy
from tests.analytics.abm_cli import run_abm
from tests.hostile.cases import case

REPO = Path(__file__).resolve().parents[2]
TAXONOMY = Taxonomy.load(REPO / "taxonomy.yml")
FIELDS = ["title", "type", "industries", "stage", "personas", "gated", "accounts", "topics", "date", "download",
          "webinar", "summary", "start", "duration", "agenda"]  # fmt: skip
TAGS = ["whitepaper", "webinar", "manufacturing", "all", "tofu", "mofu", "bofu", "true", "auto", "制造业", "2026-13-40",
        "[a, b]", "{x: 1}", "&a *a", "!!python/object:os.system ls", "- 1\n- 2", "'", '"', ":", "\t", "~", "null"]  # fmt: skip

yaml_values = st.one_of(st.sampled_from(TAGS), st.text(max_size=40))
front_matter = st.lists(st.tuples(st.sampled_from([*FIELDS, "x"]), yaml_values), max_size=12).map(
    lambda pairs: "---\n" + "".join(f"{key}: {value}\n" for key, value in pairs) + "---\n正文\n"
)


@given(text=st.one_of(front_matter, st.text(max_size=400), front_matter.map(lambda t: t[: len(t) // 2])))
def test_front_matter_gives_problems_never_an_exception(text: str) -> None:
    case("files: front matter")
    checked = check_resource(text, path="content/resources/x.md", taxonomy=TAXONOMY)
    assert (checked.resource is None) == bool([p for p in checked.problems if getattr(p, "severity", "error") == "error"])
    for problem in checked.problems:
        assert problem.path == "content/resources/x.md" and problem.field and problem.message


def table(rows: list[list[str]]) -> str:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue()


cells = st.one_of(st.text(max_size=30), st.sampled_from(["", "ACC-1", "1", "4", "manufacturing", "制造业", "10.0.0.0/8",
                                                           "999.1.1.1/99", "a.example;b.example", "=cmd()", "2026-10-01"]))  # fmt: skip
ACCOUNT_HEADER = ["id", "name", "domains", "industry", "tier", "ip_ranges", "owner", "stage"]
encodings = st.sampled_from(["utf-8", "utf-8-sig", "gb18030", "utf-16", "latin-1"])


def _write(path: Path, text: str, encoding: str) -> None:
    path.write_bytes(text.encode(encoding, "replace"))


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("hostile-files")


@given(header=st.one_of(st.just(ACCOUNT_HEADER), st.lists(st.sampled_from([*ACCOUNT_HEADER, "x", ""]), max_size=9)),
       rows=st.lists(st.lists(cells, max_size=9), max_size=6), encoding=encodings, raw=st.none() | st.binary(max_size=300))  # fmt: skip
def test_the_accounts_csv_reads_or_names_its_problems(workdir: Path, header: list[str], rows: list[list[str]],
                                                     encoding: str, raw: bytes | None) -> None:  # fmt: skip
    case("files: accounts CSV")
    path = workdir / "accounts.csv"
    if raw is None:
        _write(path, table([header, *rows]), encoding)
    else:
        path.write_bytes(raw)
    try:
        found, problems = read_accounts(path, TAXONOMY)
    except UserError as error:
        assert str(error)
        return
    for problem in problems:
        assert str(problem)


WEBINAR_HEADER = ["姓名", "邮箱", "公司", "入会时间", "离会时间", "参会时长", "Name (Original Name)", "User Email",
                  "Join Time", "Leave Time", "Duration (Minutes)"]  # fmt: skip
times = st.sampled_from(["2026-10-01 10:00", "2026/10/01 10:30:00", "10/01/2026 11:00 AM", "25:61", "", "昨天", "45分钟",
                         "1h 2m", "-5", "2026-10-01T10:00:00+08:00", "13/13/2026 10:00"])  # fmt: skip


@given(header=st.lists(st.sampled_from(WEBINAR_HEADER), min_size=1, max_size=7, unique=True),
       rows=st.lists(st.lists(st.one_of(times, cells), max_size=7), max_size=6), encoding=encodings,
       reader=st.sampled_from([read_generic, read_zoom]))  # fmt: skip
def test_webinar_reports_read_or_fail_clearly(workdir: Path, header: list[str], rows: list[list[str]], encoding: str,
                                             reader: object) -> None:  # fmt: skip
    case("files: webinar reports")
    path = workdir / "report.csv"
    _write(path, table([header, *rows]), encoding)
    try:
        attendance = reader(path, ReadOptions(UTC))  # type: ignore[operator]
    except UserError as error:
        assert str(error)
        return
    assert attendance is not None


CRM_HEADER = ["Account_ID", "Account Name", "Stage", "Amount", "Updated_At", "客户名称", "阶段", "金额", "更新时间"]


@given(header=st.lists(st.sampled_from(CRM_HEADER), min_size=1, max_size=5, unique=True),
       rows=st.lists(st.lists(st.one_of(times, cells, st.sampled_from(["Closed Won", "POC", "1,200,000", "-3.5"])),
                              max_size=5), max_size=5), encoding=encodings)  # fmt: skip
def test_crm_exports_read_or_fail_clearly(workdir: Path, header: list[str], rows: list[list[str]], encoding: str) -> None:
    case("files: CRM exports")
    path = workdir / "pipeline.csv"
    _write(path, table([header, *rows]), encoding)
    try:
        read = read_crm(path, None, UTC)
    except UserError as error:
        assert str(error)
        return
    assert all(str(problem) for problem in read.problems)


@settings(max_examples=max(20, settings().max_examples // 5))  # a whole CLI run per case
@given(rows=st.lists(st.lists(st.one_of(times, cells, st.sampled_from(["Closed Won", "POC"])), min_size=4, max_size=4),
                     min_size=1, max_size=4))  # fmt: skip
def test_a_bad_crm_row_imports_nothing_through_the_cli(workdir: Path, rows: list[list[str]]) -> None:
    case("files: CRM import, all or nothing")
    path, db = workdir / "crm.csv", workdir / "crm.sqlite"
    _write(path, table([["Account_ID", "Stage", "Amount", "Updated_At"], ["ACC-KEEP", "POC", "", "2026-10-01"]]), "utf-8")
    assert run_abm("import", "crm", path, "--db", db).exit_code == 0
    _write(path, table([["Account_ID", "Stage", "Amount", "Updated_At"], *rows]), "utf-8")
    result = run_abm("import", "crm", path, "--db", db)
    with Store.open(db) as store:
        stored = [row["account_id"] for row in store.query("SELECT account_id FROM crm_stages")]
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    if result.exit_code == 0:
        assert "ACC-KEEP" not in stored or rows[0][0] == "ACC-KEEP"  # the file replaced its earlier import
    else:
        assert "error:" in result.stderr and stored == ["ACC-KEEP"]  # nothing of the bad file
