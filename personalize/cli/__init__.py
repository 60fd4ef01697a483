"""The `abm` command: a thin group whose sub-commands each wing registers as entry points.

Each wing lists its commands under ``[project.entry-points."abm.commands"]`` in pyproject.toml,
so the root knows neither wing's internals and `abm --help` stays fast (commands load lazily).
"""

from __future__ import annotations

import sys
from importlib.metadata import EntryPoint, entry_points

import click

from personalize.errors import UserError


class _EntryPointGroup(click.Group):
    """A click group whose commands come from the ``abm.commands`` entry points."""

    def _entry_points(self) -> dict[str, EntryPoint]:
        return {ep.name: ep for ep in entry_points(group="abm.commands")}

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(super().list_commands(ctx)) | set(self._entry_points()))

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        command = super().get_command(ctx, name)
        if command is not None:
            return command
        entry_point = self._entry_points().get(name)
        return entry_point.load() if entry_point is not None else None


@click.group(cls=_EntryPointGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="abm-site")
def abm() -> None:
    """abm-site: content as code, a personalizing edge and account analytics for B2B ABM."""


def main(argv: list[str] | None = None) -> None:
    """Run `abm`; a UserError anywhere becomes its message on stderr and its exit code."""
    try:
        # Without standalone mode click returns ctx.exit()'s code instead of exiting with it.
        exit_code = abm.main(args=argv, prog_name="abm", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(1)
    except click.ClickException as error:
        error.show()
        sys.exit(error.exit_code)
    except click.exceptions.Exit as exit_:
        sys.exit(exit_.exit_code)
    except UserError as error:
        click.secho(f"error: {error}", fg="red", err=True)
        sys.exit(error.exit_code)
    if isinstance(exit_code, int) and exit_code:
        sys.exit(exit_code)
