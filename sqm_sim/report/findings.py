"""Plain-language findings computed from the numbers of a run or an experiment.

Each function returns sentences (plain text; the page escapes them). Amounts keep the
units of :mod:`sqm_sim.run.kpis`: currency, shares (written as %), customers, ...
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from ..run.kpis import kpi_doc
from .names import capitalised, kpi_label, parameter_label
from .numbers import number

JURAN_BAND = (0.15, 0.25)
"""Cost of quality as a share of sales in firms without a quality programme (Juran's
*Quality Handbook*; Feigenbaum): the band a run's cost of quality with its hidden lost sales
(``coq_with_lost_sales_share``) is set against."""

LISTED = 3
"""Cells below the best that the ranking findings compare with it one by one."""

COQ_NAMES = {
    "prevention_cost": "prevention",
    "appraisal_cost": "appraisal",
    "internal_failure_cost": "internal failure",
    "external_failure_cost": "external failure",
}


def amount(value: float, unit: str) -> str:
    """``value`` in words for its unit: ``2.20 million``, ``45,300``, ``4.2 %``, ``0.905``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    if unit == "share":
        return f"{100.0 * value:.1f} %"
    if unit == "currency" and abs(value) >= 1e6:
        return f"{value / 1e6:.2f} million"
    if unit in {"customers", "orders", "units"}:
        return f"{value:,.0f}"
    return number(value)


def change(value: float, unit: str) -> str:
    """A difference in words: like :func:`amount`, but shares in percentage points."""
    if unit == "share" and value == value:
        return f"{100.0 * value:.1f} percentage points"
    return amount(value, unit)


def interval_text(low: float, high: float, unit: str, confidence: float) -> str:
    """``95 % CI 2.05 million to 2.35 million``."""
    return f"{confidence:.0%} CI {amount(low, unit)} to {amount(high, unit)}"


def change_interval_text(low: float, high: float, unit: str, confidence: float) -> str:
    """The CI of a difference: ``95% CI 1.1 to 3.2 percentage points`` for shares."""
    if unit == "share":
        return f"{confidence:.0%} CI {100.0 * low:.1f} to {change(high, unit)}"
    return interval_text(low, high, unit, confidence)


