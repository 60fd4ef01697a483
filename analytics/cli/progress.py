"""A rich progress bar for long imports, exports and generators, shown only where someone looks."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

PROGRESS_HELP = "Show a progress bar (default: when stderr is a terminal)."


@contextmanager
def progress_bar(description: str, total: int | None, enabled: bool | None) -> Iterator[Callable[[int], None]]:
    """Yield ``advance(n)``; draws on stderr when ``enabled`` (None: when stderr is a TTY)."""
    if not (sys.stderr.isatty() if enabled is None else enabled):
        yield lambda n: None
        return
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task(description, total=total)
        yield lambda n: progress.advance(task, n)
