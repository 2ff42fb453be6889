"""Risk and scenario-discovery charts: the distribution of a KPI per portfolio, risk against
return, PRIM's peeling trajectory and a failure box over two factors.

Inputs are the tables of :mod:`sqm_sim.experiments.risk` (``outcomes``: one row per run;
``risk``: one row per cell and quantity) and of :mod:`sqm_sim.experiments.explore`
(``trajectory``, ``boxes``, ``futures``, ``values``), as returned or read back from a
results folder.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from .style import (
    axis_label,
    format_axis,
    group_colours,
    kpi_title,
    kpi_unit,
    new_figure,
    tidy_axes,
)


def kpi_distribution(
    outcomes: pd.DataFrame, kpi: str, names: Mapping[str, str] | None = None
) -> Figure:
    """Box plots of ``kpi`` per cell over the replications (box: quartiles, line: median,
    whiskers: 5th and 95th percentiles, diamond: mean, dots: every replication) and, when
    the table has it, of the incremental ``kpi`` against doing nothing beside it."""
    shown = dict(names or {})
    cells = list(dict.fromkeys(outcomes["cell"]))
    labels = [shown.get(c, c) for c in cells]
    colours = group_colours(labels)
    incremental = f"incremental_{kpi}"
    panels = [kpi]
    if incremental in outcomes and outcomes[incremental].notna().any():
        panels.append(incremental)
    fig = new_figure(5.0 * len(panels) + 1.5, 1.2 + 0.6 * len(cells))
    axes = np.atleast_1d(fig.subplots(1, len(panels), sharey=True))
    unit = kpi_unit(kpi)
    for ax, column in zip(axes, panels, strict=True):
        data = [outcomes.loc[outcomes["cell"] == c, column].dropna().to_numpy() for c in cells]
        keep = [i for i, values in enumerate(data) if len(values)]
        positions = np.arange(len(cells))
        parts = ax.boxplot(
            [data[i] for i in keep],
            positions=positions[keep],
            orientation="horizontal",
            whis=(5, 95),
            widths=0.5,
            showfliers=False,
            patch_artist=True,
        )
        for patch, i in zip(parts["boxes"], keep, strict=True):
            patch.set_facecolor(colours[labels[i]])
            patch.set_alpha(0.35)
        for i in keep:
            jitter = np.linspace(-0.12, 0.12, len(data[i])) if len(data[i]) > 1 else [0.0]
            ax.scatter(data[i], i + np.asarray(jitter), s=9, color="#333333", alpha=0.6)
            ax.scatter([data[i].mean()], [i], marker="D", s=30, color="#c44e52", zorder=4)
        if column == incremental:
            ax.axvline(0.0, color="#c44e52", linewidth=1.0)
            ax.set_xlabel(f"Gain in {kpi_title(kpi).lower()} over none ({unit} units)", fontsize=9)
        else:
            ax.set_xlabel(axis_label(kpi), fontsize=9)
        format_axis(ax, unit, axis="x")
        tidy_axes(ax)
    axes[0].set_yticks(np.arange(len(cells)), labels)
    fig.suptitle(
        f"{kpi_title(kpi)} over the replications (box: quartiles; whiskers: 5th-95th "
        "percentile; diamond: mean)",
        fontsize=10,
    )
    return fig


def risk_return(
    risk: pd.DataFrame, kpi: str, names: Mapping[str, str] | None = None, direction: str = "max"
) -> Figure:
    """Each cell as a point: mean ``kpi`` (return) against its CVaR (the mean of the worst
    share of replications: risk), with the 45-degree line where the tail equals the mean."""
    shown = dict(names or {})
    rows = risk[risk["quantity"] == kpi]
    if rows.empty:
        raise ValueError(f"the risk table has no rows for '{kpi}'")
    unit = kpi_unit(kpi)
    labels = [shown.get(c, c) for c in rows["cell"]]
    colours = group_colours(labels)
    fig = new_figure(7.5, 5.5)
    ax = fig.subplots()
    mean, tail = rows["mean"].to_numpy(float), rows["cvar"].to_numpy(float)
    for x, y, label in zip(tail, mean, labels, strict=True):
        ax.scatter([x], [y], s=60, color=colours[label], edgecolor="#222222", zorder=3)
        ax.annotate(label, (x, y), xytext=(6, 4), textcoords="offset points", fontsize=8)
    low, high = min(mean.min(), tail.min()), max(mean.max(), tail.max())
    ax.plot([low, high], [low, high], color="#aaaaaa", linewidth=0.8, linestyle="--")
    level = float(rows["cvar_level"].iloc[0])
    side = "worst" if direction == "max" else "highest"
    ax.set_xlabel(
        f"CVaR: mean of the {side} {level:.0%} of replications ({unit} units)", fontsize=9
    )
    ax.set_ylabel(f"Mean {kpi_title(kpi).lower()} ({unit} units)", fontsize=9)
    format_axis(ax, unit, axis="x")
    format_axis(ax, unit)
    ax.set_title(f"Risk against return: {kpi_title(kpi).lower()}", fontsize=11)
    tidy_axes(ax)
    return fig


def peeling_trajectory(trajectory: pd.DataFrame, chosen: Mapping[str, int | None]) -> Figure:
    """PRIM's peeling trajectory per portfolio: density against coverage of every box, the
    colour the number of restricted factors, the chosen box circled."""
    portfolios = list(dict.fromkeys(trajectory["portfolio"]))
    fig = new_figure(5.0 * len(portfolios) + 1.0, 4.5)
    axes = np.atleast_1d(fig.subplots(1, len(portfolios), sharey=True))
    points = None
    for ax, portfolio in zip(axes, portfolios, strict=True):
        rows = trajectory[trajectory["portfolio"] == portfolio]
        points = ax.scatter(
            rows["coverage"], rows["density"], c=rows["restricted"], cmap="viridis", s=22
        )
        step = chosen.get(portfolio)
        if step is not None:
            row = rows[rows["step"] == step].iloc[0]
            ax.scatter(
                [row["coverage"]], [row["density"]], s=160, facecolors="none", edgecolors="#c44e52"
            )
            ax.annotate(
                f"box: coverage {row['coverage']:.2f}, density {row['density']:.2f}",
                (row["coverage"], row["density"]),
                xytext=(10, -14),
                textcoords="offset points",
                fontsize=8,
                ha="left",
                color="#7a1f22",
            )
        ax.set_xlabel("Coverage (share of all failures inside the box)", fontsize=9)
        ax.set_title(portfolio, fontsize=10)
        tidy_axes(ax)
    axes[0].set_ylabel("Density (share of the box's futures that fail)", fontsize=9)
    if points is not None:
        fig.colorbar(points, ax=list(axes), label="restricted factors")
    fig.suptitle(
        "PRIM peeling trajectory: each point a box, from the whole space (coverage 1) on",
        fontsize=10,
    )
    return fig


def failure_box(
    futures: pd.DataFrame,
    fails: pd.Series,
    limits: pd.DataFrame,
    names: Mapping[str, str] | None = None,
    title: str = "",
) -> Figure:
    """The futures over the box's two most significant factors (red: the portfolio fails,
    grey: it does not) with the box's limits drawn."""
    shown = dict(names or {})
    top = limits.sort_values("qp_value").head(2)
    keys = list(top["factor"])
    if len(keys) == 1:
        others = [c for c in futures.columns if c not in keys and c != "future"]
        keys.append(others[0])
    fig = new_figure(6.5, 5.0)
    ax = fig.subplots()
    x, y = futures[keys[0]].to_numpy(float), futures[keys[1]].to_numpy(float)
    flags = fails.to_numpy(bool)
    ax.scatter(x[~flags], y[~flags], s=22, color="#9a9a9a", label="meets the goal")
    ax.scatter(x[flags], y[flags], s=22, color="#c44e52", label="fails")
    bounds = {row.factor: (row.low, row.high) for row in limits.itertuples()}
    (x0, x1) = bounds.get(keys[0], (x.min(), x.max()))
    (y0, y1) = bounds.get(keys[1], (y.min(), y.max()))
    ax.add_patch(
        Rectangle((x0, y0), x1 - x0, y1 - y0, fill=False, edgecolor="#7a1f22", linewidth=1.5)
    )
    ax.set_xlabel(shown.get(keys[0], keys[0]), fontsize=9)
    ax.set_ylabel(shown.get(keys[1], keys[1]), fontsize=9)
    ax.legend(loc="best", fontsize=8, frameon=False)
    ax.set_title(title or "Failure box over its two most significant factors", fontsize=10)
    tidy_axes(ax)
    return fig


__all__ = ["failure_box", "kpi_distribution", "peeling_trajectory", "risk_return"]
