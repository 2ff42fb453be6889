"""The HTML report of a results folder: one self-contained file (CSS inline, plots as
embedded PNG images) with what was run, findings in plain words, the KPI table with
confidence intervals and the key plots.

>>> from sqm_sim.report import write_report
>>> # write_report("results/cmp")  -> results/cmp/report.html

Modules: :mod:`.folder` (reading a results folder; the registry of results kinds),
:mod:`.html` (page, tables, embedded figures), :mod:`.findings` (sentences from numbers),
:mod:`.run_sections`, :mod:`.experiment_sections` and :mod:`.exploration_sections` (the
sections of each kind), :mod:`.executive` (the executive summary),
:mod:`.build` (:func:`build_report`, :func:`write_report`); the writers of results
folders: :mod:`.run_files`, :mod:`.experiment_files`, :mod:`.sensitivity_files`,
:mod:`.summary_table`. The ``report`` command is :mod:`sqm_sim.cli.report`.
"""

from __future__ import annotations

from .._exports import lazy_exports

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

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
