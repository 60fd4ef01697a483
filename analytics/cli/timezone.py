"""`--tz`, the one option every report, the dashboard and `abm alerts` take the same way."""

from __future__ import annotations

import click

from personalize.zones import DEFAULT_TIMEZONE, TIMEZONE_ENV

TZ_HELP = (
    f"Time zone whose local days are counted and in which times are shown: a name like {DEFAULT_TIMEZONE} "
    f"or UTC, or an offset like +08:00 (default: ${TIMEZONE_ENV}, else {DEFAULT_TIMEZONE}). Stored times stay UTC."
)


def tz_option() -> click.Option:
    """A new `--tz` option object (a click parameter cannot be shared between commands)."""
    return click.Option(["--tz"], metavar="ZONE", help=TZ_HELP)
