"""Building the report of a results folder and writing it as one HTML file."""

from __future__ import annotations

from pathlib import Path

from ..experiments import atomic
from ..run.provenance import utc_now

REPORT_NAME = "report.html"
"""File name of the report inside the results folder (the default output)."""


def build_report(results_dir: str | Path) -> str:
    """The self-contained HTML report of the results folder ``results_dir``."""
    from .folder import open_results  # pandas and the section builders: only when building
    from .html import page

    folder, kind = open_results(results_dir)
    sections = kind.build(folder)
    return page(
        title=kind.title(folder),
        subtitle=f"Report of the results folder '{folder.path.resolve().name}'",
        intro=kind.intro(folder),
        sections=sections,
        footer=f"Written by sqm_sim on {utc_now()} from {folder.path.name}/manifest.json and "
        "the tables beside it. Images are embedded; the file needs nothing else.",
    )


def write_report(results_dir: str | Path, out: str | Path | None = None) -> Path:
    """Write the report of ``results_dir`` to ``out`` (default
    ``results_dir/report.html``); returns the path written."""
    text = build_report(results_dir)
    target = Path(out) if out is not None else Path(results_dir) / REPORT_NAME
    atomic.write_text(target, text)  # never through a symlink planted at the target
    return target
