"""`abm report NAME`: one sub-command per report, all with the same store, period and output options."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import Any

import click
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from analytics.cli.dashboard import dashboard
from analytics.cli.progress import PROGRESS_HELP
from analytics.context import ReportContext, open_context
from analytics.render import FORMATS, render
from analytics.reports import REPORTS, accounts, experiments, leads, signals, webinar


class ReportGroup(click.Group):
    """A group that answers an unknown report name with the list of available ones."""

    def resolve_command(self, ctx: click.Context, args: list[str]) -> tuple[str | None, click.Command | None, list[str]]:
        if args and not args[0].startswith("-") and self.get_command(ctx, args[0]) is None:
            raise click.UsageError(f"unknown report {args[0]!r}; available: {', '.join(self.list_commands(ctx))}", ctx)
        return super().resolve_command(ctx, args)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [*(name for name in REPORTS if name in self.commands), *sorted(set(self.commands) - set(REPORTS))]


@click.group("report", cls=ReportGroup)
def report() -> None:
    """Reports over the event store, for the terminal (table), files (csv, json) or a browser (html).

    Every report leaves out bots and preview traffic. The period is --since .. --until (half-open,
    UTC; a bare date is midnight UTC); --until defaults to now, --since to 7 days before --until,
    and "this week" is always the 7 days before --until. Without --accounts every account seen
    counts as a target account. JSON keys are English and stable; see each report's --help.
    """


def report_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The options every report takes, applied in one place."""
    options = [
        click.option("--db", required=True,
                     help="The event store: a SQLite file, a postgresql:// URL, or a Parquet export (read with DuckDB)."),
        click.option("--since", help="Start of the period (YYYY-MM-DD or ISO date-time; default: 7 days before --until)."),
        click.option("--until", help="End of the period, exclusive (default: now)."),
        click.option("--accounts", "accounts_csv", type=click.Path(exists=True, dir_okay=False, path_type=Path),
                     help="The target-accounts CSV (names, tiers, owners, stages)."),  # fmt: skip
        click.option("--taxonomy", type=click.Path(exists=True, dir_okay=False, path_type=Path),
                     help="taxonomy.yml for the accounts CSV (default: ./taxonomy.yml)."),  # fmt: skip
        click.option("--site", type=click.Path(path_type=Path), help="The built site or project root (for webinars)."),
        click.option("--engine", type=click.Choice(["sqlite", "duckdb"]), default="sqlite", show_default=True,
                     help="Run the SQL on SQLite or on DuckDB over the same file (for large stores)."),  # fmt: skip
        click.option("--weights", type=click.Path(exists=True, dir_okay=False, path_type=Path),
                     help="Scoring weights file (default: analytics/weights.yml)."),  # fmt: skip
        click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True),
        click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Write to this file instead of stdout."),
        click.option("--progress/--no-progress", default=None, help=PROGRESS_HELP),
    ]
    for option in reversed(options):
        command = option(command)
    return command


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
        on_step=on_step,
    ) as ctx:  # fmt: skip
        yield ctx


def _emit(text: str, out: Path | None) -> None:
    if out is None:
        click.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8")
        click.echo(f"wrote {out}", err=True)


def run(module: ModuleType, options: dict[str, Any], **build_options: Any) -> None:
    """Build one report from the common options and print or write it."""
    with _context(options) as ctx:
        result = module.build(ctx, **build_options)
        footer = accounts.footer(accounts.summary(ctx)) if module is accounts else None
        period = (ctx.period.since.isoformat(), ctx.period.until.isoformat())
    text = render(result, options["fmt"], name=module.NAME, title=module.TITLE, columns=module.COLUMNS,
                  rows_key=getattr(module, "ROWS_KEY", None), footer=footer, period=period)  # fmt: skip
    _emit(text, options["out"])


@report.command("accounts")
@report_options
@click.option("--summary", is_flag=True, help="Output the target-account share object instead of the rows.")
def accounts_command(summary: bool, **options: Any) -> None:
    """Per target account: visits, people, sessions, pageviews, engaged minutes, leads, score, stage.

    visits = sessions with a pageview; sessions = sessions with any event; people = distinct
    visitors; engaged_minutes = engagement + webinar heartbeat seconds / 60; trend = visits vs the
    previous period of equal length - 1. JSON: a list of rows. The target-account share of
    identified visits is the table's last line; --summary outputs it as a JSON object (keys
    visits, identified_visits, target_account_visits, identified_share, target_share).
    """
    if not summary:
        run(accounts, options)
        return
    with _context(options) as ctx:
        result = accounts.summary(ctx)
    _emit(render(result, options["fmt"], name="accounts", title=accounts.TITLE), options["out"])


