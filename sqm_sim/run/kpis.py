"""From raw monthly samples to the documented time series and the KPI summary.

Everything here is computed once per run, vectorised, after the simulation has finished.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..config import Config
from ..models.ledger import ACCOUNTS, COQ_ACCOUNTS, COST_ACCOUNTS, monthly_discount_rate
from ..models.tally import Tally
from ..models.units import DAYS_PER_MONTH, DAYS_PER_YEAR

CUMULATIVE = [*Tally.names(), "out_of_control_days"]
LEVELS = [
    "stock_on_hand",
    "backorders_open",
    "awaiting_dispatch",
    "in_transit",
    "work_orders_open",
    "units_in_rework",
    "active_customers",
    "satisfied_customers",
    "dissatisfied_customers",
    "prospects_remaining",
    "competitor_customers",
    "complaints_open",
]
FLOAT_LEVELS = [
    "mean_satisfaction",
    "market_share",
    "state_of_the_art",
    "competitor_quality",
    "switching_cost",
    "average_skill",
    "share_involved",
    "improvement_factor",
    "feature_level",
    "capacity_loss",
    "defect_probability",
]
# period-end shares, averaged over periods in the summary: name: (numerator, denominator)
LEVEL_SHARES: dict[str, tuple[str, str]] = {
    "share_satisfied": ("satisfied_customers", "active_customers"),
    "share_dissatisfied": ("dissatisfied_customers", "active_customers"),
}

# name: (numerator, denominator, scale)
RATIOS: dict[str, tuple[str, str, float]] = {
    "defect_rate_produced": ("defects_produced", "units_produced", 1.0),
    "defects_shipped_ppm": ("defective_shipped", "units_shipped", 1e6),
    "on_time_rate": ("deliveries_on_time", "units_delivered", 1.0),
    "mean_fulfilment_wait_days": ("fulfilment_wait_days_total", "orders_allocated", 1.0),
    "mean_delivery_lead_time_days": ("delivery_lead_time_days_total", "units_delivered", 1.0),
    "fill_rate": ("orders_filled_from_stock", "orders_placed", 1.0),
    "repurchase_rate": ("repurchases", "repurchase_decisions", 1.0),
    "out_of_control_share": ("out_of_control_days", "period_days", 1.0),
    "coq_share_of_revenue": ("coq_total", "revenue", 1.0),
    "complaint_rate": ("complaints_filed", "units_delivered", 1.0),
    "recovery_rate": ("complaints_resolved", "complaints_closed", 1.0),
    "fast_recovery_rate": ("complaints_resolved_fast", "complaints_closed", 1.0),
    "mean_complaint_days": ("complaint_days_total", "complaints_closed", 1.0),
    "churn_rate_monthly": ("customers_lost", "customer_months", 1.0),
}

COLUMN_DOCS: dict[str, tuple[str, str]] = {
    "period": ("-", "reporting period number, from 1"),
    "month_start": ("months", "months elapsed at the start of the period"),
    "period_days": ("days", "length of the period"),
    "orders_placed": ("orders", "orders placed by customers (one unit each)"),
    "orders_filled_from_stock": ("orders", "orders filled at once from stock"),
    "orders_backordered": ("orders", "orders that had to wait as backorders"),
    "orders_allocated": ("orders", "orders that received a unit (from stock or backorder)"),
    "orders_cancelled": ("orders", "backorders cancelled after backorder_patience_days"),
    "fulfilment_wait_days_total": ("order-days", "sum of order waits until a unit was allocated"),
    "work_orders_released": ("units", "work orders released by the (s, S) policy"),
    "units_produced": ("units", "units completed on the lines (first pass)"),
    "defects_produced": ("units", "of which defective when made"),
    "units_inspected": ("units", "units inspected (appraisal)"),
    "units_rejected": ("units", "inspected units rejected (true and false rejects)"),
    "defects_detected": ("units", "rejected units that were in fact defective"),
    "rework_started": ("units", "rejected units sent to rework"),
    "units_reworked": ("units", "rework jobs completed"),
    "units_scrapped": ("units", "units scrapped (rejected, or failed rework)"),
    "units_to_stock": ("units", "units that reached finished goods"),
    "drift_events": ("events", "times the process went out of control"),
    "drift_detections": ("events", "out-of-control episodes detected by SPC"),
    "spc_checks": ("checks", "SPC checks performed"),
    "units_shipped": ("units", "units dispatched to customers"),
    "defective_shipped": ("units", "of which defective"),
    "units_delivered": ("units", "units that reached customers"),
    "deliveries_on_time": ("units", "deliveries within promised_lead_time_days of the order"),
    "delivery_lead_time_days_total": ("unit-days", "sum of order-to-delivery times"),
    "units_damaged": ("units", "units damaged in transit"),
    "warranty_claims": ("claims", "warranty claims for defective units received"),
    "damage_claims": ("claims", "claims for units damaged in transit"),
    "customers_acquired": ("customers", "new customers won from the prospect pool"),
    "customers_referred": ("customers", "of which won by word of mouth"),
    "prospects_deterred": ("customers", "prospects lost to the competitor by negative WOM"),
    "returned_to_market": ("customers", "competitor's customers back in the prospect pool"),
    "customers_lost": ("customers", "customers who stopped buying"),
    "customer_months": ("customer-months", "active customers at each month start, summed"),
    "complaints_filed": ("complaints", "complaints filed by dissatisfied customers"),
    "complaints_closed": ("complaints", "complaints closed by the service desk"),
    "complaints_resolved": ("complaints", "closed complaints resolved satisfactorily"),
    "complaints_resolved_fast": ("complaints", "of which within fast_resolution_days"),
    "complaint_days_total": ("complaint-days", "sum of filing-to-closing times"),
    "repurchase_decisions": ("decisions", "repurchase decisions taken by active customers"),
    "repurchases": ("decisions", "of which decisions to keep buying"),
    "out_of_control_days": ("days", "time the process spent out of control"),
    "stock_on_hand": ("units", "finished-goods stock at period end"),
    "backorders_open": ("orders", "backorders waiting at period end"),
    "awaiting_dispatch": ("units", "filled orders not yet shipped at period end"),
    "in_transit": ("units", "units travelling to customers at period end"),
    "work_orders_open": ("units", "work orders queued or on a line at period end"),
    "units_in_rework": ("units", "units queued for or in rework at period end"),
    "active_customers": ("customers", "customers still buying at period end"),
    "satisfied_customers": ("customers", "active customers at or above satisfied_threshold"),
    "dissatisfied_customers": ("customers", "active customers below dissatisfied_threshold"),
    "prospects_remaining": ("customers", "prospects not yet acquired at period end"),
    "competitor_customers": ("customers", "the competitor's customers at period end"),
    "complaints_open": ("complaints", "complaints waiting or being handled at period end"),
    "mean_satisfaction": ("0-1 scale", "mean satisfaction of active customers at period end"),
    "market_share": (
        "share",
        "active_customers / (active_customers + competitor_customers)",
    ),
    "state_of_the_art": ("index", "market state of the art (norms x technology), 1 at t=0"),
    "competitor_quality": ("0-1 scale", "quality expected from the competitor"),
    "switching_cost": ("0-1 scale", "switching cost in force at period end"),
    "average_skill": ("0-1 scale", "mean operator skill at period end"),
    "share_involved": ("share", "operators taking part in improvement"),
    "improvement_factor": ("ratio", "multiplier on process/human defects from suggestions"),
    "feature_level": ("index", "product feature level (initiatives included)"),
    "capacity_loss": ("share", "line capacity lost to disruption and training"),
    "defect_probability": ("probability", "defect chance of a unit made in control now"),
    "initiative_spend": ("currency", "initiative spend (memo: inside prevention/appraisal)"),
    "revenue": ("currency", "unit_price x units shipped"),
    "production_cost": ("currency", "unit_cost of units made and not scrapped"),
    "fixed_cost": ("currency", "overheads"),
    "prevention_cost": ("currency", "CoQ prevention: quality-system upkeep"),
    "appraisal_cost": ("currency", "CoQ appraisal: inspection and SPC checks"),
    "internal_failure_cost": ("currency", "CoQ internal failure: rework, scrap incl. unit cost"),
    "external_failure_cost": ("currency", "CoQ external failure: warranty and damage claims"),
    "coq_total": ("currency", "sum of the four cost-of-quality categories"),
    "total_cost": ("currency", "production + fixed + cost of quality"),
    "profit": ("currency", "revenue - total_cost"),
    "cumulative_profit": ("currency", "profit summed from the start"),
    "discounted_profit": ("currency", "profit discounted to time 0 (end-of-month cash flows)"),
    "defect_rate_produced": ("share", "defects_produced / units_produced"),
    "defects_shipped_ppm": ("ppm", "defective units per million shipped"),
    "on_time_rate": ("share", "deliveries_on_time / units_delivered"),
    "mean_fulfilment_wait_days": ("days", "mean wait of an order until a unit is allocated"),
    "mean_delivery_lead_time_days": ("days", "mean order-to-delivery time"),
    "fill_rate": ("share", "orders filled at once from stock / orders placed"),
    "repurchase_rate": ("share", "repurchases / repurchase_decisions"),
    "out_of_control_share": ("share", "share of time the process was out of control"),
    "coq_share_of_revenue": ("share", "coq_total / revenue"),
    "complaint_rate": ("share", "complaints_filed / units_delivered"),
    "recovery_rate": ("share", "complaints_resolved / complaints_closed"),
    "fast_recovery_rate": ("share", "complaints_resolved_fast / complaints_closed"),
    "mean_complaint_days": ("days", "mean time from complaint to its closing"),
    "churn_rate_monthly": ("1/month", "customers_lost / customer_months"),
    "retention_rate_annual": ("share", "(1 - churn_rate_monthly)^12"),
    "share_satisfied": ("share", "satisfied_customers / active_customers at period end"),
    "share_dissatisfied": ("share", "dissatisfied_customers / active_customers at period end"),
    "clv_estimate": (
        "currency",
        "customer lifetime value m r / (1 + d - r): m = unit_price - (production_cost + "
        "coq_total) / units_produced, r = repurchase_rate, d = discount rate per mean "
        "purchase cycle; margin at the end of each cycle (Gupta & Lehmann 2003)",
    ),
}


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


def _add_ratios(table, config: Config) -> None:
    """Add every ratio KPI to ``table`` (a DataFrame of periods or a dict of run totals)."""
    for name, (numerator, denominator, scale) in RATIOS.items():
        table[name] = _ratio(table[numerator], table[denominator], scale)
    table["retention_rate_annual"] = (1.0 - table["churn_rate_monthly"]) ** 12
    unit_cost = _ratio(table["production_cost"] + table["coq_total"], table["units_produced"], 1.0)
    margin = config.finance.unit_price - unit_cost
    table["clv_estimate"] = clv_estimate(margin, table["repurchase_rate"], config)


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
    for name, (numerator, denominator) in LEVEL_SHARES.items():
        frame[name] = _ratio(frame[numerator], frame[denominator], 1.0)
    integer_columns = [*Tally.names(), *LEVELS]
    integer_columns = [c for c in integer_columns if not c.endswith("_total")]
    frame[integer_columns] = frame[integer_columns].astype("int64")
    return frame[list(COLUMN_DOCS)].reset_index(drop=True)


def summarise(timeseries: pd.DataFrame, config: Config) -> dict[str, float]:
    """Flat dict of KPIs for the whole run (totals, end levels, whole-run ratios)."""
    derived = {*RATIOS, *LEVEL_SHARES, "retention_rate_annual", "clv_estimate"}
    not_flows = {*LEVELS, *FLOAT_LEVELS, *derived, "period", "month_start", "cumulative_profit"}
    flows = [c for c in COLUMN_DOCS if c not in not_flows]
    totals: dict[str, float] = {name: float(v) for name, v in timeseries[flows].sum().items()}
    _add_ratios(totals, config)
    summary = {name: float(value) for name, value in totals.items()}
    summary["npv"] = summary.pop("discounted_profit")
    summary["horizon_days"] = summary.pop("period_days")
    for name in [*LEVEL_SHARES, "mean_satisfaction"]:
        summary[name] = float(timeseries[name].mean())
    last = timeseries.iloc[-1]
    for level in LEVELS + FLOAT_LEVELS:
        summary[f"{level}_end"] = float(last[level])
    summary["initial_customers"] = float(config.market.initial_customers)
    summary["initial_prospects"] = float(config.market.prospects)
    summary["initial_stock"] = float(config.operations.order_up_to_units)
    return summary


SUMMARY_EXTRA_DOCS: dict[str, tuple[str, str]] = {
    "npv": ("currency", "net present value of monthly profit at finance.annual_discount_rate"),
    "horizon_days": ("days", "simulated time span"),
    "initial_customers": ("customers", "active customers at time 0"),
    "initial_prospects": ("customers", "prospect pool at time 0"),
    "initial_stock": ("units", "finished-goods stock at time 0 (order_up_to_units)"),
    **{
        f"{level}_end": (COLUMN_DOCS[level][0], f"{level} at the end")
        for level in LEVELS + FLOAT_LEVELS
    },
}


def kpi_doc(name: str) -> tuple[str, str]:
    """(unit, description) of a summary KPI or time-series column."""
    return SUMMARY_EXTRA_DOCS.get(name) or COLUMN_DOCS[name]
