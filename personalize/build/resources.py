"""Collect every resource page of a content directory: their metadata and all their problems.

Resource pages live under `<content>/resources/`; everything else in the content directory is a
plain page or a variant (`<content>/variants/`) and is not a resource. Besides the front-matter
check of each page, this is where a page's `download` is looked up on disk.
"""

from __future__ import annotations

import os
from pathlib import Path

from personalize.build.frontmatter import PageCheck, Problem, Resource, check_resource
from personalize.taxonomy import Taxonomy

RESOURCES_DIR = "resources"


def relative(path: Path, root: Path) -> str:
    """A path as writers see it in messages: relative to the project root, with '/'."""
    return Path(os.path.relpath(path, root)).as_posix()


def find_download(download: str, *, page: Path, content_dir: Path) -> Path | None:
    """The asset file a page's `download` names: relative to the page first, then to the content dir."""
    for base in (page.parent, content_dir):
        candidate = base / download
        if candidate.is_file():
            return candidate
    return None


def read_page(page: Path, path: str) -> tuple[str | None, list[Problem]]:
    """A page's text, or a problem (named `path`) when it is not UTF-8."""
    try:
        return page.read_text(encoding="utf-8"), []
    except UnicodeDecodeError as error:
        return None, [Problem(path, None, "file", f"not UTF-8 text ({error.reason} at byte "
                              f"{error.start}); save the file as UTF-8")]


def check_page(page: Path, *, content_dir: Path, root: Path, taxonomy: Taxonomy, strict: bool = False) -> PageCheck:
    """Check one resource page file, including that its download exists."""
    path = relative(page, root)
    text, problems = read_page(page, path)
    if text is None:
        return PageCheck(None, problems)
    check = check_resource(text, path=path, taxonomy=taxonomy, strict=strict)
    resource = check.resource
    if resource and resource.download and not find_download(resource.download, page=page, content_dir=content_dir):
        check.problems.append(Problem(
            path, check.lines.get("download"), "download",
            f"no file {resource.download!r} next to the page or in {relative(content_dir, root)}/; "
            "put the file there or fix the path",
            value=resource.download,
        ))
        check.problems.sort(key=lambda problem: problem.line or 0)
        check.resource = None
    return check


def collect(content_dir: Path, *, root: Path, taxonomy: Taxonomy,
            strict: bool = False) -> tuple[list[Resource], list[Problem]]:
    """Every valid resource under `<content>/resources/` and every problem found, sorted by path."""
    resources: list[Resource] = []
    problems: list[Problem] = []
    for page in sorted((content_dir / RESOURCES_DIR).rglob("*.md")):
        check = check_page(page, content_dir=content_dir, root=root, taxonomy=taxonomy, strict=strict)
        problems.extend(check.problems)
        if check.resource is not None:
            resources.append(check.resource)
    return resources, problems
