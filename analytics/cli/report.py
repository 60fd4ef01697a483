"""`abm report NAME`: one sub-command per report, all with the same store, period and output options."""

from __future__ import annotations

import inspect
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from analytics.cli.dashboard import dashboard
from analytics.cli.progress import PROGRESS_HELP
from analytics.cli.timezone import tz_option
from analytics.context import ReportContext, open_context
from analytics.render import FORMATS, render
from analytics.reports import Report, registry


class ReportGroup(click.Group):
    """A group that answers an unknown report name with the list of available ones."""

    def resolve_command(self, ctx: click.Context, args: list[str]) -> tuple[str | None, click.Command | None, list[str]]:
        if args and not args[0].startswith("-") and self.get_command(ctx, args[0]) is None:
            raise click.UsageError(f"unknown report {args[0]!r}; available: {', '.join(self.list_commands(ctx))}", ctx)
        return super().resolve_command(ctx, args)

    def list_commands(self, ctx: click.Context) -> list[str]:
        reports = registry()
        return [*(name for name in reports if name in self.commands), *sorted(set(self.commands) - set(reports))]


@click.group("report", cls=ReportGroup)
def report() -> None:
    """Reports over the event store, for the terminal (table), files (csv, json) or a browser (html).

    Every report leaves out bots and preview traffic. Days are local days of --tz (default
    $ABM_TIMEZONE, else Asia/Shanghai). The period is --since .. --until: a date is a whole local
    day and both ends are inclusive (--until 2026-12-01 includes all of December 1st); a date-time
    is exact (without an offset it is a time in --tz). --until defaults to now, --since to the 7
    local days that end with --until, and "this week" is always those 7 days. Tables show local
    times; JSON and CSV keep the stored UTC timestamps. Without --accounts every account seen
    counts as a target account. JSON keys are English and stable; see each report's --help.
    """


def common_options() -> list[click.Parameter]:
    """The options every report takes (new objects for each command)."""
    return [
        click.Option(["--db"], required=True,
                     help="The event store: a SQLite file, a postgresql:// URL, or a Parquet export (read with DuckDB)."),
        click.Option(["--since"], help="First day of the period (YYYY-MM-DD, or an exact ISO date-time; default: 7 days to --until)."),
        click.Option(["--until"], help="Last day of the period, included (YYYY-MM-DD), or an exact date-time, excluded (default: now)."),
        tz_option(),
        click.Option(["--accounts", "accounts_csv"], type=click.Path(exists=True, dir_okay=False, path_type=Path),
                     help="The target-accounts CSV (names, tiers, owners, stages)."),
        click.Option(["--taxonomy"], type=click.Path(exists=True, dir_okay=False, path_type=Path),
                     help="taxonomy.yml for the accounts CSV (default: ./taxonomy.yml)."),
        click.Option(["--site"], type=click.Path(path_type=Path), help="The built site or project root (for webinars)."),
        click.Option(["--engine"], type=click.Choice(["sqlite", "duckdb"]), default="sqlite", show_default=True,
                     help="Run the SQL on SQLite or on DuckDB over the same file (for large stores)."),
        click.Option(["--weights"], type=click.Path(exists=True, dir_okay=False, path_type=Path),
                     help="Scoring weights file (default: analytics/weights.yml)."),
        click.Option(["--format", "fmt"], type=click.Choice(FORMATS), default="table", show_default=True),
        click.Option(["--out"], type=click.Path(dir_okay=False, path_type=Path), help="Write to this file instead of stdout."),
        click.Option(["--progress/--no-progress"], default=None, help=PROGRESS_HELP),
    ]  # fmt: skip


#: The names the common options arrive under; every other option is the report's own.
COMMON = ("db", "since", "until", "tz", "accounts_csv", "taxonomy", "site", "engine", "weights", "fmt", "out", "progress")


@contextmanager
def _steps(enabled: bool | None) -> Iterator[Callable[[str], None] | None]:
    """A spinner on stderr naming the report's current step (only where someone looks)."""
    if not (sys.stderr.isatty() if enabled is None else enabled):
        yield None
        return
    columns = (SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task("…", total=None)
        yield lambda description: progress.update(task, description=description)


@contextmanager
def _context(options: dict[str, Any]) -> Iterator[ReportContext]:
    with _steps(options["progress"]) as on_step, open_context(
        options["db"], engine=options["engine"], accounts=options["accounts_csv"], taxonomy=options["taxonomy"],
        site=options["site"], since=options["since"], until=options["until"], weights=options["weights"],
        on_step=on_step, tz=options["tz"],
    ) as ctx:  # fmt: skip
        yield ctx


def _emit(text: str, out: Path | None) -> None:
    if out is None:
        click.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8")
        click.echo(f"wrote {out}", err=True)


def run(spec: Report, options: dict[str, Any]) -> None:
    """Build one report from the common options and its own, and print or write it."""
    common = {name: options.pop(name) for name in COMMON}
    with _context(common) as ctx:
        output = spec.run(ctx, **options)
    text = render(output.result, common["fmt"], name=spec.name, title=output.title, columns=output.columns,
                  rows_key=output.rows_key, footer=output.footer, period=ctx.period)  # fmt: skip
    _emit(text, common["out"])


def command(spec: Report) -> click.Command:
    """`abm report NAME`: the report's arguments, the common options, then its own options."""
    arguments = [param for param in spec.params if isinstance(param, click.Argument)]
    own = [param for param in spec.params if not isinstance(param, click.Argument)]
    return click.Command(spec.name, callback=lambda **options: run(spec, options), help=inspect.cleandoc(spec.help),
                         params=[*arguments, *common_options(), *own])  # fmt: skip


for _spec in registry().values():
    report.add_command(command(_spec))
report.add_command(dashboard)
