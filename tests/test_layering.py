"""The three wings stay apart: the import rules of ARCHITECTURE.md, checked on the source."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

#: What analytics may use of personalize: the contracts and the kernel, nothing of the build or the edge.
ANALYTICS_MAY_IMPORT = {
    "personalize.events",
    "personalize.database",  # opening the store a --db names (SQLite or PostgreSQL)
    "personalize.manifest",
    "personalize.accounts",
    "personalize.taxonomy",
    "personalize.errors",
    "personalize.orgnames",
    "personalize.webhooks",  # new leads (edge) and alerts (analytics) share one webhook module
    "personalize.cli",
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def _modules(package: str) -> list[Path]:
    return sorted((REPO / package).rglob("*.py"))


@pytest.mark.parametrize("path", _modules("personalize"), ids=lambda p: str(p.relative_to(REPO)))
def test_personalize_never_imports_analytics(path: Path) -> None:
    offending = {name for name in _imports(path) if name.split(".")[0] == "analytics"}
    assert not offending, f"{path.relative_to(REPO)} imports {sorted(offending)}"


@pytest.mark.parametrize("path", _modules("analytics"), ids=lambda p: str(p.relative_to(REPO)))
def test_analytics_uses_only_the_contracts_of_personalize(path: Path) -> None:
    offending = {
        name
        for name in _imports(path)
        if name.split(".")[0] == "personalize" and name not in ANALYTICS_MAY_IMPORT
    }
    assert not offending, f"{path.relative_to(REPO)} imports {sorted(offending)} (only {sorted(ANALYTICS_MAY_IMPORT)})"


def test_reports_never_import_the_web_stack() -> None:
    for path in sorted((REPO / "analytics" / "reports").glob("*.py")):
        offending = {name for name in _imports(path) if name.split(".")[0] in {"starlette", "uvicorn"}}
        assert not offending, f"{path.relative_to(REPO)} imports {sorted(offending)}"
