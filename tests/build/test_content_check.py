"""`abm content check` against `mkdocs build` on the same projects: the same problems in the same words,
the exit codes with and without --strict, and a tagged page saved outside content/resources/."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from personalize.build.checks import content_pages
from tests.build.test_plugin import BAD_PAGES, GOOD_PAGE, make_project, mkdocs
from tests.conftest import REPO

ABM = Path(sys.executable).parent / "abm"
#: A case study saved in a blog folder: built as a plain page, never listed.
MISPLACED = GOOD_PAGE.replace("title: 零售会员运营白皮书", "title: 放错位置的案例")
#: What a build logs for each problem: `LEVEL -  message`
LOGGED = re.compile(r"^(?:ERROR|WARNING)\s+-\s+(content/.*)$")


def check(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(ABM), "content", "check", *args], cwd=root, capture_output=True, text=True,
                          encoding="utf-8", timeout=60)


def logged(build: subprocess.CompletedProcess[str]) -> list[str]:
    """The problem lines of a build's log, without the log level."""
    return [match.group(1) for line in build.stderr.splitlines() if (match := LOGGED.match(line))]


def printed(result: subprocess.CompletedProcess[str]) -> list[str]:
    """The problem lines of `abm content check`, without its closing summary."""
    return [line for line in result.stderr.splitlines() if not line.startswith("error: ")]


@pytest.fixture(scope="module")
def bad(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pages = {"resources/good.md": GOOD_PAGE, "blog/tagged.md": MISPLACED, **BAD_PAGES}
    return make_project(tmp_path_factory.mktemp("bad"), pages)


@pytest.fixture(scope="module")
def misplaced(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pages = {"resources/good.md": GOOD_PAGE, "blog/tagged.md": MISPLACED}
    return make_project(tmp_path_factory.mktemp("misplaced"), pages)


@pytest.mark.parametrize("expected", [
    ("content/resources/unknown-value.md:4: industries[0]", "'retial'", "Did you mean 'retail'"),
    ("content/resources/missing-and-shape.md:9: stage", "missing"),
    ("content/resources/missing-and-shape.md:5: personas", "needs a list", "personas: [marketing]"),
    ("content/resources/bad-yaml.md:", "front matter: not valid YAML"),
    ("content/resources/bad-date.md:8: date", "not a valid date"),
    ("content/resources/webinar-agenda.md:", "webinar.agenda[2].at", "out of order"),
    ("content/resources/webinar-agenda.md:", "webinar.agenda[3].at", "outside the webinar"),
    ("content/resources/missing-download.md:9: download", "downloads/nowhere.pdf"),
    ("content/variants/bad.md:3: industry", "'helthcare'", "Did you mean 'healthcare'"),
    ("content/variants/bad.md:6: hero.colour", "unknown key"),
    ("content/variants/bad.md:9: logos.items[0].logo", "assets/logos/missing.svg"),
    ("content/variants/bad.md:10: banner", "unknown key"),
    ("content/blog/tagged.md:3: warning: front matter", "content/resources/blog/tagged.md"),
])
def test_check_reports_every_kind_of_problem_the_build_reports(bad: Path, expected: tuple[str, ...]) -> None:
    lines = printed(check(bad))
    assert any(line.startswith(expected[0]) and all(part in line for part in expected[1:]) for line in lines), \
        "\n".join(lines)


def test_check_and_build_print_the_same_problems_in_the_same_order(bad: Path) -> None:
    result, build = check(bad), mkdocs(bad, "build")
    assert result.returncode == 1 and build.returncode != 0
    assert printed(result) == logged(build)
    assert len(printed(result)) >= 13
    assert "resources/good.md" not in result.stderr
    assert re.search(r"^error: \d+ pages checked: \d+ error\(s\), 1 warning\(s\); fix them", result.stderr, re.M)


def test_a_misplaced_page_is_a_warning_that_names_the_file_and_where_it_belongs(misplaced: Path) -> None:
    result, build = check(misplaced), mkdocs(misplaced, "build")
    assert result.returncode == 0 and build.returncode == 0, build.stderr
    [line] = printed(result)
    assert line.startswith("content/blog/tagged.md:3: warning: front matter: resource front matter "
                           "(type, industries, stage, personas, gated) outside content/resources/")
    assert "Move it to content/resources/blog/tagged.md" in line
    assert logged(build) == [line]
    assert result.stdout.strip().endswith("0 error(s), 1 warning(s)")


def test_with_strict_a_misplaced_page_is_an_error_in_the_check_and_the_build(misplaced: Path) -> None:
    result, build = check(misplaced, "--strict"), mkdocs(misplaced, "build", "--strict")
    assert result.returncode == 1 and build.returncode != 0
    [line] = printed(result)
    assert line.startswith("content/blog/tagged.md:3: front matter: resource front matter")
    assert logged(build) == [line]


def test_strict_fails_on_an_unknown_key_like_a_strict_build(tmp_path: Path) -> None:
    root = make_project(tmp_path, {"resources/colour.md": GOOD_PAGE.replace("summary:", "colour: red\nsummary:")})
    assert check(root).returncode == 0
    result, build = check(root, "--strict"), mkdocs(root, "build", "--strict")
    assert result.returncode == 1 and build.returncode != 0
    assert printed(result) == logged(build) == [printed(result)[0]]
    assert printed(result)[0].startswith("content/resources/colour.md:8: colour: unknown key")


def test_plain_pages_and_a_type_that_is_not_a_resource_type_are_left_alone(tmp_path: Path) -> None:
    other = "---\ntitle: 站点地图\ntype: landing\n---\n# 站点地图\n"
    root = make_project(tmp_path, {"resources/good.md": GOOD_PAGE, "about.md": "# 关于\n", "map.md": other})
    result = check(root, "--strict")
    assert result.returncode == 0, result.stderr
    assert result.stderr == "" and result.stdout.strip() == "4 pages checked: 0 error(s), 0 warning(s)"  # + privacy.md


def test_the_demo_content_passes_strict() -> None:
    result = check(REPO, "--strict")
    assert result.returncode == 0, result.stderr


def test_pages_are_the_markdown_files_mkdocs_reads(tmp_path: Path) -> None:
    for name in ("index.md", "a/b.md", ".hidden/c.md", "a/.d.md", "templates/e.md", "a/templates/f.md", "g.txt"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x", encoding="utf-8")
    assert [uri for uri, _ in content_pages(tmp_path)] == ["index.md", "a/b.md", "a/templates/f.md"]


def test_the_pre_commit_hook_runs_the_check_on_content_changes() -> None:
    [hook] = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert hook["id"] == "abm-content-check" and hook["language"] == "python"
    assert hook["entry"] == "abm content check" and hook["pass_filenames"] is False
    assert re.search(hook["files"], "content/resources/x.md") and re.search(hook["files"], "taxonomy.yml")
    assert not re.search(hook["files"], "personalize/build/plugin.py")
