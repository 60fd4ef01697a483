"""`abm import`: events, webinar attendance reports and CRM stages into the event store."""

from __future__ import annotations

from pathlib import Path

import click

from analytics.cli.progress import PROGRESS_HELP, progress_bar
from analytics.imports.events import FORMATS, format_of, import_events
from analytics.store import Store

FILE = click.Path(exists=True, dir_okay=False, path_type=Path)
SKIP_HELP = "Import the good rows and skip the bad ones (default: import nothing while any row is bad)."


@click.group("import")
def import_group() -> None:
    """Import events, webinar attendance and CRM stages into the event store."""


@import_group.command("events")
@click.argument("file", type=FILE)
@click.option("--db", required=True, help="The event store (SQLite file; created if missing).")
@click.option("--format", "fmt", type=click.Choice(FORMATS), help="Input format (default: from the suffix).")
@click.option("--skip-bad-rows", is_flag=True, help=SKIP_HELP)
@click.option("--progress/--no-progress", default=None, help=PROGRESS_HELP)
def import_events_command(file: Path, db: str, fmt: str | None, skip_bad_rows: bool, progress: bool | None) -> None:
    """Append events exported by `abm export events` (JSON Lines, CSV or Parquet)."""
    fmt = format_of(file, fmt)
    with Store.open(db, create=True) as store, progress_bar("importing events", None, progress) as advance:
        count, skipped = import_events(store, file, fmt, skip_bad_rows=skip_bad_rows, progress=advance)
    click.echo(f"imported {count} event(s) from {file}" + (f"; {skipped}" if skipped else ""))
