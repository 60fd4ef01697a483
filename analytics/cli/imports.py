"""`abm import`: events, webinar attendance reports and CRM stages into the event store."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import click

from analytics.cli.progress import PROGRESS_HELP, progress_bar
from analytics.imports.attendance import ReadOptions, import_webinar
from analytics.imports.crm import read_crm, store_crm
from analytics.imports.dates import DAYFIRST, MONTHFIRST, Order
from analytics.imports.event_export import FORMATS, format_of, import_events
from analytics.imports.event_leads import read_event_leads, replace_key, summary
from analytics.imports.generic import KEYS, parse_map, read_generic
from analytics.imports.rows import accept, parse_tz
from analytics.imports.spend import read_spend
from analytics.imports.teams import read_teams
from analytics.imports.zoom import read_registrants, read_zoom
from analytics.stage_map import load_stage_map
from analytics.store import Store
from analytics.webinars import find_webinar
from personalize.accounts import AccountBook, load_accounts
from personalize.errors import UserError
from personalize.taxonomy import Taxonomy, default_taxonomy_path

FILE = click.Path(exists=True, dir_okay=False, path_type=Path)
READERS = {"zoom": read_zoom, "teams": read_teams, "generic": read_generic}
ACCOUNTS_HELP = "Accounts CSV: people get the account of their email domain."
ORDER_HELP = "only needed when no date in the file settles the order (a first or second field over 12)."
MAP_HELP = f"With --source generic: which column is what, e.g. name=用户昵称,join=入会时间 (keys: {', '.join(KEYS)})."
SKIP_HELP = "Import the good rows and skip the bad ones (default: import nothing while any row is bad)."


@click.group("import")
def import_group() -> None:
    """Import events, webinar attendance, CRM stages, opportunities and follow-ups, and ad spend into the event store."""


@import_group.command("events")
@click.argument("file", type=FILE)
@click.option("--db", required=True, help="The event store: a SQLite file (created if missing) or a postgresql:// URL.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), help="Input format (default: from the suffix).")
@click.option("--skip-bad-rows", is_flag=True, help=SKIP_HELP)
@click.option("--progress/--no-progress", default=None, help=PROGRESS_HELP)
def import_events_command(file: Path, db: str, fmt: str | None, skip_bad_rows: bool, progress: bool | None) -> None:
    """Append events exported by `abm export events` (JSON Lines, CSV or Parquet)."""
    fmt = format_of(file, fmt)
    with Store.open(db, create=True) as store, progress_bar("importing events", None, progress) as advance:
        count, skipped = import_events(store, file, fmt, skip_bad_rows=skip_bad_rows, progress=advance)
    click.echo(f"imported {count} event(s) from {file}" + (f"; {skipped}" if skipped else ""))


def load_book(path: Path | None) -> AccountBook | None:
    return load_accounts(path, Taxonomy.load(default_taxonomy_path())) if path else None


@import_group.command("webinar")
@click.argument("file", type=FILE)
@click.option("--source", type=click.Choice(sorted(READERS)), required=True,
              help="Which tool exported FILE: zoom, teams, or generic for any other (腾讯会议, 钉钉, 飞书, 微吼, 小鹅通; CSV or XLSX).")
@click.option("--webinar", "slug", required=True, help="The webinar page: its path under content/ without .md, or its file name.")
@click.option("--db", required=True, help="The event store: a SQLite file (created if missing) or a postgresql:// URL.")
@click.option("--tz", help="Zone of the report's times, e.g. +08:00 or Asia/Shanghai (default: the webinar start's offset).")
@click.option("--dayfirst", "order", flag_value=DAYFIRST, help=f"Read 03/04/2026 as 3 April; {ORDER_HELP}")
@click.option("--monthfirst", "order", flag_value=MONTHFIRST, help=f"Read 03/04/2026 as March 4; {ORDER_HELP}")
@click.option("--map", "column_map", help=MAP_HELP)
@click.option("--site", type=click.Path(path_type=Path), default=Path("site"), show_default=True,
              help="Built site with abm-manifest.json (run `mkdocs build` first).")
@click.option("--registrants", type=FILE, help="Registration list CSV: registrants who never joined are no-shows.")
@click.option("--accounts", type=FILE, help=ACCOUNTS_HELP)
@click.option("--skip-bad-rows", is_flag=True, help=SKIP_HELP)
def import_webinar_command(
    file: Path, source: str, slug: str, db: str, tz: str | None, order: Order | None, column_map: str | None,
    site: Path, registrants: Path | None, accounts: Path | None, skip_bad_rows: bool,
) -> None:
    """Import a webinar's attendance report (Zoom, Teams or any other platform's); re-importing replaces it."""
    if column_map and source != "generic":
        raise UserError(f"--map is for --source generic; a {source} report's columns are known")
    webinar = find_webinar(slug, site)
    zone = parse_tz(tz) if tz else webinar.start.tzinfo
    assert zone is not None
    options = ReadOptions(zone, order, parse_map(column_map))
    attendance = READERS[source](file, options)
    if registrants:
        attendance.add(read_registrants(registrants, ReadOptions(zone, order, companion_order=attendance.order)))
    book = load_book(accounts)
    with Store.open(db, create=True) as store:
        click.echo(import_webinar(store, attendance, webinar=webinar.slug, source=source,
                                  skip_bad_rows=skip_bad_rows, accounts=book, file=str(file)))


@import_group.command("crm")
@click.argument("file", type=FILE)
@click.option("--db", required=True, help="The event store: a SQLite file (created if missing) or a postgresql:// URL.")
@click.option("--accounts", type=FILE, help="Accounts CSV: checks account ids and matches account names.")
@click.option("--tz", default="UTC", show_default=True, help="Zone of the export's dates, e.g. +08:00.")
@click.option("--stage-map", type=FILE, help="Your own stage map (YAML: word -> stage, outcome); default analytics/stage_map.yml.")
@click.option("--skip-bad-rows", is_flag=True, help=SKIP_HELP)
def import_crm_command(
    file: Path, db: str, accounts: Path | None, tz: str, stage_map: Path | None, skip_bad_rows: bool
) -> None:
    """Import a CRM export (CSV or XLSX): account stages, opportunities or lead follow-ups, told by the header.

    Re-importing replaces: account stages by file name, opportunities by opportunity_id, follow-ups by lead.
    """
    crm = read_crm(file, load_book(accounts), parse_tz(tz), load_stage_map(stage_map) if stage_map else None)
    skipped = accept(file, crm.problems, skip_bad_rows=skip_bad_rows)
    with Store.open(db, create=True) as store:
        message = store_crm(store, file, crm)
    click.echo(message + (f"; {skipped}" if skipped else ""))


@import_group.command("spend")
@click.argument("file", type=FILE)
@click.option("--db", required=True, help="The event store: a SQLite file (created if missing) or a postgresql:// URL.")
@click.option("--skip-bad-rows", is_flag=True, help=SKIP_HELP)
def import_spend_command(file: Path, db: str, skip_bad_rows: bool) -> None:
    """Import ad / campaign spend (CSV or XLSX: date or month, utm_source/medium/campaign, cost in CNY).

    Re-importing the same file replaces it. `abm report roi` spreads a month's cost over its days.
    """
    rows, problems = read_spend(file)
    skipped = accept(file, problems, skip_bad_rows=skip_bad_rows)
    with Store.open(db, create=True) as store:
        count = store.replace_rows("spend", rows, key={"source": f"spend:{file.name}"})
    click.echo(f"imported {count} spend row(s) from {file}" + (f"; {skipped}" if skipped else ""))


@import_group.command("event-leads")
@click.argument("file", type=FILE)
@click.option("--event", required=True, help="The event's name: the leads' utm_campaign (e.g. 2026智造峰会).")
@click.option("--date", "day", help="The event's day, YYYY-MM-DD (default: today).")
@click.option("--db", required=True, help="The event store: a SQLite file (created if missing) or a postgresql:// URL.")
@click.option("--accounts", type=FILE, help="Accounts CSV: match people by e-mail domain or company name and aliases.")
@click.option("--skip-bad-rows", is_flag=True, help=SKIP_HELP)
def import_event_leads_command(file: Path, event: str, day: str | None, db: str, accounts: Path | None,
                               skip_bad_rows: bool) -> None:  # fmt: skip
    """Import an event's sign-up sheet or badge scans (CSV or XLSX: 姓名, 公司, 职位, 手机, 邮箱) as leads.

    Each row is a lead with utm_campaign = --event and utm_medium = offline (the 线下活动 channel),
    matched to a target account by e-mail domain or company name. Prints how many matched and lists
    the rows that did not. Re-importing the same file for the same event replaces it.
    """
    try:
        when = date.fromisoformat(day) if day else datetime.now(UTC).date()
    except ValueError:
        raise UserError(f"--date {day!r}: write the event's day as YYYY-MM-DD") from None
    leads = read_event_leads(file, event=event, day=when, accounts=load_book(accounts))
    skipped = accept(file, leads.problems, skip_bad_rows=skip_bad_rows)
    with Store.open(db, create=True) as store:
        count = store.replace_rows("leads", leads.rows, key=replace_key(file, event))
    click.echo(summary(file, event, leads, count) + (f"\n{skipped}" if skipped else ""))
