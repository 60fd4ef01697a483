"""`abm alerts`: send new sales alerts (tier-1 visit, surge, drop, lead back on a BoFu page, SLA breach)
to the webhooks of the settings file and/or one `--webhook` URL."""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from analytics.alerts import DEFAULT_LOOKBACK, deliver, evaluate, last_run, record_run
from analytics.cli.timezone import TZ_HELP
from analytics.context import open_context
from analytics.period import iso, parse_instant
from analytics.reports import signals
from analytics.sla import DEFAULT_SLA_HOURS
from personalize.errors import UserError
from personalize.webhooks import Retry, Webhook, parse_webhooks


@dataclass
class AlertSettings:
    """What `abm alerts` reads of the edge's TOML settings file: webhooks, sla_hours, dashboard_url."""

    webhooks: list[Webhook] = field(default_factory=list)
    sla_hours: float = DEFAULT_SLA_HOURS
    dashboard_url: str | None = None


def read_settings(path: Path | None) -> AlertSettings:
    """The alert settings of a settings file (other settings are the edge's and ignored here)."""
    if path is None:
        return AlertSettings()
    try:
        data: dict[str, Any] = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise UserError(f"settings file {path}: cannot read it as TOML ({error})") from error
    try:
        webhooks = parse_webhooks(data.get("webhooks", []))
    except ValueError as error:
        raise UserError(f"settings file {path}: {error}") from error
    sla_hours = data.get("sla_hours", DEFAULT_SLA_HOURS)
    if isinstance(sla_hours, bool) or not isinstance(sla_hours, int | float) or sla_hours <= 0:
        raise UserError(f"settings file {path}: sla_hours {sla_hours!r} is not a positive number of hours")
    url = data.get("dashboard_url")
    return AlertSettings(webhooks, float(sla_hours), str(url) if url else None)


@click.command("alerts")
@click.option("--db", required=True, help="The event store: a SQLite file or a postgresql:// URL.")
@click.option("--settings", "settings_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="The edge's TOML settings file: its [[webhooks]], sla_hours and dashboard_url.")
@click.option(
    "--webhook",
    envvar="ABM_ALERTS_WEBHOOK",
    help="URL that receives one JSON POST per alert (Slack-compatible `text` included), besides the settings' "
    "webhooks. Default: $ABM_ALERTS_WEBHOOK.",
)
@click.option("--accounts", type=click.Path(dir_okay=False, path_type=Path), help="Target accounts CSV (tier-1 alerts need it).")
@click.option("--taxonomy", type=click.Path(dir_okay=False, path_type=Path), help="Taxonomy file (default: ./taxonomy.yml).")
@click.option("--site", type=click.Path(file_okay=False, path_type=Path), help="Built site: pages tagged stage bofu count as BoFu.")
@click.option("--since", help="Look at visits since this local date / ISO time (default: the last complete run, else 24 h).")
@click.option("--tz", metavar="ZONE", help=TZ_HELP)
@click.option("--sla-hours", type=click.FloatRange(min=0, min_open=True),
              help=f"Hours to contact a new lead before sla_breach (default: the settings', else {DEFAULT_SLA_HOURS}).")
@click.option("--dry-run", is_flag=True, help="Print the alerts as JSON lines instead of sending them.")
@click.option("--tries", type=click.IntRange(1, 10), default=3, show_default=True, help="Attempts per alert.")
@click.option("--backoff", type=click.FloatRange(0), default=0.5, show_default=True,
              help="Seconds before the first retry; doubles each time.")
def alerts(
    db: str, settings_file: Path | None, webhook: str | None, accounts: Path | None, taxonomy: Path | None,
    site: Path | None, since: str | None, tz: str | None, sla_hours: float | None, dry_run: bool, tries: int,
    backoff: float,
) -> None:  # fmt: skip
    """Send new sales alerts to webhooks, each exactly once.

    \b
    tier1_visit  a tier-1 account (accounts CSV) viewed pages: one per account and day
    surge        the signals report says an account surges: one per account and week
    drop         an active account went quiet and stays quiet: one per account and quiet spell
    lead_return  a known lead came back to a BoFu page (stage bofu, pricing, demo): one per visit
    sla_breach   a new lead nobody contacted within --sla-hours (abm import crm follow-ups): one per lead

    Each alert goes to every webhook of the settings file that wants it (its owners list names the
    account's owner, or it has none; its kinds list the alert's kind, or it has none) and to --webhook.
    The json format gets kind, account_id, account_name, owner, summary (Chinese), details, ts (UTC) and
    text (days in texts are local to --tz);
    wecom, dingtalk, feishu and slack get a short Chinese message. Connection errors and 5xx answers
    are retried with exponential backoff; an alert is recorded as sent only after every webhook took it
    (2xx, and errcode/code 0 from WeCom, DingTalk, Feishu). Exit code 1 when some could not be
    delivered: the next run tries them again.
    """
    settings = read_settings(settings_file)
    webhooks = settings.webhooks + ([Webhook(webhook)] if webhook else [])
    if not webhooks and not dry_run:
        raise UserError("no webhook: pass --settings FILE with [[webhooks]], --webhook URL or set ABM_ALERTS_WEBHOOK "
                        "(or use --dry-run)")  # fmt: skip
    now = iso(datetime.now(UTC))
    with open_context(db, accounts=accounts, taxonomy=taxonomy, site=site, until=now, tz=tz) as ctx:
        start = iso(parse_instant(since, zone=ctx.zone, option="--since")) if since else last_run(ctx.store)
        start = start or iso(datetime.now(UTC) - DEFAULT_LOOKBACK)
        found = evaluate(ctx, signals.build(ctx), since=start, sla_hours=sla_hours or settings.sla_hours)
        if dry_run:
            for alert in found:
                click.echo(json.dumps(alert.payload(), ensure_ascii=False))
            click.echo(f"{len(found)} alert(s) since {start} (dry run: nothing sent)", err=True)
            return
        outcome = deliver(ctx.store, found, webhooks, Retry(tries=tries, backoff=backoff), settings.dashboard_url)
        unrouted = f"; {outcome.unrouted} wanted by no webhook" if outcome.unrouted else ""
        click.echo(f"sent {outcome.sent} of {len(found)} new alert(s) since {start}{unrouted}", err=True)
        if outcome.problems:
            raise UserError(f"{outcome.failed} alert(s) not delivered; the next run tries them again:\n  "
                            + "\n  ".join(outcome.problems))  # fmt: skip
        record_run(ctx.store, now)
