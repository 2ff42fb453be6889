"""Comparing portfolios (or any cells): means with confidence intervals, paired
differences, and the cost-vs-KPI frontier of a portfolio search.

Inputs are the analysis tables of the experiment engine: the ``summary`` table of
:func:`sqm_sim.experiments.summaries.kpi_summary`, the ``differences`` table of
:func:`sqm_sim.experiments.comparison.paired_differences` and the ``candidates`` table of
:func:`sqm_sim.experiments.search.candidates_table` (as returned, or read back from the CSV
files or ``results.json`` of a results folder).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from .style import (
    axis_label,
    compact,
    format_axis,
    group_colours,
    kpi_title,
    kpi_unit,
    new_figure,
    tidy_axes,
)


def _value_text(value: float, unit: str) -> str:
    return compact(value, unit)


def kpi_means(
    summary: pd.DataFrame,
    kpi: str,
    group: str = "cell",
    title: str | None = None,
    direction: str = "max",
) -> Figure:
    """The mean of ``kpi`` per ``group`` (rows of ``summary`` for that KPI), best at the top
    (the largest for ``direction="max"``, the smallest for ``"min"``), with its confidence
    interval as an error bar and the mean written beside it."""
    rows = summary[summary["kpi"] == kpi].sort_values(
        "mean", ascending=direction == "max", kind="stable"
    )
    if rows.empty:
        raise ValueError(f"the summary table has no rows for KPI '{kpi}'")
    names = rows[group].astype(str).tolist()
    colours = group_colours(names)
    unit = kpi_unit(kpi)
    fig = new_figure(8.5, 1.0 + 0.55 * len(rows))
    ax = fig.subplots()
    positions = np.arange(len(rows))
    means = rows["mean"].to_numpy(float)
    low = means - rows["ci_low"].to_numpy(float)
    high = rows["ci_high"].to_numpy(float) - means
    ax.barh(positions, means, color=[colours[n] for n in names], alpha=0.35, height=0.6)
    ax.errorbar(
        means,
        positions,
        xerr=np.vstack([low, high]),
        fmt="o",
        color="#222222",
        capsize=5,
        markersize=5,
        linewidth=1.4,
    )
    for position, mean, upper in zip(positions, means, means + np.nan_to_num(high), strict=True):
        ax.annotate(
            _value_text(mean, unit),
            (upper, position),
            xytext=(6, 0),
            textcoords="offset points",
            va="center",
            fontsize=9,
        )
    ax.set_yticks(positions, names)
    ax.set_xlabel(axis_label(kpi), fontsize=9)
    format_axis(ax, unit, axis="x")
    ax.margins(x=0.15)
    level = rows["ci_high"].notna().any()
    interval = "mean with its confidence interval" if level else "mean"
    ax.set_title(title or f"{kpi_title(kpi)}: {interval}", fontsize=11)
    tidy_axes(ax)
    return fig


def paired_differences_chart(
    differences: pd.DataFrame,
    kpi: str,
    title: str | None = None,
    names: Mapping[str, str] | None = None,
) -> Figure:
    """Each cell's paired difference from its reference for ``kpi`` (common random
    numbers), with its confidence interval; filled markers where the interval excludes
    zero (significant), hollow where it does not. ``names`` maps cell names to the names
    shown (e.g. the portfolio alone when there is one scenario)."""
    rows = differences[differences["kpi"] == kpi].sort_values("difference", kind="stable")
    if rows.empty:
        raise ValueError(f"the differences table has no rows for KPI '{kpi}'")
    unit = kpi_unit(kpi)
    shown = dict(names or {})
    labels = [
        f"{shown.get(c, c)}\nvs {shown.get(r, r)}"
        for c, r in zip(rows["cell"], rows["reference"], strict=True)
    ]
    fig = new_figure(8.5, 1.2 + 0.7 * len(rows))
    ax = fig.subplots()
    positions = np.arange(len(rows))
    diff = rows["difference"].to_numpy(float)
    errors = np.vstack([diff - rows["ci_low"].to_numpy(float), rows["ci_high"] - diff])
    significant = rows["significant"].astype(bool).to_numpy()
    for flag, face in ((True, "#222222"), (False, "white")):
        mask = significant == flag
        if mask.any():
            ax.errorbar(
                diff[mask],
                positions[mask],
                xerr=errors[:, mask],
                fmt="o",
                color="#222222",
                markerfacecolor=face,
                capsize=5,
                markersize=7,
                label="significant" if flag else "not significant",
            )
    ax.axvline(0.0, color="#c44e52", linewidth=1.0)
    ax.set_yticks(positions, labels, fontsize=9)
    ax.set_ylim(-0.7, len(rows) - 0.3)
    ax.set_xlabel(f"Difference in {axis_label(kpi)[0].lower()}{axis_label(kpi)[1:]}", fontsize=9)
    format_axis(ax, unit, axis="x")
    ax.legend(loc="best", fontsize=8, frameon=False)
    ax.set_title(title or f"{kpi_title(kpi)}: paired difference from the reference", fontsize=11)
    tidy_axes(ax)
    return fig


def cost_frontier(candidates: pd.DataFrame, kpi: str = "npv", title: str | None = None) -> Figure:
    """Every evaluated portfolio as a point (x: present value of its initiative spend, y:
    mean ``kpi`` with its confidence interval), the Pareto frontier (no other portfolio
    cheaper and better) highlighted, joined and labelled."""
    unit = kpi_unit(kpi)
    fig = new_figure(9.0, 5.5)
    ax = fig.subplots()
    cost = candidates["pv_spend"].to_numpy(float)
    mean = candidates["mean"].to_numpy(float)
    errors = np.vstack([mean - candidates["ci_low"], candidates["ci_high"] - mean])
    on = candidates["on_frontier"].astype(bool).to_numpy()
    ax.errorbar(
        cost[~on],
        mean[~on],
        yerr=errors[:, ~on],
        fmt="o",
        color="#9a9a9a",
        alpha=0.7,
        markersize=5,
        capsize=2,
        linewidth=0.8,
        label="evaluated portfolio",
    )
    order = np.argsort(cost[on])
    ax.step(  # between frontier points the best affordable value stays the cheaper one's
        cost[on][order], mean[on][order], where="post", color="#c44e52", linewidth=1.5, zorder=3
    )
    ax.errorbar(
        cost[on],
        mean[on],
        yerr=errors[:, on],
        fmt="D",
        color="#c44e52",
        markersize=7,
        capsize=3,
        zorder=4,
        label="frontier (none cheaper and better)",
    )
    names = candidates["portfolio"].astype(str).to_numpy()
    frontier = np.flatnonzero(on)
    for turn, index in enumerate(frontier[np.argsort(cost[frontier])]):
        ax.annotate(
            names[index],
            (cost[index], mean[index]),
            xytext=(6, -13 if turn % 2 == 0 else 7),  # alternate below / above the line
            textcoords="offset points",
            fontsize=8,
            color="#7a1f22",
        )
    ax.set_xlabel("Present value of initiative spend (currency units)", fontsize=9)
    ax.set_ylabel(axis_label(kpi), fontsize=9)
    format_axis(ax, "currency", axis="x")
    format_axis(ax, unit)
    ax.legend(loc="lower right", fontsize=9, frameon=False)
    ax.set_title(title or f"Cost vs {kpi_title(kpi).lower()} of the portfolios", fontsize=11)
    tidy_axes(ax)
    return fig
