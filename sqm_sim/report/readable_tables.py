"""An experiment's analysis tables as the HTML report shows them: column headers in words,
cells by the names the charts use, KPIs by their label with their unit, amounts in the
KPI's unit (shares in %), and the words that remain explained once (:data:`GLOSSARY`).

The terminal and ``report.md`` keep the tables' own column names (they are the CSV
columns a script reads); this module only changes how the HTML report writes them.
"""

from __future__ import annotations

import re
from typing import Any

import pandas as pd

from ..experiments.risk import INCREMENTAL, WORST_CASH
from ..plots.style import kpi_unit
from ..run.catalogue import unit_words
from .experiment_files import MAX_ROWS, VIEWS
from .numbers import number
from .summary_table import readable_kpi

COLUMN_WORDS: dict[str, str] = {
    "reference": "compared with",
    "n": "replications",
    "mean": "mean",
    "sd": "standard deviation",
    "ci_low": "CI low",
    "ci_high": "CI high",
    "difference": "difference",
    "significant": "significant",
    "better": "better",
    "unpaired_half_width": "CI half-width without pairing",
    "group": "scenario",
    "rank": "rank",
    "difference_to_best": "behind the best",
    "difference_ci_low": "behind the best: CI low",
    "difference_ci_high": "behind the best: CI high",
    "significantly_worse_than_best": "significantly worse than the best",
    "comparison_confidence": "confidence of the comparisons",
    "value": "value",
    "quantity": "quantity",
    "p5": "5th percentile",
    "p25": "25th percentile",
    "p50": "median",
    "p75": "75th percentile",
    "p95": "95th percentile",
    "cvar": "CVaR",
    "p_loss": "P(worse than none) [CI]",
    "initiatives": "initiatives",
    "total_spend": "initiative spend",
    "pv_spend": "present value of the spend",
    "roi": "return on the spend",
    "portfolio": "portfolio",
    "worst": "worst",
    "best": "best",
    "max_regret": "largest regret",
    "mean_regret": "mean regret",
    "times_best": "times best",
    "rank_by_max_regret": "rank by largest regret",
    "parameter": "parameter",
    "level": "level",
    "effect_vs_first_level": "effect vs the first level",
    "effect_ci_low": "effect: CI low",
    "effect_ci_high": "effect: CI high",
    "spearman_rho": "Spearman's rho",
    "p_value": "p-value",
    "on_frontier": "on the frontier",
    "replications": "replications",
    "worst_relative_half_width": "widest CI half-width / mean",
    "seed": "seed",
    "error": "error",
    "variance_across_points": "variance across points",
    "within_point_variance": "variance within a point (seeds)",
    "seed_common_variance": "part shared by every point",
    "point_specific_variance": "part specific to a point",
    "noise_variance": "noise variance (seeds averaged)",
    "noise_share": "noise share (capped at 1)",
    "parameter_share": "parameters' share",
    "index": "index",
    "widest_half_width": "widest CI half-width",
    "target": "target",
    "converged": "converged",
    "top_parameter": "most influential parameter",
    "top_separated": "top one told apart",
    "suggested_n": "suggested n",
    "satisficing": "meets the goal (share of futures)",
    "satisficing_low": "meets the goal: CI low",
    "satisficing_high": "meets the goal: CI high",
    "best_share": "best in (share of futures)",
    "rank_minimax_regret": "rank by largest regret",
    "rank_satisficing": "rank by goal met",
    "rank_best_share": "rank by best in",
}
"""Column headers in words (a column not listed keeps its name: a design parameter)."""

IN_KPI_UNIT = frozenset(
    {
        "mean",
        "sd",
        "ci_low",
        "ci_high",
        "difference",
        "unpaired_half_width",
        "difference_to_best",
        "difference_ci_low",
        "difference_ci_high",
        "value",
        "p5",
        "p25",
        "p50",
        "p75",
        "p95",
        "cvar",
        "worst",
        "best",
        "max_regret",
        "mean_regret",
        "effect_vs_first_level",
        "effect_ci_low",
        "effect_ci_high",
    }
)
"""Columns that hold an amount of the row's KPI (written in its unit)."""

PROBABILITIES = frozenset({"p_loss", "p_loss_low", "p_loss_high", "comparison_confidence"})
"""Columns holding a probability (written in %)."""

NAMED_COLUMNS = ("cell", "reference")
"""Columns holding a cell's name (shown by its display name)."""

GLOSSARY = (
    "How to read these tables: a <b>cell</b> is one configuration (a scenario with a "
    "portfolio, written scenario|portfolio when there are several scenarios) run on every "
    "seed; every cell runs the same seeds (common random numbers), so a <b>paired "
    "difference</b> compares two cells seed by seed and is much more precise than comparing "
    "their means (the CI half-width without pairing shows by how much). <b>CI</b>: the "
    "confidence interval of a mean or difference; <b>significant</b>: its interval excludes "
    "zero. <b>none</b>: the portfolio without initiatives. <b>CVaR</b>: the mean of the "
    "worst outcomes. Every table is also a CSV file in the results folder, with the "
    "columns' own names."
)
"""The words of the tables explained once, above them (HTML)."""


def quantity_label(quantity: str) -> str:
    """A KPI key, an incremental KPI or the worst cumulative cash, in words."""
    if quantity == WORST_CASH:
        return "Lowest cumulative profit"
    if quantity.startswith(INCREMENTAL):
        return f"Gain in {readable_kpi(quantity.removeprefix(INCREMENTAL))} over none"
    return readable_kpi(quantity)


