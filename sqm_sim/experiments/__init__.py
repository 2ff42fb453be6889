"""The experiment engine: replications, comparisons on common random numbers, designs,
portfolio search; serial, process and Dask backends; a resumable results store.

>>> import sqm_sim
>>> from sqm_sim.experiments import replicate
>>> cfg = sqm_sim.load_scenario("baseline").with_overrides(
...     {"simulation.horizon_months": 3, "market.initial_customers": 100,
...      "environment.competitor_customers": 100})
>>> result = replicate(cfg, 3, kpis=["profit"])
>>> list(result.table.columns[:4])
['kpi', 'n', 'mean', 'sd']

Modules: :mod:`.intervals` (t intervals), :mod:`.sequential` (stopping rule),
:mod:`.plan` (cells x seeds, run ids), :mod:`.worker` (what a worker runs),
:mod:`.backends`, :mod:`.tables` (per-run tables), :mod:`.store` (results folder),
:mod:`.progress`, :mod:`.engine` (:func:`run_plan`), :mod:`.summaries`,
:mod:`.replications`, :mod:`.comparison`, :mod:`.designs`, :mod:`.menu` (feasible
portfolios), :mod:`.search`, :mod:`.spec` (experiment files), :mod:`.prepare`,
:mod:`.runner` (:func:`run_experiment`), :mod:`.roi` (:func:`initiative_roi`). Results
folders are written by :mod:`sqm_sim.report`, commands live in :mod:`sqm_sim.cli`.
"""

from __future__ import annotations

from .._exports import lazy_exports

_EXPORTS = {
    "BACKENDS": ".backends",
    "Backend": ".backends",
    "DaskBackend": ".backends",
    "ProcessBackend": ".backends",
    "SerialBackend": ".backends",
    "make_backend": ".backends",
    "PortfolioChoice": ".comparison",
    "ScenarioChoice": ".comparison",
    "grid_cells": ".comparison",
    "paired_differences": ".comparison",
    "rank_cells": ".comparison",
    "robustness": ".comparison",
    "Factor": ".designs",
    "factorial_points": ".designs",
    "latin_hypercube_points": ".designs",
    "BatchResult": ".engine",
    "run_plan": ".engine",
    "Interval": ".intervals",
    "paired_interval": ".intervals",
    "t_interval": ".intervals",
    "welch_interval": ".intervals",
    "Menu": ".menu",
    "Cell": ".plan",
    "Plan": ".plan",
    "run_id": ".plan",
    "seed_range": ".plan",
    "Replications": ".replications",
    "replicate": ".replications",
    "replicate_until": ".replications",
    "ExperimentOutcome": ".runner",
    "run_experiment": ".runner",
    "search_portfolios": ".search",
    "SequentialOutcome": ".sequential",
    "SequentialRule": ".sequential",
    "run_sequential": ".sequential",
    "ExperimentSpec": ".spec",
    "load_experiment": ".spec",
    "parse_experiment": ".spec",
    "MemoryStore": ".store",
    "ResultsStore": ".store",
    "Store": ".store",
    "kpi_summary": ".summaries",
    "seed_matrix": ".summaries",
}
"""Each public name and the module that defines it (imported on first use)."""

__all__ = [
    "BACKENDS",
    "Backend",
    "BatchResult",
    "Cell",
    "DaskBackend",
    "ExperimentOutcome",
    "ExperimentSpec",
    "Factor",
    "Interval",
    "MemoryStore",
    "Menu",
    "Plan",
    "PortfolioChoice",
    "ProcessBackend",
    "Replications",
    "ResultsStore",
    "ScenarioChoice",
    "SequentialOutcome",
    "SequentialRule",
    "SerialBackend",
    "Store",
    "factorial_points",
    "grid_cells",
    "kpi_summary",
    "latin_hypercube_points",
    "load_experiment",
    "make_backend",
    "paired_differences",
    "paired_interval",
    "parse_experiment",
    "rank_cells",
    "replicate",
    "replicate_until",
    "robustness",
    "run_experiment",
    "run_id",
    "run_plan",
    "run_sequential",
    "search_portfolios",
    "seed_matrix",
    "seed_range",
    "t_interval",
    "welch_interval",
]

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
