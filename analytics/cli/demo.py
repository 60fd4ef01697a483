"""`abm demo traffic`: fill an event store with realistic, seeded demo traffic."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import click

from analytics.cli.progress import PROGRESS_HELP, progress_bar
from analytics.demo_traffic import generate, site_pages, write
from analytics.period import parse_instant
from analytics.store import Store
from analytics.webinars import is_built, list_webinars
from personalize.accounts import load_accounts
from personalize.errors import UserError
from personalize.taxonomy import Taxonomy, default_taxonomy_path


@click.group("demo")
def demo() -> None:
    """Demo data for trying abm-site out."""


@demo.command("traffic")
@click.option("--db", required=True, help="The event store to fill: a SQLite file (created if missing) or a postgresql:// URL.")
@click.option("--days", type=click.IntRange(1, 3650), default=90, show_default=True, help="How many days of traffic.")
@click.option("--seed", type=int, default=7, show_default=True, help="Same seed, same traffic.")
@click.option("--accounts", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              default=Path("demo/accounts.csv"), show_default=True, help="The target accounts CSV.")
@click.option("--site", type=click.Path(path_type=Path), default=Path("site"), show_default=True,
              help="Built site whose pages and webinars are visited (else a built-in list of pages, no webinars).")
@click.option("--until", help="Last moment of the traffic: a date or ISO time (default: now).")
@click.option("--replace", is_flag=True, help="Delete the store's events and leads first (they are all lost).")
@click.option("--progress/--no-progress", default=None, help=PROGRESS_HELP)
def traffic(db: str, days: int, seed: int, accounts: Path, site: Path, until: str | None, replace: bool,
            progress: bool | None) -> None:
    """Generate surging and quiet accounts, channels, leads, both holdout arms, webinars and CRM stages."""
    taxonomy = Taxonomy.load(default_taxonomy_path())
    book = load_accounts(accounts, taxonomy)
    end = parse_instant(until, option="--until") if until else datetime.now(UTC)
    with Store.open(db, create=True) as store:
        existing = store.scalar("SELECT COUNT(*) FROM events")
        if existing and not replace:
            raise UserError(f"{store.location} already holds {existing} events; use another --db or --replace")
        if replace:
            store.execute("DELETE FROM events")
            store.execute("DELETE FROM leads")
        with progress_bar("generating days", days + 1, progress) as advance:
            out = generate(seed=seed, days=days, until=end, accounts=book.accounts,
                           pages=site_pages(site), webinars=list_webinars(site) if is_built(site) else [],
                           on_day=lambda: advance(1))
        with progress_bar("writing events", len(out.events), progress) as advance:
            counts = write(store, out, on_batch=advance)
    click.echo(", ".join(f"{count} {what}" for what, count in counts.items()) + f" written to {store.location}")
    for role in ("surge", "quiet", "new"):
        names = [account.name for i, r in sorted(out.story.items()) if r == role and (account := book.get(i))]
        click.echo(f"  {role}: {', '.join(names)}")
