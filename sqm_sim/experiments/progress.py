"""Progress of a batch on the terminal: runs done / total, rate and ETA (tqdm).

The bar is drawn on standard error only when it is a terminal and ``quiet`` is off, so
machine-readable output on standard output and logs of non-interactive jobs stay clean.
"""

from __future__ import annotations

import sys
from typing import Any

from tqdm import tqdm


class _Bar(tqdm):
    """tqdm without its monitor thread (a thread in the parent would make forking worker
    processes unsafe)."""

    monitor_interval = 0


def show_progress(quiet: bool = False) -> bool:
    """Whether to draw a bar: not quiet and standard error is a terminal."""
    return not quiet and sys.stderr.isatty()


def progress_bar(
    total: int, done: int = 0, *, quiet: bool = False, description: str = "runs"
) -> Any:
    """A tqdm bar over ``total`` runs of which ``done`` were already on disk (resumed)."""
    return _Bar(
        total=total,
        initial=done,
        desc=description,
        unit="run",
        disable=not show_progress(quiet),
        dynamic_ncols=True,
        smoothing=0.1,
        file=sys.stderr,
    )
