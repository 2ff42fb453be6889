"""From raw monthly samples to the documented time series and the KPI summary.

Everything here is computed once per run, vectorised, after the simulation has finished.
Which columns and summary keys exist, their units and how each aggregates are declared in
:mod:`sqm_sim.run.catalogue`; the lists below are derived from it.
"""

from __future__ import annotations

from operator import attrgetter

import numpy as np
import pandas as pd

from ..config import Config
from ..models.ledger import ACCOUNTS, COQ_ACCOUNTS, COST_ACCOUNTS, monthly_discount_rate
from ..models.units import DAYS_PER_MONTH, DAYS_PER_YEAR
from .catalogue import COLUMNS, SUMMARY, summary_docs

CUMULATIVE = [
    kpi.name for kpi in COLUMNS if kpi.kind == "flow" and kpi.origin in {"tally", "model"}
]
"""Model counters sampled cumulatively at month ends: a period's flow is their change."""
LEVELS = [
    kpi.name for kpi in COLUMNS if kpi.kind == "level" and kpi.origin == "model" and kpi.integer
]
"""Whole-number model levels (stocks, queues, populations) at each period's end."""
FLOAT_LEVELS = [
    kpi.name for kpi in COLUMNS if kpi.kind == "level" and kpi.origin == "model" and not kpi.integer
]
"""Real-valued model levels (scales, indices, shares) at each period's end."""
LEVEL_SHARES: dict[str, tuple[str, str]] = {
    kpi.name: kpi.ratio[:2] for kpi in COLUMNS if kpi.ratio and "mean" in kpi.aggregates
}
"""Period-end shares of two levels, averaged over periods in the summary: (numerator,
denominator)."""
RATIOS: dict[str, tuple[str, str, float]] = {
    kpi.name: kpi.ratio for kpi in COLUMNS if kpi.ratio and "ratio" in kpi.aggregates
}
"""Ratios of two flows, per period and over the whole run: (numerator, denominator, scale)."""
FLOWS = [kpi.name for kpi in COLUMNS if kpi.kind == "flow"]
"""Columns summed over periods into the run totals."""
INTEGER_COLUMNS = [kpi.name for kpi in COLUMNS if kpi.integer]
COLUMN_DOCS: dict[str, tuple[str, str]] = {kpi.name: (kpi.unit, kpi.description) for kpi in COLUMNS}
"""(unit, description) of every time-series column, in column order."""


def monthly_discount_factors(config: Config) -> np.ndarray:
    """Discount factor of each month's cash flow, paid at the end of the month."""
    monthly_rate = monthly_discount_rate(config.finance.annual_discount_rate)
    months = np.arange(1, config.simulation.horizon_months + 1)
    return (1.0 + monthly_rate) ** -months


def _row_sum(columns: list[np.ndarray]) -> np.ndarray:
    """Element-wise sum of ``columns``, added from left to right (as
    ``DataFrame.sum(axis=1)`` adds a few columns without missing values)."""
    return sum(columns[1:], start=columns[0])


def _ratio(numerator, denominator, scale: float):
    """numerator * scale / denominator, NaN where the denominator is not positive."""
    numerator = np.asarray(numerator, dtype=float)
    denominator = np.asarray(denominator, dtype=float)
    positive = denominator > 0
    return np.where(positive, numerator * scale / np.where(positive, denominator, 1.0), np.nan)


def clv_estimate(margin_per_order, retention, config: Config):
    """Gupta & Lehmann's m r / (1 + d - r), with d the discount rate per purchase cycle."""
    cycle_years = config.market.purchase_cycle.mean / DAYS_PER_YEAR
    discount = (1.0 + config.finance.annual_discount_rate) ** cycle_years - 1.0
    denominator = 1.0 + discount - np.asarray(retention)
    with np.errstate(divide="ignore", invalid="ignore"):
        value = margin_per_order * np.asarray(retention) / denominator
    # with no discounting and no churn the value is unbounded: reported as NaN
    return np.where(denominator > 0.0, value, np.nan)


CLV_INPUTS = (
    "production_cost",
    "coq_total",
    "units_produced",
    "repurchases",
    "repurchase_decisions",
)
"""The flows the CLV estimate is computed from."""


def _margin_per_order(table, config: Config):
    """Margin of one order in ``table``'s flows: unit_price - (production + cost of
    quality) / units produced."""
    unit_cost = _ratio(table["production_cost"] + table["coq_total"], table["units_produced"], 1.0)
    return config.finance.unit_price - unit_cost


def _clv(table, repurchase_rate, config: Config):
    """The CLV estimate of ``table``'s flows: margin per order (:func:`_margin_per_order`),
    retention ``repurchase_rate``."""
    return clv_estimate(_margin_per_order(table, config), repurchase_rate, config)


def _add_ratios(table, config: Config) -> None:
    """Add every ratio KPI to ``table`` (a DataFrame of periods or a dict of run totals)."""
    for name, (numerator, denominator, scale) in RATIOS.items():
        table[name] = _ratio(table[numerator], table[denominator], scale)
    table["retention_rate_annual"] = (1.0 - table["churn_rate_monthly"]) ** 12
    table["clv_estimate"] = _clv(table, table["repurchase_rate"], config)
    # customers lost at their lifetime value, orders not placed at one order's margin
    table["lost_sales_cost"] = np.asarray(table["customers_lost_to_quality"]) * np.asarray(
        table["clv_estimate"]
    ) + np.asarray(table["orders_lost_to_quality"]) * np.asarray(_margin_per_order(table, config))
    table["coq_with_lost_sales_share"] = _ratio(
        np.asarray(table["coq_total"]) + table["lost_sales_cost"], table["revenue"], 1.0
    )