def _unit_of(quantity: str) -> str:
    if quantity == WORST_CASH:
        return "currency"
    return kpi_unit(quantity.removeprefix(INCREMENTAL))


def readable(
    table: pd.DataFrame, kpi: str, names: dict[str, str], cell_word: str = "cell"
) -> pd.DataFrame:
    """``table`` (raw values) as text: amounts in the unit of the row's KPI (its ``kpi`` or
    ``quantity`` column, else the main ``kpi``), cells by ``names``, KPI keys by their
    label, flags yes/no, headers in words (``cell`` as ``cell_word``)."""
    rows = []
    for record in table.to_dict("records"):
        quantity = str(record.get("kpi", record.get("quantity", kpi)))
        unit = _unit_of(quantity)
        row: dict[str, Any] = {}
        for column, value in record.items():
            if column in NAMED_COLUMNS:
                row[column] = names.get(str(value), str(value))
            elif column in {"kpi", "quantity"}:
                row[column] = quantity_label(str(value))
            elif column == f"{INCREMENTAL}{kpi}" and _numeric(value):
                row[column] = number(value, kpi_unit(kpi))
            elif column in IN_KPI_UNIT and _numeric(value):
                row[column] = number(value, unit)
            elif column in {"pv_spend", "total_spend"} and _numeric(value):
                row[column] = number(value, "currency")
            elif column in PROBABILITIES and _numeric(value):
                row[column] = f"{100.0 * value:.0f} %"
            else:
                row[column] = number(value)
        if _numeric(record.get("p_loss_low")) and _numeric(record.get("p_loss_high")):
            row["p_loss"] += f" [{row['p_loss_low']}, {row['p_loss_high']}]"
        rows.append(row)
    shown = pd.DataFrame(rows, columns=list(table.columns))
    shown = shown.drop(columns=[c for c in ("p_loss_low", "p_loss_high") if c in shown])
    if "cell" in shown and cell_word in shown:  # the label the cells are named by
        shown = shown.drop(columns=[cell_word])
    if cell_word != "cell" and "scenario" in shown and shown["scenario"].nunique() == 1:
        shown = shown.drop(columns=["scenario"])  # one scenario: said in "What was run"
    headers = {column: COLUMN_WORDS.get(column, column) for column in shown.columns}
    headers["cell"] = cell_word
    headers[f"{INCREMENTAL}{kpi}"] = f"gain in {readable_kpi(kpi)} over none"
    headers["kpi"] = "KPI"
    return shown.rename(columns=headers)


def _numeric(value: Any) -> bool:
    """A number that is there (not a flag, not NaN: those are written by ``number``)."""
    return isinstance(value, int | float) and not isinstance(value, bool) and value == value


def readable_means(summary: pd.DataFrame, names: dict[str, str]) -> pd.DataFrame:
    """The mean of every KPI per cell: one row per KPI (label, unit), one column per cell
    (by ``names``), each mean in its KPI's unit."""
    cells = list(dict.fromkeys(summary["cell"]))[:MAX_ROWS]
    rows = []
    for kpi, group in summary.groupby("kpi", sort=False):
        unit = kpi_unit(str(kpi))
        means = dict(zip(group["cell"], group["mean"], strict=True))
        row = {"KPI": readable_kpi(str(kpi)), "unit": unit_words(unit) or "-"}
        for cell in cells:
            row[names.get(cell, cell)] = number(means[cell], unit) if cell in means else "-"
        rows.append(row)
    return pd.DataFrame(rows)


def readable_tables(
    tables: dict[str, pd.DataFrame],
    facts: dict[str, Any],
    names: dict[str, str],
    cell_word: str = "cell",
) -> list[tuple[str, pd.DataFrame]]:
    """The tables worth reading (as :func:`~sqm_sim.report.experiment_files.display_tables`
    chooses them), titled with the main KPI's label, for the HTML report."""
    kpi = facts["kpi"]
    label = readable_kpi(kpi)
    shown: list[tuple[str, pd.DataFrame]] = []
    for view in VIEWS:
        table = tables.get(view.table)
        if table is None or table.empty:
            continue
        title, raw = view.select(table, facts)
        title = title.replace(f"{INCREMENTAL}{kpi}", f"gain in {label}")
        title = _with_label(title, kpi, label)
        shown.append((title, readable(raw, kpi, names, cell_word)))
        if view.table == "summary":
            shown.append(("means of every KPI", readable_means(table, names)))
    return shown


def _with_label(title: str, kpi: str, label: str) -> str:
    """``title`` with the KPI key ``kpi`` (a whole word) written as its ``label``."""
    return re.sub(rf"(?<!\w){re.escape(kpi)}(?!\w)", label, title)


SHARE_COLUMNS = frozenset(
    {
        "satisficing",
        "satisficing_low",
        "satisficing_high",
        "best_share",
        "noise_share",
        "parameter_share",
    }
)
"""Columns of a share (written in %) in :func:`in_words`."""


def in_words(table: pd.DataFrame) -> pd.DataFrame:
    """Any analysis table as text: KPI keys (a ``kpi`` column) by their label, shares in %,
    other values by :func:`~sqm_sim.report.numbers.number`, headers in words
    (:data:`COLUMN_WORDS`)."""
    shown = table.map(number)
    for column in SHARE_COLUMNS & set(table.columns):
        shown[column] = [
            number(value, "share") if _numeric(value) else "-" for value in table[column]
        ]
    if "kpi" in table:
        shown["kpi"] = table["kpi"].map(lambda key: readable_kpi(str(key)))
    headers = {column: COLUMN_WORDS.get(column, column) for column in table.columns}
    return shown.rename(columns={**headers, "kpi": "KPI"})
