"""`abm report dashboard`: every report the marketer reads, in one self-contained HTML file."""

from __future__ import annotations

from pathlib import Path

import click

from analytics.cli.timezone import TZ_HELP
from analytics.context import open_context
from analytics.dashboard import DEFAULT_DAYS, build_dashboard


@click.command("dashboard")
@click.option("--db", required=True, help="The event store: a SQLite file, a postgresql:// URL, or a Parquet export (read with DuckDB).")
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path), help="The HTML file to write.")
@click.option("--accounts", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="The target-accounts CSV (names, tiers, owners, stages).")  # fmt: skip
@click.option("--taxonomy", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="taxonomy.yml for the accounts CSV (default: ./taxonomy.yml).")  # fmt: skip
@click.option("--site", type=click.Path(path_type=Path), help="The built site or project root (for webinars).")
@click.option("--webinar", metavar="SLUG", help="The webinar to show (default: the latest one that has started).")
@click.option("--since", help=f"First day of the period (default: the {DEFAULT_DAYS} local days that end with --until).")
@click.option("--until", help="Last day of the period, included, or an exact date-time (default: now); "
              "signals look at the 7 days that end with it.")
@click.option("--tz", metavar="ZONE", help=TZ_HELP)
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
    tz: str | None,
    engine: str,
) -> None:
    """Accounts, signals, channels, webinar drop-off and experiment results as one HTML file in Chinese.

    The file carries its CSS, SVG charts and sorting script inline and requests nothing from
    any host, so it can be mailed or opened offline. The edge serves the same page behind a login.
    """
    with open_context(db, engine=engine, accounts=accounts, taxonomy=taxonomy, site=site, since=since,
                      until=until, tz=tz, days=DEFAULT_DAYS) as ctx:  # fmt: skip
        html = build_dashboard(ctx, webinar=webinar)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(html, encoding="utf-8")
    click.echo(f"wrote {out}", err=True)
