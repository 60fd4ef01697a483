"""`abm leads forget`: erase one person from the event store, as a data-protection request asks."""

from __future__ import annotations

import click

from personalize.database import connect, describe
from personalize.erasure import erase_person


@click.group()
def leads() -> None:
    """Work with the people behind the leads of the event store."""


@leads.command("forget")
@click.argument("email", required=False)
@click.option("--visitor", "visitor_id", help="A visitor id (the abm_vid cookie) to forget, with or without EMAIL.")
@click.option("--db", default="abm.sqlite", show_default=True, help="The event store: a SQLite file or a postgresql:// URL.")
def forget(email: str | None, visitor_id: str | None, db: str) -> None:
    """Erase a person: their leads and consent records, webinar registrations and attendance, pending
    webhook deliveries; their events stay for the counts but lose the visitor id and IP hash.

    The store keeps a note that an erasure happened (when, rows per table), never whom.
    """
    if not email and not visitor_id:
        raise click.UsageError("name the person: EMAIL, --visitor ID, or both")
    connection = connect(db)
    try:
        erasure = erase_person(connection, email=email, visitor_id=visitor_id)
    finally:
        connection.close()
    click.echo(f"erased from {describe(db)} at {erasure.erased_at}:")
    for table, count in erasure.rows.items():
        verb = "unlinked" if table == "events" else "deleted"
        click.echo(f"  {table}: {count} row(s) {verb}")
    if not erasure.total:
        click.echo("  nothing of this person was stored")
