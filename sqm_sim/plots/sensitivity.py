"""Sensitivity-analysis charts: variance-based indices, Morris screening, tornado.

Each function takes the tidy tables of :mod:`sqm_sim.sensitivity` and returns a
:class:`matplotlib.figure.Figure`; none runs the model.

- :func:`plot_indices`: first-order and total indices (Sobol, FAST) or delta and S1
  (delta method) per parameter, with their confidence intervals as whiskers, most
  influential parameter on top.
- :func:`plot_morris`: mu* against sigma per parameter with interval whiskers and the
  sigma / mu* = 0.1, 0.5 and 1 lines (Garcia Sanchez et al. 2014: below 0.1 almost linear,
  0.1-0.5 monotonic, 0.5-1 almost monotonic, above 1 non-linear or interacting).
- :func:`plot_tornado`: one-at-a-time swings around the base value, largest on top.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from .style import axis_label, format_axis, kpi_title, kpi_unit, new_figure, tidy_axes

INDEX_COLOURS = {
    "S1": "#4C72B0",
    "ST": "#DD8452",
    "delta": "#55A868",
    "low": "#4C72B0",
    "high": "#DD8452",
}
"""Fixed colours: first-order blue, total orange; tornado low blue, high orange."""

INDEX_NAMES = {
    "S1": "first order S1 (alone)",
    "ST": "total ST (incl. interactions)",
    "delta": "delta (moment-independent)",
}

MAX_PARAMETERS = 20
"""Bars shown at most (the most influential)."""

LABELLED_POINTS = 8
"""Morris points labelled by name (the largest mu*); the rest are left unlabelled."""

SMALL_EFFECT_SHARE = 0.1
"""Morris points with mu* below this share of the largest are not labelled (they crowd
the origin)."""


def _height(rows: int) -> float:
    return max(3.0, 0.38 * rows + 1.6)


def plot_indices(
    indices: pd.DataFrame, kpi: str, method: str = "sobol", note: str | None = None
) -> Figure:
    """Horizontal bars of S1 and ST (or delta and S1) per parameter for ``kpi``, whiskers
    at the confidence interval, sorted by the total (or delta) index; ``note`` (e.g. the
    run size) goes under the title. A negative index is said to be estimation noise: an
    index is a share of variance, so below 0 it is an estimate of a value near 0."""
    table = indices[indices["kpi"] == kpi]
    pair = ("delta", "S1") if method == "delta" else ("ST", "S1")
    main = table[table["index"] == pair[0]].set_index("parameter")
    order = main["value"].sort_values(ascending=False).index[:MAX_PARAMETERS][::-1]
    labels = main.loc[order, "label"] if "label" in main else pd.Series(order, index=order)
    fig = new_figure(8.5, _height(len(order)))
    ax = fig.subplots()
    positions = np.arange(len(order))
    width = 0.38
    for offset, index in zip((width / 2, -width / 2), pair, strict=True):
        part = table[table["index"] == index].set_index("parameter").reindex(order)
        values = part["value"].to_numpy(float)
        errors = np.vstack(
            [
                np.clip(values - part["ci_low"].to_numpy(float), 0, None),
                np.clip(part["ci_high"].to_numpy(float) - values, 0, None),
            ]
        )
        ax.barh(
            positions + offset,
            values,
            height=width,
            xerr=np.nan_to_num(errors),
            color=INDEX_COLOURS[index],
            label=INDEX_NAMES[index],
            error_kw={"elinewidth": 1, "capsize": 2, "ecolor": "#333333"},
        )
    ax.set_yticks(positions, labels.tolist())
    ax.axvline(0, color="#333333", linewidth=0.8)
    negative = bool((table["value"] < 0).any())
    ax.set_xlabel(
        "share of the KPI's variance (whiskers: confidence interval)"
        + ("\nbelow 0: estimation noise around a share near 0, not a negative effect" * negative)
    )
    title = f"What drives {kpi_title(kpi).lower()}? {method.capitalize()} indices"
    ax.set_title(f"{title}\n{note}" if note else title)
    ax.legend(loc="lower right", fontsize="small")
    tidy_axes(ax)
    return fig


def plot_morris(indices: pd.DataFrame, kpi: str) -> Figure:
    """Morris mu* (x) against sigma (y) for ``kpi`` with interval whiskers, each point
    labelled, and the sigma / mu* reference lines."""
    table = indices[indices["kpi"] == kpi]
    mu_star = table[table["index"] == "mu_star"].set_index("parameter")
    sigma = table[table["index"] == "sigma"].set_index("parameter").reindex(mu_star.index)
    x, y = mu_star["value"].to_numpy(float), sigma["value"].to_numpy(float)
    fig = new_figure(8.5, 6.0)
    ax = fig.subplots()
    xerr = np.vstack([x - mu_star["ci_low"].to_numpy(float), mu_star["ci_high"] - x])
    yerr = np.vstack([y - sigma["ci_low"].to_numpy(float), sigma["ci_high"].to_numpy(float) - y])
    ax.errorbar(
        x,
        y,
        xerr=np.clip(np.nan_to_num(xerr), 0, None),
        yerr=np.clip(np.nan_to_num(yerr), 0, None),
        fmt="o",
        color=INDEX_COLOURS["S1"],
        ecolor="#999999",
        elinewidth=1,
        capsize=2,
    )
    top = max(float(np.nanmax(x)) if len(x) else 1.0, 1e-12) * 1.15
    reach = np.array([0.0, top])
    for ratio, style in ((0.1, ":"), (0.5, "--"), (1.0, "-.")):
        ax.plot(reach, ratio * reach, style, color="#777777", linewidth=0.8)
        ax.annotate(
            rf"$\sigma/\mu^*$ = {ratio:g}", (top, ratio * top), fontsize="x-small", color="#555555"
        )
    labels = mu_star["label"] if "label" in mu_star else pd.Series(mu_star.index)
    largest = float(np.nanmax(x)) if len(x) else 0.0
    shown = {
        i
        for i in np.argsort(-np.nan_to_num(x))[:LABELLED_POINTS]
        if x[i] >= SMALL_EFFECT_SHARE * largest
    }
    named = [
        (float(xi), float(yi), str(label))
        for i, (xi, yi, label) in enumerate(zip(x, y, labels, strict=True))
        if i in shown
    ]
    hidden = len(x) - len(shown)
    note = (  # under the axis label: inside the axes it could cover a point or its label
        f"\n({hidden} parameter{'s' if hidden > 1 else ''} with a smaller "
        rf"$\mu^*$ not labelled: see the indices table)"
        if hidden > 0
        else ""
    )
    unit = kpi_unit(kpi)
    format_axis(ax, unit, "x")
    format_axis(ax, unit, "y")
    ax.set_xlim(left=0, right=top * 1.12)
    ax.set_ylim(bottom=0)
    ax.set_xlabel(rf"$\mu^*$: mean |elementary effect| on {axis_label(kpi)}, per full range{note}")
    ax.set_ylabel(r"$\sigma$: spread of the elementary effects (same unit)")
    ax.set_title(
        f"Morris screening of {kpi_title(kpi).lower()}: right = influential, up = non-linear"
    )
    tidy_axes(ax)
    place_labels(ax, named)
    return fig


LABEL_CHAR_POINTS = 5.6
"""Width of one character of a point's label at the 'small' font size (points, a generous
estimate for the default sans-serif)."""
LABEL_HEIGHT_POINTS = 10.0
"""Height of one line of a point's label (points)."""


