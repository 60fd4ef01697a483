"""`abm content ...`: look at the site's content the way the build sees it."""

from __future__ import annotations

import json
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from personalize.build.checks import check_content, content_pages
from personalize.build.frontmatter import Problem, Resource
from personalize.build.resources import collect
from personalize.errors import UserError
from personalize.taxonomy import Taxonomy


@click.group()
def content() -> None:
    """Check and list the resource pages under the content directory."""


CONTENT_OPTION = click.option("--content", "content_dir", type=click.Path(path_type=Path), default=Path("content"),
                              show_default=True, help="The content directory (MkDocs docs_dir).")
TAXONOMY_OPTION = click.option("--taxonomy", "taxonomy_file", type=click.Path(path_type=Path),
                               default=Path("taxonomy.yml"), show_default=True,
                               help="The taxonomy file with the allowed tag values.")


@content.command("check")
@CONTENT_OPTION
@TAXONOMY_OPTION
@click.option("--strict", is_flag=True, help="Fail on warnings too: unknown keys and misplaced resource pages "
              "are errors, as in `mkdocs build --strict`.")
def check(content_dir: Path, taxonomy_file: Path, strict: bool) -> None:
    """Check every page as `mkdocs build` does, without building the site.

    Prints each problem as the build does (file:line: field: message) to stderr; the exit code is 1
    on any error (with --strict, on any warning). For editors, pre-commit and CI; run it in the
    project root.
    """
    if not content_dir.is_dir():
        raise UserError(f"no content directory {content_dir}; run in the project root or pass --content DIR")
    taxonomy = Taxonomy.load(taxonomy_file)
    result = check_content(content_pages(content_dir), content_dir=content_dir, root=Path.cwd(), taxonomy=taxonomy,
                           strict=strict)
    failing = result.problems if strict else result.errors
    _print(result.problems)
    summary = (f"{result.pages} page{'' if result.pages == 1 else 's'} checked: {len(result.errors)} error(s), "
               f"{len(result.warnings)} warning(s)")
    if failing:
        raise UserError(f"{summary}; fix them and check again")
    click.echo(summary)


@content.command("list")
@click.option("--format", "format_", type=click.Choice(["table", "json"]), default="table", show_default=True,
              help="A table for people, or a JSON list of objects for scripts.")
@CONTENT_OPTION
@TAXONOMY_OPTION
@click.option("--strict", is_flag=True, help="Treat unknown front-matter keys as errors, as `mkdocs build --strict` does.")
def list_(format_: str, content_dir: Path, taxonomy_file: Path, strict: bool) -> None:
    """List every resource with its tags and webinar facts.

    Problems of invalid pages go to stderr and the exit code is 1; valid pages are listed anyway.
    Paths are relative to the current directory, the project root.
    """
    if not content_dir.is_dir():
        raise UserError(f"no content directory {content_dir}; run in the project root or pass --content DIR")
    taxonomy = Taxonomy.load(taxonomy_file)
    resources, problems = collect(content_dir, root=Path.cwd(), taxonomy=taxonomy, strict=strict)
    if format_ == "json":
        click.echo(json.dumps([resource.to_dict() for resource in resources], ensure_ascii=False, indent=2))
    else:
        console = Console()
        console.print(_table(resources, console.width))
    _report(problems)


def _print(problems: list[Problem]) -> None:
    """Each problem on its own line of stderr, in the build's words (red errors, yellow warnings)."""
    for problem in problems:
        click.secho(str(problem), err=True, fg="red" if problem.severity == "error" else "yellow")


def _report(problems: list[Problem]) -> None:
    """Print the problems to stderr; any error makes the command fail after the listing."""
    _print(problems)
    invalid = sorted({problem.path for problem in problems if problem.severity == "error"})
    if invalid:
        pages = "page has" if len(invalid) == 1 else "pages have"
        raise UserError(f"{len(invalid)} resource {pages} errors (listed above); fix them and run again")


#: Below this many columns a row puts the tags under each other instead of in their own columns.
WIDE = 110


def _table(resources: list[Resource], width: int) -> Table:
    """One row per resource; in a narrow terminal the tags stack in one column so nothing is cut."""
    table = Table(title=f"{len(resources)} resource{'' if len(resources) == 1 else 's'}", show_lines=True)
    table.add_column("resource", overflow="fold", ratio=2)
    wide = width >= WIDE
    names = ("type", "industries", "stage", "personas", "gated", "webinar") if wide else ("tags",)
    for name in names:
        table.add_column(name, overflow="fold", ratio=1 if wide else 3)
    for resource in resources:
        tags = _tags(resource)
        cells = list(tags.values()) if wide else ["\n".join(f"{k}: {v}" for k, v in tags.items() if v)]
        table.add_row(f"{resource.title}\n[dim]{resource.path}[/dim]", *cells)
    return table


def _tags(resource: Resource) -> dict[str, str]:
    webinar = resource.webinar
    return {
        "type": resource.type,
        "industries": ", ".join(resource.industries),
        "stage": resource.stage,
        "personas": ", ".join(resource.personas),
        "gated": resource.gated,
        "webinar": f"{webinar['start']}\n{webinar['duration']} min, {len(webinar['agenda'])} agenda items"
        if webinar else "",
    }
