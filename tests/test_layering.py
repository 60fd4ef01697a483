"""The three wings stay apart: the import rules of ARCHITECTURE.md, checked on the source.

Every import counts, also those under TYPE_CHECKING and inside functions:

* build (`personalize/build/`) and edge (`personalize/edge/`) never import each other;
* the kernel (every other module of `personalize/`) imports neither wing;
* `personalize` never imports `analytics`; analytics imports only the kernel modules listed below;
* reports never import the web stack; no package has an import circle.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
WINGS = ("personalize.build", "personalize.edge")

#: What analytics may use of personalize: the contracts and the kernel, nothing of the build or the edge.
ANALYTICS_MAY_IMPORT = {
    "personalize.events",
    "personalize.database",  # opening the store a --db names (SQLite or PostgreSQL)
    "personalize.manifest",
    "personalize.accounts",
    "personalize.taxonomy",
    "personalize.errors",
    "personalize.orgnames",
    "personalize.zones",  # the time-zone spellings and default the edge's settings accept too
    "personalize.webhooks",  # new leads (edge) and alerts (analytics) share one webhook module
    "personalize.cli",
}


def _module_exists(dotted: str) -> bool:
    path = REPO.joinpath(*dotted.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def _imports(path: Path) -> set[str]:
    """The modules a file imports: `from a import b` counts as `a.b` when b is a module of this repo."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            submodules = {f"{node.module}.{alias.name}" for alias in node.names}
            found = {name for name in submodules if _module_exists(name)}
            names.update(found or {node.module})
    return names


def _module_name(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules(package: str) -> list[Path]:
    return sorted((REPO / package).rglob("*.py"))


def _wing(module: str) -> str:
    return next((wing for wing in WINGS if module == wing or module.startswith(wing + ".")), "kernel")


@pytest.mark.parametrize("path", _modules("personalize"), ids=lambda p: str(p.relative_to(REPO)))
def test_personalize_never_imports_analytics(path: Path) -> None:
    offending = {name for name in _imports(path) if name.split(".")[0] == "analytics"}
    assert not offending, f"{path.relative_to(REPO)} imports {sorted(offending)}"


@pytest.mark.parametrize("path", _modules("personalize"), ids=lambda p: str(p.relative_to(REPO)))
def test_build_edge_and_kernel_stay_in_their_rooms(path: Path) -> None:
    """A wing imports the kernel and itself; the kernel imports neither wing."""
    here = _wing(_module_name(path))
    offending = {
        name for name in _imports(path)
        if name.startswith("personalize.") and _wing(name) not in ("kernel", here)
    }  # fmt: skip
    assert not offending, f"{path.relative_to(REPO)} ({here}) imports {sorted(offending)}"


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


@pytest.mark.parametrize("package", ["personalize", "analytics"])
def test_no_import_circles(package: str) -> None:
    """Module -> module imports inside a package form no cycle (a package's __init__ re-exports excepted)."""
    graph = {
        _module_name(path): {name for name in _imports(path) if name.split(".")[0] == package and _module_exists(name)}
        for path in _modules(package)
    }
    state: dict[str, int] = {}  # 1: on the current path, 2: done

    def visit(module: str, trail: list[str]) -> None:
        state[module] = 1
        for target in sorted(graph.get(module, ())):
            if target == module or module.startswith(target + "."):
                continue  # a module importing its own package's __init__
            if state.get(target) == 1:
                pytest.fail("import circle: " + " -> ".join([*trail[trail.index(target):], target]))
            if target not in state:
                visit(target, [*trail, target])
        state[module] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