def place_labels(ax: Axes, points: list[tuple[float, float, str]]) -> None:
    """Label each (x, y, text) point just above and right of it; a label that would overlap
    one placed before it (lower points first) moves up until it does not, with a thin line
    back to its point. Placed in display coordinates once the layout is final."""
    fig = ax.figure
    fig.canvas.draw()  # the constrained layout fixes the axes' final place
    scale = fig.dpi / 72.0  # pixels per point
    placed: list[tuple[float, float, float, float]] = []
    for x, y, text in sorted(points, key=lambda point: (point[1], point[0])):
        px, py = ax.transData.transform((x, y))
        width = len(text) * LABEL_CHAR_POINTS * scale
        height = LABEL_HEIGHT_POINTS * scale
        left, bottom = px + 4 * scale, py + 3 * scale
        moved = True
        while moved:
            moved = False
            for other_left, other_bottom, other_right, other_top in placed:
                if (
                    left < other_right
                    and left + width > other_left
                    and bottom < other_top
                    and bottom + height > other_bottom
                ):
                    bottom, moved = other_top + scale, True
        placed.append((left, bottom, left + width, bottom + height))
        lifted = bottom - py > 6 * scale
        line = {"arrowstyle": "-", "color": "#999999", "linewidth": 0.6}
        ax.annotate(
            text,
            (x, y),
            xytext=((left - px) / scale, (bottom - py) / scale),
            textcoords="offset points",
            fontsize="small",
            arrowprops=line if lifted else None,
        )


def _range_text(row: pd.Series) -> str:
    unit = f" {row['unit']}" if row.get("unit") and row["unit"] not in {"-", ""} else ""
    return f"{row['label']} ({row['low']:g} to {row['high']:g}{unit})"


def plot_tornado(tornado: pd.DataFrame, kpi: str) -> Figure:
    """One-at-a-time chart for ``kpi``: for each parameter a bar from the KPI with the
    parameter at its low end to the KPI at its high end, around the base value; the
    largest swing on top."""
    table = tornado[tornado["kpi"] == kpi].sort_values("swing").tail(MAX_PARAMETERS)
    base = float(table["kpi_base"].iloc[0]) if len(table) else 0.0
    fig = new_figure(9.0, _height(len(table)))
    ax = fig.subplots()
    positions = np.arange(len(table))
    for end in ("low", "high"):
        effects = table[f"effect_{end}"].to_numpy(float)
        ax.barh(
            positions,
            effects,
            left=base,
            height=0.6,
            color=INDEX_COLOURS[end],
            alpha=0.85,
            label=f"parameter at its {end} end",
        )
    ax.axvline(base, color="#333333", linewidth=1)
    format_axis(ax, kpi_unit(kpi), "x")
    ax.set_yticks(positions, [_range_text(row) for _, row in table.iterrows()])
    ax.set_xlabel(f"{axis_label(kpi)}; the vertical line is the base configuration")
    ax.set_title(f"One at a time: how far each parameter moves {kpi_title(kpi).lower()}")
    ax.legend(loc="lower right", fontsize="small")
    tidy_axes(ax)
    return fig
