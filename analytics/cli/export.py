"""`abm export events`: the event store as JSON Lines, CSV or Parquet for a warehouse or a backfill."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from analytics.cli.progress import PROGRESS_HELP, progress_bar
from analytics.imports.event_export import FORMATS, count_events, export_events, format_of
from analytics.period import iso, parse_instant
from analytics.store import Store


@click.group("export")
def export_group() -> None:
    """Export data from the event store."""


@export_group.command("events")
@click.option("--db", required=True, help="The event store: a SQLite file or a postgresql:// URL.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), help="Output format (default: from --out's suffix).")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Output file (default: stdout).")
@click.option("--since", help="Only events at or after this date / ISO time (UTC when no zone).")
@click.option("--until", help="Only events before this date / ISO time (UTC when no zone).")
@click.option("--progress/--no-progress", default=None, help=PROGRESS_HELP)
def export_events_command(
    db: str, fmt: str | None, out: Path | None, since: str | None, until: str | None, progress: bool | None
) -> None:
    """Write events with exactly the event field names, in a fixed order (re-exports are identical)."""
    fmt = format_of(out, fmt) if out else fmt or "jsonl"
    since_ts = iso(parse_instant(since, option="--since")) if since else None
    until_ts = iso(parse_instant(until, option="--until")) if until else None
    with Store.open(db) as store:
        total = count_events(store, since_ts, until_ts)
        with progress_bar("exporting events", total, progress) as advance:
            if out is None:
                count = export_events(store, sys.stdout.buffer, fmt, since=since_ts, until=until_ts, progress=advance)
            else:
                with out.open("wb") as handle:
                    count = export_events(store, handle, fmt, since=since_ts, until=until_ts, progress=advance)
    if out is not None:
        click.echo(f"exported {count} event(s) to {out}", err=True)
