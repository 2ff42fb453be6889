"""The look shared by every chart: colours, axis formats by unit, labels from the KPI docs.

- Cost-of-quality categories have one fixed colour each (prevention green, appraisal blue,
  internal failure orange, external failure red), in every chart.
- Groups (portfolios, cells) get a stable colour: ``"none"`` (no initiatives) is always
  grey; the other names take the colours of a fixed qualitative palette in the order of
  their sorted names, so the same set of names looks the same in every chart of a report.
- Axes are formatted by the unit documented in :mod:`sqm_sim.run.kpis`: money as ``40k`` /
  ``1.2M`` (currency units), shares as percentages, other units as plain numbers.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, PercentFormatter

from ..run.catalogue import unit_words
from ..run.kpis import kpi_doc

COQ_CATEGORIES: dict[str, tuple[str, str]] = {
    "prevention_cost": ("Prevention", "#2ca02c"),
    "appraisal_cost": ("Appraisal", "#1f77b4"),
    "internal_failure_cost": ("Internal failure", "#ff7f0e"),
    "external_failure_cost": ("External failure", "#d62728"),
}
"""Cost-of-quality column: (label, colour), in stacking order (prevention at the bottom)."""

GROUP_PALETTE = (
    "#4c72b0",
    "#dd8452",
    "#55a868",
    "#c44e52",
    "#8172b3",
    "#937860",
    "#da8bc3",
    "#ccb974",
    "#64b5cd",
)
"""Qualitative palette for portfolios and cells (grey is kept for ``"none"``)."""

NO_INITIATIVES_COLOUR = "#7f7f7f"
NO_INITIATIVES = "none"

FIGURE_DPI = 110
"""Resolution of saved figures (dots per inch)."""

KPI_TITLES: dict[str, str] = {
    "mean_satisfaction": "Customer satisfaction",
    "retention_rate_annual": "Customer retention (annualised)",
    "active_customers": "Active customers",
    "profit": "Profit per month",
    "cumulative_profit": "Cumulative profit",
    "npv": "Net present value",
    "coq_total": "Total cost of quality",
    "coq_share_of_revenue": "Cost of quality / revenue",
    "defects_shipped_ppm": "Defects shipped",
    "on_time_rate": "On-time delivery",
    "active_customers_end": "Active customers at the end",
}
"""Readable titles of the KPIs charted most; other KPIs are titled by their name."""


def kpi_title(kpi: str) -> str:
    """A readable title for a KPI or time-series column."""
    return KPI_TITLES.get(kpi, kpi.replace("_", " ").capitalize())


def kpi_unit(kpi: str) -> str:
    """The unit of a KPI as documented in :mod:`sqm_sim.run.kpis` ("currency", "share", ...)."""
    try:
        return kpi_doc(kpi)[0]
    except KeyError:
        return "-"


def axis_label(kpi: str) -> str:
    """Axis label: title and unit, e.g. ``"Profit per month (currency units)"``."""
    unit = unit_words(kpi_unit(kpi))
    return f"{kpi_title(kpi)} ({unit})" if unit else kpi_title(kpi)


def compact(value: float, unit: str = "") -> str:
    """``value`` written short for a chart's tick or label: money as ``-40k`` / ``1.2M`` /
    ``950``, shares as ``12.5%``, other numbers as ``27,565`` / ``0.9051``."""
    size = abs(value)
    if unit == "currency":
        if size >= 1e6:
            return f"{value / 1e6:.3g}M"
        if size >= 1e3:
            return f"{value / 1e3:.4g}k"
        return f"{value:.4g}"
    if unit == "share":
        return f"{100 * value:.1f}%"
    if size >= 1000:
        return f"{value:,.0f}"
    return f"{value:.4g}"


def money(value: float, _position: object = None) -> str:
    """A currency amount for a tick: ``-40k``, ``1.2M``, ``950`` (see
    :func:`compact`)."""
    return compact(value, "currency")


def plain(value: float, _position: object = None) -> str:
    """A number for a tick or label: ``27,565``, ``0.9051``, ``-3.5``."""
    return compact(value)


def format_axis(ax: Axes, unit: str, axis: str = "y") -> None:
    """Tick format for ``unit`` on the x or y axis of ``ax``."""
    target = ax.yaxis if axis == "y" else ax.xaxis
    if unit == "currency":
        target.set_major_formatter(FuncFormatter(money))
    elif unit == "share":
        target.set_major_formatter(PercentFormatter(xmax=1.0, decimals=None))
    else:
        target.set_major_formatter(FuncFormatter(plain))


def group_colours(names: Iterable[object]) -> dict[str, str]:
    """A stable colour per group name (see the module docstring)."""
    colours = {}
    ordered = sorted({str(name) for name in names} - {NO_INITIATIVES})
    for index, name in enumerate(ordered):
        colours[name] = GROUP_PALETTE[index % len(GROUP_PALETTE)]
    colours[NO_INITIATIVES] = NO_INITIATIVES_COLOUR
    return colours


def new_figure(width: float, height: float) -> Figure:
    """An empty figure of ``width`` x ``height`` inches on the Agg canvas (no GUI, not
    registered with pyplot, so it never pops up and is freed with its last reference)."""
    fig = Figure(figsize=(width, height), dpi=FIGURE_DPI, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def tidy_axes(ax: Axes) -> None:
    """Light grid, no top and right spines."""
    ax.grid(True, color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    ax.spines["top"].set_visible(False)
    ax.spines["right"].set_visible(False)


def save_figure(fig: Figure, path: str | Path) -> Path:
    """Write ``fig`` to ``path`` (format from the suffix, e.g. ``.png``), creating the
    folder. Returns the path."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(target, dpi=FIGURE_DPI)
    return target
