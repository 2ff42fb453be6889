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

from .backends import (
    BACKENDS,
    Backend,
    DaskBackend,
    ProcessBackend,
    SerialBackend,
    make_backend,
)
from .comparison import (
    PortfolioChoice,
    ScenarioChoice,
    grid_cells,
    paired_differences,
    rank_cells,
    robustness,
)
from .designs import Factor, factorial_points, latin_hypercube_points
from .engine import BatchResult, run_plan
from .intervals import Interval, paired_interval, t_interval, welch_interval
from .menu import Menu
from .plan import Cell, Plan, run_id, seed_range
from .replications import Replications, replicate, replicate_until
from .runner import ExperimentOutcome, run_experiment
from .search import search_portfolios
from .sequential import SequentialOutcome, SequentialRule, run_sequential
from .spec import ExperimentSpec, load_experiment, parse_experiment
from .store import MemoryStore, ResultsStore
from .summaries import kpi_summary, seed_matrix

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