def build_timeseries(
    samples: pd.DataFrame, ledger_entries: dict[str, list[float]], config: Config
) -> pd.DataFrame:
    """One row per reporting period, with every column of :data:`COLUMN_DOCS`.

    Computed on NumPy columns and put into a DataFrame once at the end (column by column
    assignment into a DataFrame cost a fifth of a quick run). Sums over the months of a
    period use pandas' grouped sum (compensated summation), the trailing twelve months its
    rolling sum, so the numbers are those of the plain pandas formulation, bit for bit
    (``tests/run/test_kpis.py`` compares with it)."""
    months = config.simulation.horizon_months
    period_months = config.simulation.report_period_months
    # the month's flows: changes of the cumulative counters, money booked, customer-months
    cumulative = samples[CUMULATIVE].to_numpy(dtype=float)
    monthly_flows = np.empty_like(cumulative)
    monthly_flows[0] = cumulative[0]
    monthly_flows[1:] = cumulative[1:] - cumulative[:-1]
    monthly: dict[str, np.ndarray] = dict(zip(CUMULATIVE, monthly_flows.T, strict=True))
    for account in ACCOUNTS:
        monthly[account] = np.asarray(ledger_entries[account], dtype=float)
    monthly["coq_total"] = _row_sum([monthly[account] for account in COQ_ACCOUNTS])
    monthly["total_cost"] = _row_sum([monthly[account] for account in COST_ACCOUNTS])
    monthly["profit"] = monthly["revenue"] - monthly["total_cost"]
    monthly["discounted_profit"] = monthly["profit"] * monthly_discount_factors(config)
    monthly["period_days"] = np.full(months, DAYS_PER_MONTH)
    active = samples["active_customers"].to_numpy()
    customer_months = np.empty(months, dtype=np.int64)
    customer_months[0] = config.market.initial_customers
    customer_months[1:] = active[:-1]

    # periods: flows summed over their months, levels at their last month (NaN included)
    period = np.arange(months) // period_months
    last_rows = np.append(np.flatnonzero(np.diff(period)), months - 1)
    names = list(monthly)
    if period_months == 1:  # a period's sum is its month's flow
        sums = np.column_stack([monthly[name] for name in names])
        period_customer_months = customer_months
    else:
        sums = pd.DataFrame(monthly).groupby(period).sum().to_numpy()
        period_customer_months = np.add.reduceat(customer_months, np.append(0, last_rows[:-1] + 1))
    table: dict[str, np.ndarray] = dict(zip(names, sums.T, strict=True))
    table["customer_months"] = period_customer_months
    levels = samples[LEVELS + FLOAT_LEVELS].to_numpy(dtype=float)[last_rows]
    table.update(zip(LEVELS + FLOAT_LEVELS, levels.T, strict=True))
    periods = len(last_rows)
    table["period"] = np.arange(1, periods + 1)
    table["month_start"] = np.arange(periods) * period_months
    table["cumulative_profit"] = np.cumsum(table["profit"])
    _add_ratios(table, config)
    # customer equity at each period end: the active customers times the CLV under the
    # margin and retention of the 12 months to that end (the same whatever the period)
    trailing_frame = pd.DataFrame({name: monthly[name] for name in CLV_INPUTS})
    trailing = trailing_frame.rolling(12, min_periods=1).sum()
    retention = _ratio(trailing["repurchases"], trailing["repurchase_decisions"], 1.0)
    trailing_clv = np.asarray(_clv(trailing, retention, config))[last_rows]
    end_active = table["active_customers"]
    table["customer_equity"] = np.where(end_active > 0, end_active * trailing_clv, 0.0)
    terminal = np.zeros(periods)
    terminal[-1] = table["customer_equity"][-1] * monthly_discount_factors(config)[-1]
    table["discounted_profit_with_equity"] = table["discounted_profit"] + terminal
    for name, (numerator, denominator) in LEVEL_SHARES.items():
        table[name] = _ratio(table[numerator], table[denominator], 1.0)
    for name in INTEGER_COLUMNS:
        table[name] = np.asarray(table[name]).astype("int64")
    return pd.DataFrame({name: table[name] for name in COLUMN_DOCS})


def summarise(timeseries: pd.DataFrame, config: Config) -> dict[str, float]:
    """Flat dict of KPIs for the whole run, keyed and ordered as the catalogue's
    :data:`~sqm_sim.run.catalogue.SUMMARY`: totals of flows, whole-run ratios, means over
    periods, end levels and the config's starting values."""
    # skipna=False: a flow unknown in one period (NaN) is unknown over the run
    totals: dict[str, float] = {
        name: float(v) for name, v in timeseries[FLOWS].sum(skipna=False).items()
    }
    _add_ratios(totals, config)
    last = timeseries.iloc[-1]
    summary: dict[str, float] = {}
    for key, aggregate, kpi in SUMMARY:
        if aggregate in {"total", "ratio"}:
            summary[key] = float(totals[kpi.name])
        elif aggregate == "total_of":
            summary[key] = float(totals[kpi.source])
        elif aggregate == "mean":
            summary[key] = float(timeseries[kpi.name].mean())
        elif aggregate == "end":
            summary[key] = float(last[kpi.name])
        else:  # "config"
            summary[key] = float(attrgetter(kpi.source)(config))
    return summary


SUMMARY_EXTRA_DOCS: dict[str, tuple[str, str]] = {
    key: doc for key, doc in summary_docs().items() if key not in COLUMN_DOCS
}
"""(unit, description) of the summary keys that are not time-series columns."""


def kpi_doc(name: str) -> tuple[str, str]:
    """(unit, description) of a summary KPI or time-series column."""
    return SUMMARY_EXTRA_DOCS.get(name) or COLUMN_DOCS[name]
