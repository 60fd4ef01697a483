"""`abm content list` and `resources.collect` on small projects built in temporary directories."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from personalize.build.resources import collect
from personalize.cli import abm
from personalize.errors import ConfigError, UserError
from personalize.taxonomy import Taxonomy

REPO = Path(__file__).resolve().parents[2]

WHITEPAPER = """\
---
title: 智能工厂白皮书
type: 白皮书
industries: [制造]
stage: mofu
personas: [it, executive]
gated: true
download: downloads/smart-factory.pdf
---
正文
"""

WEBINAR = """\
---
title: 制造业数字化直播
type: webinar
industries: all
stage: tofu
personas: [operations]
webinar:
  start: 2026-10-15T14:00:00+08:00
  duration: 60
  agenda:
    - {at: 0, title: 开场}
    - {at: 15, title: 案例}
---
"""

BROKEN = """\
---
title: 坏页面
type: case-study
industries: [manufacturin]
stage: bofu
personas: sales
---
"""


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project root with a taxonomy, two valid resources, a plain page and a variant."""
    shutil.copy(REPO / "taxonomy.yml", tmp_path / "taxonomy.yml")
    write(tmp_path / "content/resources/whitepapers/smart-factory.md", WHITEPAPER)
    write(tmp_path / "content/resources/factory-webinar.md", WEBINAR)
    write(tmp_path / "content/downloads/smart-factory.pdf", "%PDF-1.4\n")
    write(tmp_path / "content/index.md", "# 首页\n")
    write(tmp_path / "content/variants/manufacturing.md", "---\nvariant: industry\nindustry: manufacturing\n---\n")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def run(*args: str) -> Result:
    return CliRunner().invoke(abm, ["content", "list", *args])


def test_collect_reads_only_resource_pages_sorted_by_path(project: Path) -> None:
    taxonomy = Taxonomy.load(project / "taxonomy.yml")
    resources, problems = collect(project / "content", root=project, taxonomy=taxonomy)
    assert problems == []
    assert [r.path for r in resources] == [
        "content/resources/factory-webinar.md", "content/resources/whitepapers/smart-factory.md"
    ]
    assert resources[1].type == "whitepaper" and resources[1].industries == ["manufacturing"]


def test_a_download_next_to_the_page_is_found_too(project: Path) -> None:
    write(project / "content/resources/whitepapers/sheet.pdf", "%PDF-1.4\n")
    write(project / "content/resources/whitepapers/sheet.md", WHITEPAPER.replace("downloads/smart-factory.pdf", "sheet.pdf"))
    resources, problems = collect(project / "content", root=project, taxonomy=Taxonomy.load(project / "taxonomy.yml"))
    assert problems == [] and len(resources) == 3


def test_a_missing_download_is_a_problem_at_its_line(project: Path) -> None:
    write(project / "content/resources/gone.md", WHITEPAPER.replace("smart-factory.pdf", "gone.pdf"))
    resources, problems = collect(project / "content", root=project, taxonomy=Taxonomy.load(project / "taxonomy.yml"))
    assert [r.path for r in resources] == [
        "content/resources/factory-webinar.md", "content/resources/whitepapers/smart-factory.md"
    ]
    [problem] = problems
    assert (problem.path, problem.line, problem.field, problem.value) == (
        "content/resources/gone.md", 8, "download", "downloads/gone.pdf"
    )
    assert "no file 'downloads/gone.pdf' next to the page or in content/" in problem.message


def test_a_page_that_is_not_utf8_is_a_problem(project: Path) -> None:
    (project / "content/resources/gbk.md").write_bytes(WHITEPAPER.encode("gbk"))
    _, problems = collect(project / "content", root=project, taxonomy=Taxonomy.load(project / "taxonomy.yml"))
    [problem] = problems
    assert (problem.path, problem.field) == ("content/resources/gbk.md", "file")
    assert "save the file as UTF-8" in problem.message


def test_json_lists_every_resource_with_the_contract_keys(project: Path) -> None:
    result = run("--format", "json")
    assert result.exit_code == 0, result.output
    listed = json.loads(result.stdout)
    assert [item["path"] for item in listed] == [
        "content/resources/factory-webinar.md", "content/resources/whitepapers/smart-factory.md"
    ]
    webinar, whitepaper = listed
    for item in listed:
        assert {"path", "title", "type", "industries", "stage", "personas", "gated", "webinar"} <= set(item)
    assert whitepaper["webinar"] is None
    assert (whitepaper["title"], whitepaper["type"], whitepaper["industries"], whitepaper["gated"]) == (
        "智能工厂白皮书", "whitepaper", ["manufacturing"], "true"
    )
    assert webinar["industries"] == ["all"]
    assert webinar["webinar"] == {
        "start": "2026-10-15T14:00:00+08:00", "duration": 60,
        "agenda": [{"at": 0, "title": "开场"}, {"at": 15, "title": "案例"}],
    }
    assert result.stderr == ""


