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


def _add_money_totals(frame: pd.DataFrame) -> None:
    frame["coq_total"] = frame[list(COQ_ACCOUNTS)].sum(axis=1)
    frame["total_cost"] = frame[list(COST_ACCOUNTS)].sum(axis=1)
    frame["profit"] = frame["revenue"] - frame["total_cost"]


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
    """One row per reporting period, with every column of :data:`COLUMN_DOCS`."""
    months = config.simulation.horizon_months
    cumulative = samples[CUMULATIVE]
    monthly = cumulative.diff()
    monthly.iloc[0] = cumulative.iloc[0]
    money = pd.DataFrame({account: ledger_entries[account] for account in ACCOUNTS})
    _add_money_totals(money)
    money["discounted_profit"] = money["profit"] * monthly_discount_factors(config)
    monthly = pd.concat([monthly, money], axis=1)
    monthly["period_days"] = DAYS_PER_MONTH
    monthly["customer_months"] = samples["active_customers"].shift(
        1, fill_value=config.market.initial_customers
    )

    period = np.arange(months) // config.simulation.report_period_months
    grouped = monthly.groupby(period)
    frame = grouped.sum()
    # levels are the values at each period's last month (NaN included: groupby.last would
    # skip a NaN and report a stale earlier month)
    last_rows = np.append(np.flatnonzero(np.diff(period)), months - 1)
    frame[LEVELS + FLOAT_LEVELS] = samples[LEVELS + FLOAT_LEVELS].iloc[last_rows].to_numpy()
    frame.insert(0, "period", frame.index + 1)
    frame.insert(1, "month_start", grouped.size().cumsum().shift(fill_value=0))
    frame["cumulative_profit"] = frame["profit"].cumsum()
    _add_ratios(frame, config)
    # customer equity at each period end: the active customers times the CLV under the
    # margin and retention of the 12 months to that end (the same whatever the period)
    trailing = monthly[list(CLV_INPUTS)].rolling(12, min_periods=1).sum()
    retention = _ratio(trailing["repurchases"], trailing["repurchase_decisions"], 1.0)
    active = frame["active_customers"].to_numpy(dtype=float)
    trailing_clv = np.asarray(_clv(trailing, retention, config))[last_rows]
    frame["customer_equity"] = np.where(active > 0, active * trailing_clv, 0.0)
    terminal = np.zeros(len(frame))
    terminal[-1] = frame["customer_equity"].iloc[-1] * monthly_discount_factors(config)[-1]
    frame["discounted_profit_with_equity"] = frame["discounted_profit"] + terminal
    for name, (numerator, denominator) in LEVEL_SHARES.items():
        frame[name] = _ratio(frame[numerator], frame[denominator], 1.0)
    frame[INTEGER_COLUMNS] = frame[INTEGER_COLUMNS].astype("int64")
    return frame[list(COLUMN_DOCS)].reset_index(drop=True)


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
