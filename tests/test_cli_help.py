"""`abm` and every one of its sub-commands answer `--help` with a description."""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

from personalize.cli import abm


def _commands(group: click.Group, ctx: click.Context, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = []
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        assert command is not None, f"`abm {' '.join((*prefix, name))}` is listed but does not load"
        found.append((*prefix, name))
        if isinstance(command, click.Group):
            found += _commands(command, click.Context(command, parent=ctx, info_name=name), (*prefix, name))
    return found


ALL = _commands(abm, click.Context(abm, info_name="abm"))


def test_every_wing_registers_its_commands() -> None:
    top = {path[0] for path in ALL}
    assert {"content", "accounts", "link", "serve", "report", "import", "export", "alerts", "demo"} <= top


@pytest.mark.parametrize("path", ALL, ids=" ".join)
def test_help(path: tuple[str, ...]) -> None:
    result = CliRunner().invoke(abm, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert f"Usage: abm {' '.join(path)}" in result.output
    description = result.output.split("\n\n", 2)[1].strip()
    assert description and not description.startswith("Options:"), f"`abm {' '.join(path)}` has no help text"
