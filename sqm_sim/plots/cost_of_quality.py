"""Cost of quality over time: prevention, appraisal, internal and external failure, stacked.

Input is a tidy time-series table as in :mod:`sqm_sim.plots.timeseries`; with several runs
the stack shows each category's mean per period over the runs.
"""

from __future__ import annotations

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from .style import COQ_CATEGORIES, format_axis, new_figure, tidy_axes
from .timeseries import period_end_month


def mean_coq_by_month(timeseries: pd.DataFrame) -> pd.DataFrame:
    """One row per period end month (index ``month``), one column per CoQ category: the
    mean cost over the runs in the table (currency per period)."""
    frame = timeseries.assign(month=period_end_month(timeseries).round(6))
    return frame.groupby("month")[list(COQ_CATEGORIES)].mean()


def draw_coq_stack(ax: Axes, costs: pd.DataFrame, title: str) -> None:
    """A stacked area of ``costs`` (from :func:`mean_coq_by_month`) on ``ax``."""
    ax.stackplot(
        costs.index,
        *(costs[column] for column in COQ_CATEGORIES),
        labels=[label for label, _ in COQ_CATEGORIES.values()],
        colors=[colour for _, colour in COQ_CATEGORIES.values()],
        alpha=0.85,
        linewidth=0,
    )
    ax.set_title(title, fontsize=11)
    ax.set_xlabel("Month", fontsize=9)
    ax.set_xlim(costs.index.min() - 1, costs.index.max())
    format_axis(ax, "currency")
    tidy_axes(ax)


def cost_of_quality_area(
    timeseries: pd.DataFrame, group: str | None = None, title: str | None = None
) -> Figure:
    """Stacked cost-of-quality areas by month; one panel per value of the ``group`` column
    (same y scale, so panels compare), or one panel for the whole table."""
    if group:
        names = [str(name) for name in dict.fromkeys(timeseries[group])]
        parts = [(name, timeseries[timeseries[group].astype(str) == name]) for name in names]
    else:
        parts = [("", timeseries)]
    columns = 2 if len(parts) == 4 else min(len(parts), 3)  # 2 x 2, not 3 + 1 alone
    rows = -(-len(parts) // columns)
    width = 3.9 * columns + 1.6 if len(parts) > 1 else 9.0
    fig = new_figure(width, 3.2 * rows + 1.2 if len(parts) > 1 else 4.2)
    axes = fig.subplots(rows, columns, squeeze=False, sharey=True)
    top = 0.0
    for ax, (name, part) in zip(axes.flat, parts, strict=False):
        costs = mean_coq_by_month(part)
        draw_coq_stack(ax, costs, name)
        top = max(top, float(costs.sum(axis=1).max()))
    for ax in axes[:, 0]:
        ax.set_ylabel("Cost per month (currency units)", fontsize=9)
    axes[0, 0].set_ylim(0.0, 1.05 * top if top > 0 else 1.0)
    for ax in list(axes.flat)[len(parts) :]:
        ax.axis("off")
    handles, labels = axes.flat[0].get_legend_handles_labels()
    if len(parts) > 1:  # one legend for every panel, in one row under them
        fig.legend(handles, labels, loc="outside lower center", ncol=4, frameon=False, fontsize=9)
    else:
        fig.legend(
            handles[::-1], labels[::-1], loc="outside right center", frameon=False, fontsize=9
        )
    runs = timeseries["run_id"].nunique() if "run_id" in timeseries else 1
    per = "per month" if runs == 1 else "per month, mean over the replications"
    fig.suptitle(title or f"Cost of quality by category ({per})", fontsize=12)
    return fig