@report.command("signals")
@report_options
@click.option("--baseline-weeks", type=click.IntRange(min=4), default=4, show_default=True,
              help="Weeks before this week whose mean weekly activity is the baseline.")  # fmt: skip
@click.option("--surge-ratio", type=float, default=2.0, show_default=True, help="Surge when this week >= ratio × baseline.")
@click.option("--drop-ratio", type=float, default=0.25, show_default=True, help="Drop when this week <= ratio × baseline.")
@click.option("--min-activity", type=click.IntRange(min=1), default=5, show_default=True,
              help="A surge needs this much activity this week; a drop this much baseline.")  # fmt: skip
def signals_command(baseline_weeks: int, surge_ratio: float, drop_ratio: float, min_activity: int, **options: Any) -> None:
    """Accounts that surge, drop or are new this week (the 7 days before --until).

    \b
    activity  = count of pageview, cta_click, download, lead and webinar_join events
    baseline  = mean weekly activity over the --baseline-weeks weeks before this week
    ratio     = this_week / baseline
    surge     = baseline > 0 and this_week >= --min-activity and ratio >= --surge-ratio
    drop      = baseline >= --min-activity and this_week <= --drop-ratio × baseline
    new       = the account's first event ever is in this week
    JSON: a list of rows with account_id, account_name, signal, this_week, baseline, ratio, reason.
    """
    run(signals, options, baseline_weeks=baseline_weeks, surge_ratio=surge_ratio, drop_ratio=drop_ratio,
        min_activity=min_activity)  # fmt: skip


@report.command("channels")
@report_options
def channels_command(**options: Any) -> None:
    """Visits, target-account visits, accounts reached and leads per channel and per SEM keyword.

    A visit's channel comes from its landing page: an ad click id (gclid, bd_vid, gdt_vid, ...:
    paid_search / paid_social), else its UTM tags, else its referrer host in the Matomo and
    Chinese lists (search, social, ai_assistant: ChatGPT, DeepSeek, 豆包, Kimi, 元宝, ...; email;
    referral; direct). UTM values that differ only in case or spaces are one row. JSON: one list;
    `grouping` is "source" for rows per (channel, source, medium, campaign) and "term" per utm_term.
    """
    run(REPORTS["channels"], options)


@report.command("webinar")
@click.argument("slug")
@report_options
def webinar_command(slug: str, **options: Any) -> None:
    """Attendance of webinar SLUG in 5-minute buckets against its agenda, and follow-up lists.

    SLUG is the page's path under content/ without .md, or its file name when unique. JSON: an
    object with registrants, attendees (counts), no_shows, early_leavers (people: name, email,
    company, account_id), peak_drop_start_minute and buckets (start_minute, present, joined,
    left, agenda). Early leaver = last leave before 80% of the duration.
    """
    run(webinar, options, slug=slug)


@report.command("leads")
@report_options
@click.option("--explain", metavar="LEAD_ID_OR_EMAIL", help="Show how one lead's score is made up, part by part.")
def leads_command(explain: str | None, **options: Any) -> None:
    """Each lead of the period: account, score, grade (无效/可培养/有意向/可转化/已合作), stage,
    visits before and after the form (stitched by visitor id). Weights: analytics/weights.yml."""
    if explain is None:
        run(leads, options)
        return
    with _context(options) as ctx:
        result = leads.explain(ctx, explain)
    title = f"{result['name'] or result['lead_id']}：{result['score']} 分（{result['grade_zh']}），权重 {result['weights']}"
    _emit(render(result, options["fmt"], name="leads", title=title, rows_key="components",
                 columns=(("group", "类别"), ("component", "项目"), ("detail", "依据"), ("points", "分"))),
          options["out"])  # fmt: skip


@report.command("experiments")
@report_options
@click.option("--holdout", type=float, default=0.1, show_default=True, help="Planned share of accounts in the control arm.")
def experiments_command(holdout: float, **options: Any) -> None:
    """Personalized vs control at the account level: conversion, lift with a 95% CI, p-value, SRM.

    Converted = a lead or a CTA click in the period. lift = rate(personalized) / rate(control) - 1;
    ci_low/ci_high by the delta method on the log ratio; p_value from a two-sided two-proportion
    z test; srm_p_value from a chi-square test against --holdout. warning is set when an arm has
    fewer than 30 accounts or 5 conversions, or SRM p < 0.01.
    """
    run(experiments, options, holdout=holdout)


report.add_command(dashboard)