def _window_means(series: pd.Series) -> tuple[float, float, int]:
    window = max(1, min(12, len(series) // 3))
    return float(series.iloc[:window].mean()), float(series.iloc[-window:].mean()), window


def run_findings(
    summary: Mapping[str, float], timeseries: pd.DataFrame, portfolio: str | None = None
) -> list[str]:
    """What one run shows: profit, cost of quality, satisfaction trend, the customer base.
    ``portfolio``: the name of the run's initiative portfolio, if it has initiatives (the
    cost of quality is then not set against firms with no programme, which it is not)."""
    months = len(timeseries)
    findings = [
        f"Over {months} months the company sold {amount(summary['revenue'], 'currency')} and "
        f"earned a profit of {amount(summary['profit'], 'currency')} (net present value "
        f"{amount(summary['npv'], 'currency')})."
    ]
    coq = float(summary["coq_total"])
    if coq > 0:
        parts = {name: float(summary[column]) / coq for column, name in COQ_NAMES.items()}
        largest = max(parts, key=parts.__getitem__)
        smallest = min(parts, key=parts.__getitem__)
        share = float(summary["coq_share_of_revenue"])
        hidden_share = float(summary["coq_with_lost_sales_share"])
        low, high = JURAN_BAND
        position = "below" if hidden_share < low else "above" if hidden_share > high else "within"
        if portfolio:
            band = (
                f"{position} Juran's {low:.0%}-{high:.0%} benchmark for a firm before an "
                f"improvement programme; this run carries the portfolio '{portfolio}'"
            )
        else:
            band = (
                f"{position} the {low:.0%}-{high:.0%} reported for firms without a quality "
                "programme"
            )
        findings.append(
            f"The cost of quality (prevention, appraisal and failure) was "
            f"{amount(coq, 'currency')}, {amount(share, 'share')} of revenue; "
            f"{largest} was the largest part ({amount(parts[largest], 'share')}), "
            f"{smallest} the smallest ({amount(parts[smallest], 'share')}). With the hidden "
            f"cost of sales lost to poor quality "
            f"({amount(float(summary['lost_sales_cost']), 'currency')}) it was "
            f"{amount(hidden_share, 'share')} of revenue ({band})."
        )
    first, last, window = _window_means(timeseries["mean_satisfaction"].dropna())
    if not (math.isnan(first) or math.isnan(last)):
        change = last - first
        trend = "rose" if change > 0.005 else "fell" if change < -0.005 else "stayed level"
        span = "year" if window == 12 else f"{window} months"
        findings.append(
            f"Mean customer satisfaction {trend} from {first:.3f} in the first {span} to "
            f"{last:.3f} in the last {span} (0-1 scale)."
        )
    start, end = float(summary["initial_customers"]), float(summary["active_customers_end"])
    if start > 0:
        findings.append(
            f"Active customers went from {amount(start, 'customers')} to "
            f"{amount(end, 'customers')} ({(end - start) / start:+.1%}): "
            f"{amount(summary['customers_acquired'], 'customers')} won, "
            f"{amount(summary['customers_lost'], 'customers')} lost; annualised retention "
            f"{amount(summary['retention_rate_annual'], 'share')}."
        )
    cumulative = timeseries["profit"].cumsum().to_numpy(float)
    if len(cumulative) and cumulative.min() < 0:
        worst = int(np.argmin(cumulative))
        findings.append(
            f"Cumulative profit was negative at first, lowest in month {worst + 1} "
            f"({amount(cumulative[worst], 'currency')}): worse before better."
        )
    return findings


def with_details(name: str, cell: str, details: Mapping[str, str] | None) -> str:
    """``name (details)`` when there are details for ``cell``, else ``name``."""
    extra = (details or {}).get(cell)
    return f"{name} ({extra})" if extra else name


def ranking_findings(
    ranking: pd.DataFrame,
    kpi: str,
    direction: str,
    names: Mapping[str, str] | None = None,
    confidence: float = 0.95,
    details: Mapping[str, str] | None = None,
) -> list[str]:
    """``details`` (e.g. a cell's design settings) follow a cell's name where it is first
    named. Per ranking group: the best cell with its CI, and for the next ``LISTED`` cells how
    much the best beats it and whether that is significant (paired, common random
    numbers); the rest are counted in one sentence."""
    shown = dict(names or {})
    unit = kpi_doc(kpi)[0] if kpi else "-"
    word = "highest" if direction == "max" else "lowest"
    findings = []
    groups = list(dict.fromkeys(ranking["group"]))
    for group in groups:
        rows = ranking[ranking["group"] == group].sort_values("rank")
        best = rows.iloc[0]
        where = f"In scenario {group}, " if len(groups) > 1 else ""
        best_name = shown.get(best["cell"], best["cell"])
        findings.append(
            f"{where}{with_details(best_name, best['cell'], details)} has the {word} "
            f"{kpi_label(kpi)}, "
            f"{amount(best['mean'], unit)} "
            f"({interval_text(best['ci_low'], best['ci_high'], unit, confidence)})."
        )
        for row in rows.iloc[1 : LISTED + 1].itertuples():
            level = 1.0 - float(getattr(row, "comparison_confidence", confidence))
            sign = -1.0 if direction == "max" else 1.0  # the best's advantage, positive
            gap = sign * float(row.difference_to_best)
            low, high = sorted(
                (sign * float(row.difference_ci_low), sign * float(row.difference_ci_high))
            )
            verdict = (
                f"significant at the {level:.0%} level"
                if row.significantly_worse_than_best
                else f"not significantly different at the {level:.0%} level"
            )
            findings.append(
                f"{best_name} beats "
                f"{with_details(shown.get(row.cell, row.cell), row.cell, details)} by "
                f"{change(gap, unit)} "
                f"(paired {change_interval_text(low, high, unit, 1 - level)}): "
                f"{verdict}."
            )
        rest = rows.iloc[LISTED + 1 :]
        if len(rest):
            worse = int(rest["significantly_worse_than_best"].astype(bool).sum())
            findings.append(
                f"Of the {len(rest)} other cells ranked below, {worse} are significantly "
                f"worse than {best_name} and {len(rest) - worse} are not significantly "
                "different (see the ranking table)."
            )
    return findings


def search_findings(facts: Mapping[str, Any]) -> list[str]:
    """The best portfolio of a search, and how it compares with none and the runner-up."""
    best = facts["best"]
    kpi = facts["kpi"]
    unit = kpi_doc(kpi)[0]
    confidence = float(facts["confidence"])
    evaluated = facts["evaluated_portfolios"]
    feasible = facts.get("feasible_portfolios")
    scope = f"of {feasible} feasible" if feasible is not None else "(heuristic search)"
    findings = [
        f"Of {evaluated} portfolios evaluated {scope}, '{best['portfolio']}' has the best "
        f"{kpi_label(kpi)}: {amount(best['mean'], unit)} "
        f"({interval_text(best['ci_low'], best['ci_high'], unit, confidence)}), for initiative "
        f"spend with a present value of {amount(best['pv_spend'], 'currency')}."
    ]
    for key, words in (("vs_none", "no initiatives"), ("vs_runner_up", "the runner-up")):
        if key not in best:
            continue
        gap = best[key]
        verdict = "significant" if gap["significant"] else "not significant"
        findings.append(
            f"Against {words} ('{gap['other']}') it gains {change(gap['difference'], unit)} "
            f"(paired {change_interval_text(gap['ci_low'], gap['ci_high'], unit, confidence)}): "
            f"{verdict} at the {1 - confidence:.0%} level."
        )
    return findings


def difference_findings(
    differences: pd.DataFrame,
    kpi: str,
    names: Mapping[str, str] | None = None,
    confidence: float = 0.95,
    skip: frozenset[str] = frozenset(),
) -> list[str]:
    """Each cell against its reference (paired, common random numbers), but the pairs
    involving a cell in ``skip`` (e.g. the best, already compared by the ranking)."""
    shown = dict(names or {})
    unit = kpi_doc(kpi)[0]
    findings = []
    for row in differences[differences["kpi"] == kpi].itertuples():
        if row.cell in skip or row.reference in skip:
            continue
        verdict = (
            "an improvement, significant"
            if row.better
            else "a deterioration, significant"
            if row.worse
            else "not significantly different"
        )
        sign = "+" if row.difference > 0 else ""
        findings.append(
            f"Compared with {shown.get(row.reference, row.reference)}, "
            f"{shown.get(row.cell, row.cell)} changes {kpi_label(kpi)} by {sign}"
            f"{change(row.difference, unit)} (paired "
            f"{change_interval_text(row.ci_low, row.ci_high, unit, confidence)}): {verdict} at the "
            f"{1 - confidence:.0%} level."
        )
    return findings


def catch_up_findings(cumulative: pd.DataFrame, reference_of: Mapping[str, str]) -> list[str]:
    """Worse before better: when each group's mean cumulative profit overtakes that of its
    reference. ``cumulative`` has one row per ``group`` and ``month`` with the ``mean``
    cumulative profit (as from :func:`sqm_sim.plots.monthly_bands`)."""
    table = cumulative.pivot_table(index="month", columns="group", values="mean")
    findings = []
    for group, reference in reference_of.items():
        if group == reference or group not in table or reference not in table:
            continue
        gap = (table[group] - table[reference]).to_numpy(float)
        months = table.index.to_numpy(float)
        behind = np.flatnonzero(gap < 0)
        if len(behind) == 0:
            findings.append(
                f"{group}'s mean cumulative profit is ahead of {reference}'s from the start."
            )
        elif gap[-1] < 0:
            findings.append(
                f"{group}'s mean cumulative profit stays below {reference}'s until the end of "
                f"the horizon ({amount(gap[-1], 'currency')} in month {months[-1]:.0f})."
            )
        else:
            worst = int(np.argmin(gap))
            findings.append(
                f"Worse before better: {group}'s mean cumulative profit trails {reference}'s "
                f"until month {months[behind[-1]]:.0f} (by up to "
                f"{amount(-gap[worst], 'currency')}, in month {months[worst]:.0f}), then "
                f"pulls ahead to {amount(gap[-1], 'currency')} by month {months[-1]:.0f}."
            )
    return findings


def main_effect_findings(main_effects: pd.DataFrame, kpi: str, confidence: float) -> list[str]:
    """Per factor of a factorial design: how the KPI's mean moves from the first to the
    last level (averaged over the other factors), and whether that is significant."""
    unit = kpi_doc(kpi)[0]
    findings = []
    rows = main_effects[main_effects["kpi"] == kpi]
    for parameter, levels in rows.groupby("parameter", sort=False):
        first, last = levels.iloc[0], levels.iloc[-1]
        verdict = "significant" if bool(last["significant"]) else "not significant"
        effect = change_interval_text(
            last["effect_ci_low"], last["effect_ci_high"], unit, confidence
        )
        findings.append(
            f"Raising {parameter_label(str(parameter))} from {number(first['level'])} to "
            f"{number(last['level'])} moves the mean {kpi_label(kpi)} from "
            f"{amount(first['mean'], unit)} to "
            f"{amount(last['mean'], unit)} (paired "
            f"{effect} for the change): {verdict} at the {1 - confidence:.0%} level."
        )
    return findings


def correlation_findings(correlations: pd.DataFrame, kpi: str, level: float = 0.05) -> list[str]:
    """The parameters of a Latin hypercube that move the KPI, strongest first (Spearman
    rank correlation with a p-value below ``level``), and those that show no clear effect."""
    rows = correlations[correlations["kpi"] == kpi].copy()
    rows["strength"] = rows["spearman_rho"].abs()
    rows = rows.sort_values("strength", ascending=False)
    clear = rows[rows["p_value"] < level]
    findings = [
        f"{_opening(parameter_label(row.parameter), row.parameter)} "
        f"{'raises' if row.spearman_rho > 0 else 'lowers'} {kpi_label(kpi)} "
        f"(Spearman rank correlation {row.spearman_rho:+.2f}, p = {row.p_value:.2g})."
        for row in clear.itertuples()
    ]
    unclear = rows[rows["p_value"] >= level]["parameter"].tolist()
    if unclear:
        findings.append(
            f"No clear monotone effect on {kpi_label(kpi)} (p >= {level:g}): "
            f"{', '.join(parameter_label(key) for key in unclear)}."
        )
    return findings


def _opening(label: str, key: str) -> str:
    """A parameter's ``label`` opening a sentence: capitalised, but a bare key (one the
    schema does not know) as it is written."""
    return label if label == key else capitalised(label)
