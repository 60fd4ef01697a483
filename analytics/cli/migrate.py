"""`abm migrate --db A --to B`: move a store between SQLite and PostgreSQL, resumable and verified."""

from __future__ import annotations

import click

from analytics.cli.progress import PROGRESS_HELP, progress_bar
from analytics.store_copy import copy_store, count_rows
from personalize.database import describe
from personalize.errors import UserError


@click.command("migrate")
@click.option("--db", required=True, help="The store to copy: a SQLite file or a postgresql:// URL.")
@click.option("--to", "target", required=True, help="Where to: a SQLite file (created) or a postgresql:// URL.")
@click.option("--progress/--no-progress", default=None, help=PROGRESS_HELP)
def migrate(db: str, target: str, progress: bool | None) -> None:
    """Copy every table of --db into --to, then check each table's row count and checksum on both sides.

    Run it again after an interruption: it continues where it stopped (the target remembers the rows
    copied per table). The target must otherwise be empty. Exit code 1 when a table differs.
    """
    with progress_bar("copying the store", count_rows(db), progress) as advance:
        checks = copy_store(db, target, advance=advance)
    differ = [source.table for source, copy in checks if source != copy]
    for source, copy in checks:
        mark = "ok" if source == copy else f"DIFFERS: {copy.rows} rows, checksum {copy.checksum}"
        click.echo(f"{source.table}: {source.rows} rows, checksum {source.checksum} — {mark}")
    if differ:
        raise UserError(f"{describe(target)} differs from {describe(db)} in {', '.join(differ)}")
    click.echo(f"copied {sum(s.rows for s, _ in checks)} row(s) from {describe(db)} to {describe(target)}; every table checked")