@pytest.mark.parametrize("width", [60, 160])
def test_the_table_shows_every_resource_in_a_narrow_and_a_wide_terminal(
    project: Path, monkeypatch: pytest.MonkeyPatch, width: int
) -> None:
    monkeypatch.setenv("COLUMNS", str(width))
    result = run()
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) <= width
    # Cells wrap differently per width; compare without the wrapping and the borders.
    flat = re.sub(r"[\s│┃]", "", result.stdout)
    for text in ("2 resources", "智能工厂白皮书", "制造业数字化直播", "whitepaper", "manufacturing",
                 "executive", "2026-10-15T14:00:00+08:00", "60 min", "2 agenda items"):
        assert text.replace(" ", "") in flat
    if width > 120:  # a narrow row interleaves the lines of its two cells
        assert "content/resources/whitepapers/smart-factory.md" in flat


def test_invalid_pages_go_to_stderr_and_fail_but_valid_ones_are_listed(project: Path) -> None:
    write(project / "content/resources/broken.md", BROKEN)
    result = run("--format", "json")
    assert isinstance(result.exception, UserError)
    assert result.exit_code == 1
    assert "1 resource page has errors" in str(result.exception)
    assert len(json.loads(result.stdout)) == 2
    assert result.stderr.splitlines() == [
        "content/resources/broken.md:4: industries[0]: unknown value 'manufacturin'. Allowed: manufacturing (制造), "
        "high-tech (高科技), fmcg (快消), healthcare (医疗健康), finance (金融), retail (零售), all (全行业). "
        "Did you mean 'manufacturing' (制造)?",
        "content/resources/broken.md:6: personas: needs a list, got a single value; write it as personas: [sales]",
    ]


def test_unknown_keys_warn_and_fail_only_with_strict(project: Path) -> None:
    write(project / "content/resources/extra.md", WEBINAR.replace("stage: tofu", "stage: tofu\nindustry: retail"))
    result = run("--format", "json")
    assert result.exit_code == 0
    assert len(json.loads(result.stdout)) == 3
    assert "content/resources/extra.md:6: warning: industry: unknown key. Did you mean 'industries'?" in result.stderr
    strict = run("--format", "json", "--strict")
    assert strict.exit_code == 1
    assert len(json.loads(strict.stdout)) == 2


def test_other_content_and_taxonomy_paths(project: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    shutil.move(project / "content", elsewhere / "docs")
    shutil.move(project / "taxonomy.yml", elsewhere / "tags.yml")
    result = run("--format", "json", "--content", str(elsewhere / "docs"), "--taxonomy", str(elsewhere / "tags.yml"))
    assert result.exit_code == 0, result.output
    assert len(json.loads(result.stdout)) == 2


def test_a_missing_content_dir_or_taxonomy_is_a_clear_error(project: Path) -> None:
    missing = run("--content", "docs")
    assert isinstance(missing.exception, UserError)
    assert "no content directory docs; run in the project root or pass --content DIR" in str(missing.exception)
    (project / "taxonomy.yml").unlink()
    no_taxonomy = run()
    assert isinstance(no_taxonomy.exception, ConfigError)
    assert "no taxonomy file here" in str(no_taxonomy.exception)


def test_an_empty_resource_center_lists_nothing(project: Path) -> None:
    shutil.rmtree(project / "content/resources")
    result = run("--format", "json")
    assert result.exit_code == 0 and json.loads(result.stdout) == []


@pytest.mark.parametrize("args", [["content", "--help"], ["content", "list", "--help"]])
def test_help(args: list[str]) -> None:
    result = CliRunner().invoke(abm, args)
    assert result.exit_code == 0
    assert "Usage: abm content" in result.output


def test_the_console_script_exits_1_with_the_problems_on_stderr(project: Path) -> None:
    write(project / "content/resources/broken.md", BROKEN)
    script = Path(sys.executable).parent / "abm"
    result = subprocess.run([str(script), "content", "list", "--format", "json"],
                            capture_output=True, text=True, encoding="utf-8")
    assert result.returncode == 1
    assert len(json.loads(result.stdout)) == 2
    assert "content/resources/broken.md:4: industries[0]: unknown value 'manufacturin'" in result.stderr
    assert result.stderr.rstrip().endswith("error: 1 resource page has errors (listed above); fix them and run again")
