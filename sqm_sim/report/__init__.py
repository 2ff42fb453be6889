"""The HTML report of a results folder: one self-contained file (CSS inline, plots as
embedded PNG images) with what was run, findings in plain words, the KPI table with
confidence intervals and the key plots.

>>> from sqm_sim.report import write_report
>>> # write_report("results/cmp")  -> results/cmp/report.html

Modules: :mod:`.folder` (reading a results folder; the registry of results kinds),
:mod:`.html` (page, tables, embedded figures), :mod:`.findings` (sentences from numbers),
:mod:`.run_sections` and :mod:`.experiment_sections` (the sections of each kind),
:mod:`.build` (:func:`build_report`, :func:`write_report`); the writers of results
folders: :mod:`.run_files`, :mod:`.experiment_files`, :mod:`.sensitivity_files`,
:mod:`.summary_table`. The ``report`` command is :mod:`sqm_sim.cli.report`.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "REPORT_NAME": ".build",
    "build_report": ".build",
    "write_report": ".build",
    "NotAResultsFolderError": ".folder",
    "ResultsFolder": ".folder",
    "ResultsKind": ".folder",
    "open_results": ".folder",
    "register_kind": ".folder",
    "Section": ".html",
}
"""Each public name and the module that defines it (imported on first use)."""

__all__ = [
    "REPORT_NAME",
    "NotAResultsFolderError",
    "ResultsFolder",
    "ResultsKind",
    "Section",
    "build_report",
    "open_results",
    "register_kind",
    "write_report",
]


def __getattr__(name: str) -> Any:
    """Import an exported name on first use, so importing the package stays cheap."""
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_EXPORTS})
