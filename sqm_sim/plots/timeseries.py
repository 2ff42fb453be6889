"""KPI time series: the mean per month over replications, with a confidence band.

Input is a tidy time-series table: one run's ``RunResult.timeseries`` (one row per
period), or an experiment's (one row per run x period, with ``run_id`` and labels such as
``cell`` or ``portfolio``). For every group and period the band is the t interval of the
mean over the group's runs (:func:`sqm_sim.experiments.intervals.t_interval`); a single run
is drawn as a line without a band.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from ..experiments.intervals import t_interval
from ..models.units import DAYS_PER_MONTH
from ..run.catalogue import unit_words
from .style import (
    axis_label,
    format_axis,
    group_colours,
    kpi_title,
    kpi_unit,
    new_figure,
    tidy_axes,
)

PANEL_KPIS = (
    "mean_satisfaction",
    "retention_rate_annual",
    "active_customers",
    "profit",
    "cumulative_profit",
)
"""The KPIs of the default time-series panels (columns of ``RunResult.timeseries``)."""

RUN_KEY = "run_id"
"""Column naming the run of each row in an experiment's time-series table."""


def with_cumulative_profit(timeseries: pd.DataFrame) -> pd.DataFrame:
    """The table with ``cumulative_profit`` (currency) added per run if it is missing."""
    if "cumulative_profit" in timeseries:
        return timeseries
    if RUN_KEY in timeseries:
        cumulative = timeseries.groupby(RUN_KEY, sort=False)["profit"].cumsum()
    else:
        cumulative = timeseries["profit"].cumsum()
    return timeseries.assign(cumulative_profit=cumulative)


def period_end_month(timeseries: pd.DataFrame) -> pd.Series:
    """Months elapsed at the end of each row's period (1, 2, ... for monthly periods)."""
    return timeseries["month_start"] + timeseries["period_days"] / DAYS_PER_MONTH


