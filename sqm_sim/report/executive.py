"""The executive summary at the top of a comparison or exploration report: the
recommendation in one paragraph, with its confidence, its risk, the conditions under which
it fails (when futures were explored) and what the model leaves out.

Every sentence is computed from the analysis tables; the words for confidence follow the
ranking's own test (paired t intervals for the mean, a paired bootstrap for the other
criteria; Bonferroni-adjusted when the experiment asked for it):

- *high*: every other portfolio is significantly worse than the recommended one;
- *moderate*: some are, others are not significantly different;
- *low*: none is significantly worse (the ranking may be chance).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import pandas as pd

from ..run.kpis import kpi_doc
from .findings import amount, change
from .names import kpi_label

NOT_MODELLED = (
    "Not modelled: the company is the shipped scenario, not calibrated to your own data; "
    "parameters other than those explored are fixed at their documented values, so the "
    "intervals reflect chance (the seeds) only; the competitor follows its set trend and "
    "does not react to your moves; cash shortfalls are not financed or penalised (a negative "
    "cumulative cash is reported, not acted on); initiatives deliver their stated effects "
    "unless an exploration makes them uncertain."
)
"""What a reader should know the numbers leave out (shown in every executive summary of
runs without a posterior)."""

NOT_MODELLED_CALIBRATED = (
    "Not modelled: only the parameters the calibration fitted are uncertain (drawn from its "
    "posterior, one set per seed, so the intervals include what the history leaves open "
    "about them); every other parameter is fixed at the profile's value, and state the "
    "calibrated profile cannot carry from the end of the history starts as at its month 0 "
    "(see the calibration's report); the competitor follows its set trend and does not "
    "react to your moves; cash shortfalls are not financed or penalised (a negative "
    "cumulative cash is reported, not acted on); initiatives deliver their stated effects "
    "unless an exploration makes them uncertain."
)
"""The same for runs of a calibrated profile (facts say the intervals include parameter
uncertainty)."""


def not_modelled(facts: Mapping[str, Any]) -> str:
    """:data:`NOT_MODELLED_CALIBRATED` when the runs drew from a posterior, else
    :data:`NOT_MODELLED`."""
    note = str(facts.get("parameter_uncertainty", ""))
    return NOT_MODELLED_CALIBRATED if "include parameter uncertainty" in note else NOT_MODELLED


CRITERIA = {
    "mean": "mean",
    "p5": "5th percentile (a bad year in twenty)",
    "p50": "median",
    "cvar": "CVaR (the mean of the worst {level} of replications)",
    "regret": "largest mean regret over the scenarios",
}


def criterion_words(facts: Mapping[str, Any]) -> str:
    """The ranking criterion in words."""
    level = f"{float(facts.get('cvar_level', 0.1)):.0%}"
    return CRITERIA.get(str(facts.get("rank_by", "mean")), "mean").format(level=level)


def confidence_words(rows: pd.DataFrame, names: Mapping[str, str]) -> str:
    """How sure the ranking is that its first cell is best (see the module docstring)."""
    others = rows[rows["rank"] != 1]
    if others.empty:
        return "only one portfolio was run"
    worse = others[others["significantly_worse_than_best"].astype(bool)]
    level = 1.0 - float(rows["comparison_confidence"].iloc[0])
    method = str(rows["method"].iloc[0]) if "method" in rows else "paired t interval"
    tie = [names.get(c, c) for c in others.loc[~others.index.isin(worse.index), "cell"]]
    test = f"{method}, {level:.1%} level per comparison"
    if len(worse) == len(others):
        return f"high: every other portfolio is significantly worse ({test})"
    if worse.empty:
        return (
            f"low: no other portfolio is significantly worse ({test}); the order may be chance, "
            "run more replications"
        )
    return f"moderate: not significantly better than {', '.join(tie)} ({test})"


def _risk_words(risk: pd.DataFrame, cell: str, kpi: str, unit: str) -> str:
    rows = risk[risk["cell"] == cell].set_index("quantity")
    parts = []
    incremental = f"incremental_{kpi}"
    if incremental in rows.index:
        row = rows.loc[incremental]
        parts.append(
            f"it does worse than doing nothing in {row['p_loss']:.0%} of the replications "
            f"(Wilson interval {row['p_loss_low']:.0%} to {row['p_loss_high']:.0%}); its gain "
            f"over none ranges from {change(row['p5'], unit)} (5th percentile) to "
            f"{change(row['p95'], unit)} (95th)"
        )
    if kpi in rows.index:
        row = rows.loc[kpi]
        parts.append(
            f"the mean of its worst {float(row['cvar_level']):.0%} of outcomes (CVaR) is "
            f"{amount(row['cvar'], unit)} against a mean of {amount(row['mean'], unit)}"
        )
    if "worst_cumulative_cash" in rows.index:
        row = rows.loc["worst_cumulative_cash"]
        parts.append(
            f"its lowest cumulative cash over the months is {amount(row['mean'], 'currency')} on "
            f"average ({amount(row['p5'], 'currency')} in a bad replication, 5th percentile)"
        )
    return "; ".join(parts)


def comparison_summary(
    tables: Mapping[str, pd.DataFrame], facts: Mapping[str, Any], names: Mapping[str, str]
) -> list[str]:
    """The executive summary of a comparison, one paragraph per scenario (sentences)."""
    kpi = str(facts["kpi"])
    unit = kpi_doc(kpi)[0]
    label = kpi_label(kpi)
    use_risk = facts.get("rank_by", "mean") != "mean" and "risk_ranking" in tables
    ranking = tables.get("risk_ranking" if use_risk else "ranking")
    if ranking is None or ranking.empty:
        return []
    criterion = criterion_words(facts) if use_risk else "mean"
    risk = tables.get("risk", pd.DataFrame())
    spend = tables.get("spend", pd.DataFrame())
    paragraphs = []
    for group, rows in ranking.groupby("group", sort=False):
        rows = rows.sort_values("rank")
        best = str(rows.iloc[0]["cell"])
        shown = names.get(best, best)
        where = f"In scenario {group}: " if ranking["group"].nunique() > 1 else ""
        value = rows.iloc[0].get("value", rows.iloc[0].get("mean"))
        sentences = [
            f"{where}Recommendation: {shown}, first by the {criterion} of {label} "
            f"({amount(float(value), unit)})."
            if facts.get("rank_by") != "regret"
            else f"{where}Recommendation: {shown}, the smallest largest regret in {label} "
            f"({amount(float(value), unit)}).",
            f"Confidence: {confidence_words(rows, names)}.",
        ]
        cells = [best]
        if not risk.empty and best not in set(risk["cell"]) and "portfolio" in risk:
            cells = list(dict.fromkeys(risk.loc[risk["portfolio"] == best, "cell"]))  # regret
        for cell in cells:
            words = _risk_words(risk, cell, kpi, unit) if not risk.empty else ""
            if words:
                scenario = f" in {cell.split('|')[0]}" if len(cells) > 1 else ""
                sentences.append(f"Risk{scenario}: {words}.")
        if not spend.empty and cells[0] in set(spend["cell"]):
            row = spend.set_index("cell").loc[cells[0]]
            if float(row["pv_spend"]) > 0:
                roi = row["roi"]
                roi_text = (
                    ""
                    if roi is None or math.isnan(float(roi))
                    else f", a return of {float(roi):+.2f} per unit spent"
                )
                sentences.append(
                    f"Spend: {row['initiatives']}, present value "
                    f"{amount(float(row['pv_spend']), 'currency')}{roi_text}."
                )
            else:
                sentences.append("Spend: no initiatives.")
        sentences.append(
            "Where it fails: not explored in this comparison (only the seeds and the "
            "scenarios run here vary); `sqm-sim explore` draws uncertain factors and finds "
            "the region where a portfolio misses its goal."
        )
        paragraphs.append(" ".join(sentences))
    if "robustness" in tables and not use_risk:
        robust = tables["robustness"].iloc[0]
        paragraphs.append(
            f"Across the scenarios, {robust['portfolio']} has the smallest largest regret "
            f"({amount(float(robust['max_regret']), unit)})."
        )
    paragraphs.append(not_modelled(facts))
    return paragraphs


def exploration_summary(
    facts: Mapping[str, Any], robust: pd.DataFrame, box_lines: list[str]
) -> list[str]:
    """The executive summary of an exploration (sentences in paragraphs)."""
    kpi = str(facts["kpi"])
    unit = kpi_doc(kpi)[0]
    chosen = facts.get("choices", {})
    regret = chosen.get("minimax_regret", [])
    satisficing = chosen.get("satisficing", [])
    most = chosen.get("best_in_most_futures", [])
    table = robust.set_index("portfolio")
    first = regret[0] if regret else str(robust.iloc[0]["portfolio"])
    agree = [view for view, picks in chosen.items() if first in picks]
    row = table.loc[first]
    lines = [
        f"Recommendation: {first}, the minimax-regret choice over {facts['futures']} futures "
        f"drawn (its largest shortfall from the best portfolio of a future is "
        f"{amount(float(row['max_regret']), unit)} in {kpi_label(kpi)}).",
        f"Confidence: {len(agree)} of the 3 robust views agree on it "
        f"({', '.join(v.replace('_', ' ') for v in agree)}); "
        + (
            f"satisficing prefers {', '.join(satisficing)}; "
            if satisficing and first not in satisficing
            else ""
        )
        + (f"best in most futures: {', '.join(most)}." if most else ""),
    ]
    if not math.isnan(float(row["satisficing"])):
        lines.append(
            f"Risk: it misses the goal in {1 - float(row['satisficing']):.0%} of the futures "
            f"(Wilson interval {1 - float(row['satisficing_high']):.0%} to "
            f"{1 - float(row['satisficing_low']):.0%}); its worst future gives "
            f"{amount(float(row['worst']), unit)}."
        )
    else:
        lines.append(
            f"Risk: its worst future gives {amount(float(row['worst']), unit)} "
            f"(mean {amount(float(row['mean']), unit)})."
        )
    lines.append("Where the candidates fail: " + " ".join(box_lines))
    return [" ".join(lines), not_modelled(facts)]
