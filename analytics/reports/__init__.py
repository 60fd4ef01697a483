"""One report per module: a query over the store and a build() that returns rows.

Each module has NAME, TITLE (Chinese), COLUMNS ((key, header) pairs for tables) and
``build(ctx, **options)``; an object result also names the key of its main rows in ROWS_KEY.
"""

from __future__ import annotations

from types import ModuleType

from analytics.reports import accounts, channels, experiments, leads, signals, webinar

#: Report name -> module, in the order `abm report --help` lists them.
REPORTS: dict[str, ModuleType] = {
    module.NAME: module for module in (accounts, signals, channels, webinar, leads, experiments)
}
