"""`abm report dashboard`: every report the marketer reads, in one self-contained HTML file."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import click

from analytics.context import open_context
from analytics.dashboard import DEFAULT_DAYS, build_dashboard
from analytics.period import iso, parse_instant


@click.command("dashboard")
@click.option("--db", required=True, help="The event store: a SQLite file, a postgresql:// URL, or a Parquet export (read with DuckDB).")
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path), help="The HTML file to write.")
@click.option("--accounts", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="The target-accounts CSV (names, tiers, owners, stages).")  # fmt: skip
@click.option("--taxonomy", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="taxonomy.yml for the accounts CSV (default: ./taxonomy.yml).")  # fmt: skip
@click.option("--site", type=click.Path(path_type=Path), help="The built site or project root (for webinars).")
@click.option("--webinar", metavar="SLUG", help="The webinar to show (default: the latest one that has started).")
@click.option("--since", help=f"Start of the period (default: {DEFAULT_DAYS} days before --until).")
@click.option("--until", help="End of the period, exclusive (default: now); signals look at the week before it.")
@click.option("--engine", type=click.Choice(["sqlite", "duckdb"]), default="sqlite", show_default=True,
              help="Run the SQL on SQLite or on DuckDB over the same file (for large stores).")  # fmt: skip
def dashboard(
    db: str,
    out: Path,
    accounts: Path | None,
    taxonomy: Path | None,
    site: Path | None,
    webinar: str | None,
    since: str | None,
    until: str | None,
    engine: str,
) -> None:
    """Accounts, signals, channels, webinar drop-off and experiment results as one HTML file in Chinese.

    The file carries its CSS, SVG charts and sorting script inline and requests nothing from
    any host, so it can be mailed or opened offline. The edge serves the same page behind a login.
    """
    end = parse_instant(until, option="--until") if until else datetime.now(UTC)
    start = since or iso(end - timedelta(days=DEFAULT_DAYS))
    with open_context(db, engine=engine, accounts=accounts, taxonomy=taxonomy, site=site, since=start,
                      until=iso(end)) as ctx:  # fmt: skip
        html = build_dashboard(ctx, webinar=webinar)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(html, encoding="utf-8")
    click.echo(f"wrote {out}", err=True)
