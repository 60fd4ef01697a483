"""One report per module, and the registry that `abm report NAME` and the dashboard are made from.

Each module here defines ``REPORT = Report(...)``: its name, Chinese title, the help text of its
command, the CLI parameters it takes beyond the common ones, ``build(ctx, **options)`` and, when the
dashboard shows it, its ``Section``. The CLI and the dashboard read only `registry()`, so a new
report is one module here plus, for a section, ``analytics/templates/sections/<name>.html.j2``.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import click

    from analytics.context import ReportContext

#: A section's view: the report's result and the other sections' results -> what its template shows.
View = Callable[[Any, Mapping[str, Any]], dict[str, Any]]


@dataclass(frozen=True)
class Output:
    """What one run of a report prints: the result and how a table shows it."""

    result: Any
    title: str
    columns: Sequence[tuple[str, str]] = ()
    rows_key: str | None = None  # an object result's main rows (CSV, table columns)
    footer: str | None = None


@dataclass(frozen=True)
class Section:
    """A report's part of the dashboard: its view, its template and the result it is drawn from."""

    view: View
    #: (ctx, **dashboard options) -> the result the view gets; None = ``build(ctx)``
    result: Callable[..., Any] | None = None
    #: the template in ``analytics/templates/sections/`` without ``.html.j2``; None = the report's name
    template: str | None = None
    #: False: the section only draws the report's own page (`--format html`, a linked page), not a dashboard part
    on_dashboard: bool = True


@dataclass(frozen=True)
class Report:
    name: str  # the sub-command, the section id and the `name` render() gets
    title: str  # Chinese, as the dashboard and tables show it
    help: str  # the command's --help: what each number means, the JSON keys
    order: int  # position in `abm report --help` and on the dashboard
    build: Callable[..., Any]  # (ctx, **options) -> a list of rows or an object
    columns: Sequence[tuple[str, str]] = ()  # (key, Chinese header) of table output
    rows_key: str | None = None
    #: click arguments and options beyond the common --db --since --until --accounts --format ...
    params: Sequence[click.Parameter] = ()
    #: (ctx, **options) -> Output, for options that change what is printed (e.g. --summary)
    output: Callable[..., Output] | None = None
    section: Section | None = None

    def run(self, ctx: ReportContext, **options: Any) -> Output:
        if self.output is not None:
            return self.output(ctx, **options)
        return Output(self.build(ctx, **options), self.title, self.columns, self.rows_key)

    def section_result(self, ctx: ReportContext, **dashboard_options: Any) -> Any:
        """The result the dashboard draws this report's section from."""
        if self.section is not None and self.section.result is not None:
            return self.section.result(ctx, **dashboard_options)
        return self.build(ctx)


@cache
def registry() -> dict[str, Report]:
    """Every report module's REPORT by name, in order; modules starting with ``_`` are helpers."""
    found = []
    for info in pkgutil.iter_modules(__path__):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        report = getattr(module, "REPORT", None)
        if not isinstance(report, Report):
            raise TypeError(f"{module.__file__}: a report module defines REPORT = Report(...)")
        found.append(report)
    return {report.name: report for report in sorted(found, key=lambda report: report.order)}
