"""Run `abm` in-process through its real root (`personalize.cli.main`), as a user would."""

from __future__ import annotations

import click
from click.testing import CliRunner, Result

from personalize.cli import main


@click.command(add_help_option=False, context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
@click.pass_context
def _abm(ctx: click.Context) -> None:
    main(ctx.args)


def run_abm(*args: object) -> Result:
    """The result has exit_code, stdout, stderr and stdout_bytes of one `abm ...` run."""
    return CliRunner().invoke(_abm, [str(arg) for arg in args])
