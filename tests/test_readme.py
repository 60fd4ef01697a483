"""The README's settings table is generated from the one list of settings; keep them equal."""

from __future__ import annotations

from pathlib import Path

from personalize.edge.settings_export import settings_markdown

REPO = Path(__file__).resolve().parents[1]


def test_readme_holds_the_current_settings_table() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert settings_markdown().strip() in readme, (
        "README.md's settings table is stale: paste the output of `abm serve --settings-table`"
    )


def test_readme_names_the_two_commands() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "make demo" in readme and "make test" in readme
