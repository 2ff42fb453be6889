"""Calibration charts: fitted against observed history with bands, and the posterior of each
fitted parameter against its prior.

Inputs are the tables of :mod:`sqm_sim.experiments.calibration` (``fit``: one row per
observed column and month; ``posterior``: one row per accepted parameter set with its
``weight``; ``intervals``: one row per parameter), as returned or read back from a
results folder.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from .style import new_figure, tidy_axes

PANEL_COLUMNS = 3
"""Panels per row of the grid charts."""

BAND_COLOUR = "#4c72b0"
OBSERVED_COLOUR = "#c44e52"


def _grid(count: int, height: float) -> tuple[Figure, list]:
    columns = min(PANEL_COLUMNS, max(count, 1))
    rows = math.ceil(count / columns)
    fig = new_figure(4.0 * columns, height * rows)
    axes = fig.subplots(rows, columns, squeeze=False).ravel().tolist()
    for ax in axes[count:]:
        ax.set_visible(False)
    return fig, axes[:count]


def plot_fit(fit: pd.DataFrame, level: float) -> Figure:
    """One panel per observed column: the observed months (points), the median of the
    posterior draws' simulations (line) and their central ``level`` band."""
    columns = list(dict.fromkeys(fit["column"]))
    fig, axes = _grid(len(columns), 2.8)
    for ax, column in zip(axes, columns, strict=True):
        part = fit[fit["column"] == column]
        ax.fill_between(
            part["month"],
            part["lower"],
            part["upper"],
            color=BAND_COLOUR,
            alpha=0.25,
            label=f"simulated, {level:.0%} band",
        )
        ax.plot(part["month"], part["median"], color=BAND_COLOUR, label="simulated median")
        ax.plot(
            part["month"],
            part["observed"],
            "o",
            color=OBSERVED_COLOUR,
            markersize=3.5,
            label="observed",
        )
        inside = part["inside"].dropna().astype(bool).mean()  # observed months only
        ax.set_title(f"{column} ({inside:.0%} of months inside)", fontsize=9)
        ax.set_xlabel("month")
        tidy_axes(ax)
    if axes:
        axes[0].legend(fontsize=7, loc="best")
    return fig


def plot_posterior(posterior: pd.DataFrame, intervals: pd.DataFrame) -> Figure:
    """One panel per parameter: the weighted histogram of the accepted sets over the
    prior's range (the flat prior's density dashed), the credible interval shaded and the
    verdict (pinned down or not) in the title."""
    rows = intervals.to_dict("records")
    fig, axes = _grid(len(rows), 2.6)
    weights = posterior["weight"].to_numpy()
    for ax, row in zip(axes, rows, strict=True):
        low, high = float(row["prior_low"]), float(row["prior_high"])
        bins = np.linspace(low, high, 16)
        ax.hist(
            posterior[row["parameter"]],
            bins=bins,
            weights=weights,
            density=True,
            color=BAND_COLOUR,
            alpha=0.7,
        )
        ax.axhline(1.0 / (high - low), color="#555555", linestyle="--", linewidth=1)
        ax.axvspan(row["lower"], row["upper"], color="#dddd88", alpha=0.35)
        ax.set_xlim(low, high)
        ax.set_title(
            f"{row['parameter']}\n{row['verdict']} (ratio {row['width_ratio']:.2f})", fontsize=8
        )
        ax.set_yticks([])
        tidy_axes(ax)
    return fig


def plot_coverage(coverage: pd.DataFrame, level: float) -> Figure:
    """One panel per parameter: each synthetic dataset's credible interval (a line, grey
    when it misses) against its true value (a point), sorted by the true value."""
    parameters = list(dict.fromkeys(coverage["parameter"]))
    fig, axes = _grid(len(parameters), 3.0)
    for ax, parameter in zip(axes, parameters, strict=True):
        part = coverage[coverage["parameter"] == parameter].sort_values("truth")
        for position, row in enumerate(part.itertuples(index=False)):
            colour = BAND_COLOUR if row.covered else "#999999"
            ax.plot([position, position], [row.lower, row.upper], color=colour, linewidth=3)
            ax.plot(position, row.truth, "o", color=OBSERVED_COLOUR, markersize=4)
        ax.set_title(
            f"{parameter}\n{part['covered'].mean():.0%} of {len(part)} {level:.0%} intervals "
            "cover the truth",
            fontsize=8,
        )
        ax.set_xlabel("synthetic dataset (sorted by true value)")
        tidy_axes(ax)
    return fig
