"""`abm retention apply`: roll raw events older than N days into daily totals and delete them, now."""

from __future__ import annotations

import click

from personalize.database import connect, describe
from personalize.retention import apply_retention


@click.group()
def retention() -> None:
    """Keep raw events for a limited time (the edge does it daily when `retention_days` is set)."""


@retention.command("apply")
@click.option("--db", default="abm.sqlite", show_default=True, help="The event store: a SQLite file or a postgresql:// URL.")
@click.option("--days", type=click.IntRange(min=1), required=True, help="Keep this many days of raw events.")
def apply(db: str, days: int) -> None:
    """Roll the events of every day before today minus DAYS into `daily_totals` and delete them.

    The accounts, channels and content reports read those totals for the old days, so a report
    over a year still shows last year's visits, pageviews and leads.
    """
    connection = connect(db)
    try:
        done = apply_retention(connection, days)
    finally:
        connection.close()
    click.echo(f"{describe(db)}: events before {done.cutoff} rolled into {done.totals} daily total row(s); "
               f"{done.deleted} raw event(s) deleted")