def monthly_bands(
    timeseries: pd.DataFrame,
    kpi: str,
    group: str | None = None,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """One row per group and period: ``group``, ``month`` (months elapsed at the period's
    end), ``n`` (runs), ``mean``, ``low`` and ``high`` (t interval of the mean over runs;
    NaN with a single run). Units are the KPI's."""
    frame = with_cumulative_profit(timeseries) if kpi == "cumulative_profit" else timeseries
    frame = frame.assign(_month=period_end_month(frame).round(6))
    keys = frame[group].astype(str) if group else pd.Series("all", index=frame.index)
    rows = []
    for (name, month), values in frame.groupby([keys, "_month"], sort=False)[kpi]:
        rows.append(_band_row(name, month, values, confidence))
    return pd.DataFrame(rows).sort_values(["group", "month"], kind="stable")


def _band_row(group: str, month: float, values: pd.Series, confidence: float) -> dict:
    """One band row: the group, the month and the t interval of the mean of ``values``."""
    interval = t_interval(values.to_numpy(float), confidence)
    return {
        "group": group,
        "month": month,
        "n": interval.n,
        "mean": interval.mean,
        "low": interval.low,
        "high": interval.high,
    }


ZERO_LINE_KPIS = frozenset({"profit", "cumulative_profit"})
"""Panels with a line at zero (a loss is below it)."""

MAX_BANDED_GROUPS = 2
"""Groups whose confidence bands are drawn in one level panel at most: more bands overlap
into one blur (the paired differences chart shows them, one per cell, around zero)."""


def paired_monthly_differences(
    timeseries: pd.DataFrame,
    kpi: str,
    references: dict[str, str],
    group: str,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """One row per compared group and period: ``group``, ``month``, ``n`` (seeds run by
    both), ``mean``, ``low`` and ``high`` of the paired difference ``kpi`` (group minus its
    reference in ``references``, seed by seed: common random numbers), t interval over the
    seeds. Units are the KPI's."""
    frame = with_cumulative_profit(timeseries) if kpi == "cumulative_profit" else timeseries
    frame = frame.assign(_month=period_end_month(frame).round(6), _group=frame[group].astype(str))
    rows = []
    for name, reference in references.items():
        mine = frame[frame["_group"] == name].set_index(["seed", "_month"])[kpi]
        theirs = frame[frame["_group"] == reference].set_index(["seed", "_month"])[kpi]
        paired = (mine - theirs).dropna()
        for month, values in paired.groupby(level="_month", sort=True):
            rows.append(_band_row(name, month, values, confidence))
    return pd.DataFrame(rows, columns=["group", "month", "n", "mean", "low", "high"])


def difference_timeseries(
    timeseries: pd.DataFrame,
    references: dict[str, str],
    kpis: Sequence[str] = PANEL_KPIS,
    group: str = "name",
    confidence: float = 0.95,
) -> Figure:
    """Small multiples of the paired difference from the reference, month by month: one
    row per KPI, one column per compared group (``references`` maps it to its reference),
    each panel one line with the ``confidence`` band of the mean difference over the seeds
    and a line at zero (no difference); a row shares its y axis, so panels side by side
    compare. Common random numbers make these bands much narrower than the levels'."""
    colours = group_colours(_group_order(timeseries, group))
    compared = list(references)
    fig = new_figure(11.0, 2.3 * len(kpis) + 1.0)
    grid = fig.subplots(len(kpis), len(compared), sharex=True, sharey="row", squeeze=False)
    for row, kpi in enumerate(kpis):
        bands = paired_monthly_differences(timeseries, kpi, references, group, confidence)
        for column, name in enumerate(compared):
            ax = grid[row, column]
            draw_bands(ax, bands[bands["group"] == name], kpi, colours)
            if kpi not in ZERO_LINE_KPIS:  # draw_bands drew it already
                ax.axhline(0.0, color="#555555", linewidth=0.8)
            ax.set_title(
                f"{kpi_title(kpi)}: {name} - {references[name]}" if len(compared) == 1 else "",
                fontsize=10,
            )
            ax.set_ylabel("")
            if row < len(kpis) - 1:
                ax.set_xlabel("")
        unit = unit_words(kpi_unit(kpi))
        grid[row, 0].set_ylabel(
            f"{kpi_title(kpi)}\ndifference{f' ({unit})' if unit else ''}", fontsize=9
        )
    if len(compared) > 1:
        for column, name in enumerate(compared):
            grid[0, column].set_title(
                f"{name} - {references[name]}", fontsize=11, color=colours.get(name)
            )
    fig.suptitle(
        "Difference from the reference month by month (mean over the seeds; shaded: "
        f"{confidence:.0%} confidence interval of the paired difference)",
        fontsize=12,
    )
    return fig


def draw_bands(
    ax: Axes, bands: pd.DataFrame, kpi: str, colours: dict[str, str], shade: bool = True
) -> None:
    """Mean lines and (if ``shade``) shaded intervals of ``bands`` (from
    :func:`monthly_bands`) on ``ax``."""
    for name, rows in bands.groupby("group", sort=False):
        colour = colours.get(str(name), "#333333")
        ax.plot(rows["month"], rows["mean"], color=colour, linewidth=1.8, label=str(name))
        if shade and np.isfinite(rows["low"]).any():
            ax.fill_between(
                rows["month"], rows["low"], rows["high"], color=colour, alpha=0.2, linewidth=0
            )
    ax.set_title(kpi_title(kpi), fontsize=11)
    ax.set_ylabel(axis_label(kpi), fontsize=9)
    ax.set_xlabel("Month", fontsize=9)
    ax.set_xlim(left=0)
    format_axis(ax, kpi_unit(kpi))
    if kpi in ZERO_LINE_KPIS:
        ax.axhline(0.0, color="#555555", linewidth=0.8)
    tidy_axes(ax)


def _group_order(timeseries: pd.DataFrame, group: str | None) -> list[str]:
    if not group:
        return ["all"]
    return [str(name) for name in dict.fromkeys(timeseries[group])]


def runs_per_group(timeseries: pd.DataFrame, group: str | None) -> int:
    """Largest number of runs in any group (1 for a single run's table)."""
    if RUN_KEY not in timeseries:
        return 1
    if not group:
        return int(timeseries[RUN_KEY].nunique())
    return int(timeseries.groupby(group)[RUN_KEY].nunique().max())


def kpi_timeseries(
    timeseries: pd.DataFrame,
    kpis: Sequence[str] = PANEL_KPIS,
    group: str | None = None,
    confidence: float = 0.95,
    title: str | None = None,
    legend_title: str | None = None,
) -> Figure:
    """Panels of KPI time series, one per KPI (two columns), one line per value of the
    ``group`` column (e.g. ``"portfolio"`` or ``"cell"``), with the ``confidence`` band of
    the mean over replications. The legend is titled ``legend_title`` (default: the group
    column's name)."""
    names = _group_order(timeseries, group)
    colours = group_colours(names) if group else {"all": "#4c72b0"}
    rows = (len(kpis) + 1) // 2
    fig = new_figure(11.0, 2.9 * rows + (1.0 if group else 0.6))
    layout = fig.add_gridspec(rows, 2)
    axes = [fig.add_subplot(layout[i // 2, i % 2]) for i in range(len(kpis) - len(kpis) % 2)]
    if len(kpis) % 2:  # an odd panel out takes the whole last row: no half-empty row
        axes.append(fig.add_subplot(layout[rows - 1, :]))
    shade = len(names) <= MAX_BANDED_GROUPS
    for ax, kpi in zip(axes, kpis, strict=True):
        draw_bands(ax, monthly_bands(timeseries, kpi, group, confidence), kpi, colours, shade)
    if group:  # one legend for every panel, under the title, where the eye starts
        handles, labels = axes[0].get_legend_handles_labels()
        axes[0].legend(
            handles,
            labels,
            title=legend_title or group.capitalize(),
            loc="lower left",
            bbox_to_anchor=(0.0, 1.12),
            ncol=min(len(labels), 4),
            frameon=False,
            fontsize=10,
            title_fontsize=10,
            alignment="left",
        )
    runs = runs_per_group(timeseries, group)
    if runs == 1:
        note = "one replication"
    elif shade:
        note = f"mean of {runs} replications per line, shaded: {confidence:.0%} confidence interval"
    else:
        note = f"mean of {runs} replications per line"

    fig.suptitle(f"{title or 'Key indicators month by month'} ({note})", fontsize=12)
    return fig
