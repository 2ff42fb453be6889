"""Charts of results (matplotlib, Agg canvas): every function takes tables and returns a
:class:`matplotlib.figure.Figure`; none runs the model.

>>> from sqm_sim.plots import kpi_timeseries, save_figure
>>> # fig = kpi_timeseries(sqm_sim.simulate(cfg, 1).timeseries); save_figure(fig, "kpis.png")

Modules: :mod:`.style` (colours, unit-aware axes), :mod:`.timeseries` (KPI time series
with replication bands), :mod:`.cost_of_quality` (stacked CoQ areas), :mod:`.comparison`
(means with CIs, paired differences, cost-vs-KPI frontier), :mod:`.sensitivity` (Sobol /
FAST / delta index bars, Morris mu*-sigma, one-at-a-time tornado).
"""

from .comparison import cost_frontier, kpi_means, paired_differences_chart
from .cost_of_quality import cost_of_quality_area, mean_coq_by_month
from .sensitivity import plot_indices, plot_morris, plot_tornado
from .style import COQ_CATEGORIES, group_colours, save_figure
from .timeseries import (
    PANEL_KPIS,
    difference_timeseries,
    kpi_timeseries,
    monthly_bands,
    with_cumulative_profit,
)

__all__ = [
    "COQ_CATEGORIES",
    "PANEL_KPIS",
    "cost_frontier",
    "cost_of_quality_area",
    "difference_timeseries",
    "group_colours",
    "kpi_means",
    "kpi_timeseries",
    "mean_coq_by_month",
    "monthly_bands",
    "paired_differences_chart",
    "plot_indices",
    "plot_morris",
    "plot_tornado",
    "save_figure",
    "with_cumulative_profit",
]
