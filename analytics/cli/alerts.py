"""`abm alerts`: post new sales alerts (tier-1 visit, surge, drop, lead back on a BoFu page) to a webhook."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import click

from analytics.alerts import DEFAULT_LOOKBACK, Delivery, deliver, evaluate, last_run, record_run
from analytics.cli.timezone import TZ_HELP
from analytics.context import open_context
from analytics.period import iso, parse_instant
from analytics.reports import signals
from personalize.errors import UserError


@click.command("alerts")
@click.option("--db", required=True, help="The event store: a SQLite file or a postgresql:// URL.")
@click.option(
    "--webhook",
    envvar="ABM_ALERTS_WEBHOOK",
    help="URL that receives one JSON POST per alert (Slack-compatible `text` included). "
    "Default: $ABM_ALERTS_WEBHOOK.",
)
@click.option("--accounts", type=click.Path(dir_okay=False, path_type=Path), help="Target accounts CSV (tier-1 alerts need it).")
@click.option("--taxonomy", type=click.Path(dir_okay=False, path_type=Path), help="Taxonomy file (default: ./taxonomy.yml).")
@click.option("--site", type=click.Path(file_okay=False, path_type=Path), help="Built site: pages tagged stage bofu count as BoFu.")
@click.option("--since", help="Look at visits since this local date / ISO time (default: the last complete run, else 24 h).")
@click.option("--tz", metavar="ZONE", help=TZ_HELP)
@click.option("--dry-run", is_flag=True, help="Print the alerts as JSON lines instead of sending them.")
@click.option("--tries", type=click.IntRange(1, 10), default=3, show_default=True, help="Attempts per alert.")
@click.option("--backoff", type=click.FloatRange(0), default=0.5, show_default=True,
              help="Seconds before the first retry; doubles each time.")
def alerts(
    db: str,
    webhook: str | None,
    accounts: Path | None,
    taxonomy: Path | None,
    site: Path | None,
    since: str | None,
    tz: str | None,
    dry_run: bool,
    tries: int,
    backoff: float,
) -> None:
    """Post new sales alerts to a webhook, each exactly once.

    \b
    tier1_visit  a tier-1 account (accounts CSV) viewed pages: one per account and day
    surge        the signals report says an account surges: one per account and week
    drop         an active account went quiet and stays quiet: one per account and quiet spell
    lead_return  a known lead came back to a BoFu page (stage bofu, pricing, demo): one per visit

    Each alert is one JSON POST with kind, account_id, account_name, owner, summary (Chinese),
    details, ts (UTC) and text (for Slack-style webhooks); days in the texts are local to --tz. Connection errors and 5xx answers are
    retried with exponential backoff; an alert is recorded as sent only after a 2xx. Exit code 1
    when some could not be delivered: the next run tries them again.
    """
    if not webhook and not dry_run:
        raise UserError("no webhook: pass --webhook URL or set ABM_ALERTS_WEBHOOK (or use --dry-run)")
    now = iso(datetime.now(UTC))
    with open_context(db, accounts=accounts, taxonomy=taxonomy, site=site, until=now, tz=tz) as ctx:
        start = iso(parse_instant(since, zone=ctx.zone, option="--since")) if since else last_run(ctx.store)
        start = start or iso(datetime.now(UTC) - DEFAULT_LOOKBACK)
        found = evaluate(ctx, signals.build(ctx), since=start)
        if dry_run:
            for alert in found:
                click.echo(json.dumps(alert.payload(), ensure_ascii=False))
            click.echo(f"{len(found)} alert(s) since {start} (dry run: nothing sent)", err=True)
            return
        sent, problems = deliver(ctx.store, found, webhook or "", Delivery(tries=tries, backoff=backoff))
        click.echo(f"sent {sent} of {len(found)} new alert(s) since {start}", err=True)
        if problems:
            raise UserError(
                f"{len(problems)} alert(s) not delivered; the next run tries them again:\n  " + "\n  ".join(problems)
            )
        record_run(ctx.store, now)
