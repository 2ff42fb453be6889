"""The KPI catalogue: every time-series column and whole-run KPI, declared once.

Each :class:`Kpi` says what a number is (unit, description), which way is better
(``"max"``/``"min"``, like EMA Workbench's ``ScalarOutcome(kind=MAXIMIZE)``; always the
firm's view, for external factors too: a stronger competitor or higher market norms are
``"min"``), its kind
(flow over a period, level at a period's end, or ratio), where it comes from (a model
counter, a model level, a ledger account, a formula here, the config) and how it enters the
run's summary. Everything else is derived from :data:`CATALOGUE`: the time-series columns
and their order, the level and ratio lists :mod:`sqm_sim.run.kpis` computes, the summary
keys, the directions experiments rank by, the headline table, the KPIs an experiment
summarises by default and those a sensitivity analysis analyses by default. Adding a KPI is
one entry here (plus, for a new model counter or level, the model code that produces it,
and a formula in ``kpis`` if it is not a plain ratio); ``tests/run/test_catalogue.py``
checks the catalogue against what the model produces.

How a KPI enters the summary (``summary``; the default follows the kind):

- ``"total"`` (flows): the sum over all periods, under the KPI's name;
- ``"ratio"`` (ratios): recomputed from the whole-run totals, not averaged;
- ``"total_of"``: a summary-only KPI, the run total of the column named by ``source``;
- ``"mean"``: the mean over periods, under the KPI's name;
- ``"end"`` (levels): the value in the last period, as ``<name>_end``;
- ``"config"``: a summary-only KPI, the config value at the dotted key ``source``.

The summary lists its keys by aggregate in that order; within one aggregate flows come
first, then ratios, then levels, each in catalogue order.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

Kind = Literal["period", "flow", "level", "ratio"]
Direction = Literal["max", "min"]
Origin = Literal["tally", "model", "ledger", "derived", "config"]
Aggregate = Literal["total", "ratio", "total_of", "mean", "end", "config"]

PERIOD: Kind = "period"
FLOW: Kind = "flow"
LEVEL: Kind = "level"
RATIO: Kind = "ratio"
MAX: Direction = "max"
MIN: Direction = "min"
TALLY: Origin = "tally"
"""A cumulative counter of :class:`sqm_sim.models.tally.Tally`; the period's change."""
MODEL: Origin = "model"
"""A key of ``World.levels()`` (:mod:`sqm_sim.models.world`), sampled at month ends."""
LEDGER: Origin = "ledger"
"""An account of :mod:`sqm_sim.models.ledger`; the money booked in the period."""
DERIVED: Origin = "derived"
"""Computed from other columns in :mod:`sqm_sim.run.kpis`."""
CONFIG: Origin = "config"
"""Read from the config (``source`` is its dotted key)."""

SUMMARY_ORDER: tuple[Aggregate, ...] = ("total", "ratio", "total_of", "mean", "end", "config")
"""The summary's key order by aggregate (summary.json and runs tables keep this order)."""
DEFAULT_SUMMARY: dict[Kind, tuple[Aggregate, ...]] = {
    "period": (),
    "flow": ("total",),
    "level": ("end",),
    "ratio": ("ratio",),
}
"""How a KPI of each kind enters the summary unless its entry says otherwise."""

FINANCE = "Finance"
OPERATIONS = "Operations and quality"
DELIVERY = "Delivery"
CUSTOMERS = "Customers"
HEADLINE_GROUPS = (FINANCE, OPERATIONS, DELIVERY, CUSTOMERS)
"""The groups of the headline table (terminal, report.md, HTML report), in table order."""


@dataclass(frozen=True)
class Kpi:
    """One KPI: a time-series column, a summary-only KPI, or both (see the module doc).

    ``ratio`` is ``(numerator, denominator, scale)``: ``numerator * scale / denominator``,
    NaN where the denominator is not positive. ``headline`` is ``(group, position)`` of the
    KPI's first summary key in the headline table; ``experiment_default`` its position
    among the KPIs an experiment summarises when it names none (1 = first);
    ``sensitivity_default`` the same for a sensitivity analysis."""

    name: str
    unit: str
    description: str
    kind: Kind
    direction: Direction | None
    origin: Origin
    summary: tuple[Aggregate, ...] | None = None
    source: str | None = None
    ratio: tuple[str, str, float] | None = None
    integer: bool = False
    headline: tuple[str, int] | None = None
    experiment_default: int | None = None
    sensitivity_default: int | None = None
    aggregates: tuple[Aggregate, ...] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        chosen = DEFAULT_SUMMARY[self.kind] if self.summary is None else self.summary
        object.__setattr__(self, "aggregates", chosen)

    @property
    def in_timeseries(self) -> bool:
        """Whether the KPI is a column of the time series (not summary-only)."""
        return not {"total_of", "config"} & set(self.aggregates)

    def summary_key(self, aggregate: Aggregate) -> str:
        """The summary key this KPI contributes under ``aggregate``."""
        return f"{self.name}_end" if aggregate == "end" else self.name

    @property
    def summary_keys(self) -> tuple[str, ...]:
        """The summary keys of this KPI, first its main one (the headline's)."""
        return tuple(self.summary_key(aggregate) for aggregate in self.aggregates)


# fmt: off
CATALOGUE: tuple[Kpi, ...] = (
    Kpi("period", "-", "reporting period number, from 1",
        PERIOD, None, DERIVED, integer=True),
    Kpi("month_start", "months", "months elapsed at the start of the period",
        PERIOD, None, DERIVED, integer=True),
    Kpi("period_days", "days", "length of the period",
        FLOW, MAX, DERIVED, summary=()),
    Kpi("orders_placed", "orders", "orders placed by customers (one unit each)",
        FLOW, MAX, TALLY, integer=True, headline=(DELIVERY, 1)),
    Kpi("orders_filled_from_stock", "orders", "orders filled at once from stock",
        FLOW, MAX, TALLY, integer=True),
    Kpi("orders_backordered", "orders", "orders that had to wait as backorders",
        FLOW, MIN, TALLY, integer=True),
    Kpi("orders_allocated", "orders", "orders that received a unit (from stock or backorder)",
        FLOW, MAX, TALLY, integer=True),
    Kpi("orders_cancelled", "orders", "backorders cancelled after backorder_patience_days",
        FLOW, MIN, TALLY, integer=True, headline=(DELIVERY, 5)),
    Kpi("fulfilment_wait_days_total", "order-days", "sum of order waits until a unit was allocated",
        FLOW, MIN, TALLY),
    Kpi("work_orders_released", "units", "work orders released by the (s, S) policy",
        FLOW, MAX, TALLY, integer=True),
    Kpi("units_produced", "units", "units completed on the lines (first pass)",
        FLOW, MAX, TALLY, integer=True, headline=(OPERATIONS, 1)),
    Kpi("defects_produced", "units", "of which defective when made",
        FLOW, MIN, TALLY, integer=True),
    Kpi("units_inspected", "units", "units inspected (appraisal)",
        FLOW, MAX, TALLY, integer=True),
    Kpi("units_rejected", "units", "inspected units rejected (true and false rejects)",
        FLOW, MIN, TALLY, integer=True),
    Kpi("defects_detected", "units", "rejected units that were in fact defective",
        FLOW, MAX, TALLY, integer=True),
    Kpi("rework_started", "units", "rejected units sent to rework",
        FLOW, MIN, TALLY, integer=True),
    Kpi("units_reworked", "units", "rework jobs completed",
        FLOW, MIN, TALLY, integer=True, headline=(OPERATIONS, 3)),
    Kpi("units_scrapped", "units", "units scrapped (rejected, or failed rework)",
        FLOW, MIN, TALLY, integer=True, headline=(OPERATIONS, 4)),
    Kpi("units_to_stock", "units", "units that reached finished goods",
        FLOW, MAX, TALLY, integer=True),
    Kpi("drift_events", "events", "times the process went out of control",
        FLOW, MIN, TALLY, integer=True),
    Kpi("drift_detections", "events", "out-of-control episodes detected by SPC",
        FLOW, MAX, TALLY, integer=True),
    Kpi("spc_checks", "checks", "SPC checks performed",
        FLOW, MAX, TALLY, integer=True),
    Kpi("units_shipped", "units", "units dispatched to customers",
        FLOW, MAX, TALLY, integer=True, headline=(OPERATIONS, 2)),
    Kpi("defective_shipped", "units", "of which defective",
        FLOW, MIN, TALLY, integer=True),
    Kpi("units_delivered", "units", "units that reached customers",
        FLOW, MAX, TALLY, integer=True),
    Kpi("deliveries_on_time", "units", "deliveries within promised_lead_time_days of the order",
        FLOW, MAX, TALLY, integer=True),
    Kpi("delivery_lead_time_days_total", "unit-days", "sum of order-to-delivery times",
        FLOW, MIN, TALLY),
    Kpi("units_damaged", "units", "units damaged in transit",
        FLOW, MIN, TALLY, integer=True),
    Kpi("warranty_claims", "claims", "warranty claims for defective units received",
        FLOW, MIN, TALLY, integer=True),
    Kpi("damage_claims", "claims", "claims for units damaged in transit",
        FLOW, MIN, TALLY, integer=True),
    Kpi("customers_acquired", "customers", "new customers won from the prospect pool",
        FLOW, MAX, TALLY, integer=True, headline=(CUSTOMERS, 9)),
    Kpi("customers_referred", "customers", "of which won by word of mouth",
        FLOW, MAX, TALLY, integer=True, headline=(CUSTOMERS, 10)),
    Kpi("prospects_deterred", "customers", "prospects lost to the competitor by negative WOM",
        FLOW, MIN, TALLY, integer=True),
    Kpi("returned_to_market", "customers", "competitor's customers back in the prospect pool",
        FLOW, MAX, TALLY, integer=True),
    Kpi("customers_lost", "customers", "customers who stopped buying",
        FLOW, MIN, TALLY, integer=True, headline=(CUSTOMERS, 11)),
    Kpi("customers_lost_to_quality", "customers",
        "expected customers lost because of quality: at each repurchase decision, the "
        "chance of staying with the satisfaction of a flawless experience minus the chance "
        "of staying with the customer's own satisfaction, summed",
        FLOW, MIN, TALLY),
    Kpi("orders_lost_to_quality", "orders",
        "expected orders not placed because of quality: at each order, the orders a "
        "flawless experience's share of wallet would have added in the purchase gap, "
        "w(flawless) / w(S) - 1, summed (customers who stay but buy less)",
        FLOW, MIN, TALLY),
    Kpi("customer_months", "customer-months", "active customers at each month start, summed",
        FLOW, MAX, DERIVED, integer=True),
    Kpi("complaints_filed", "complaints", "complaints filed by dissatisfied customers",
        FLOW, MIN, TALLY, integer=True),
    Kpi("complaints_closed", "complaints", "complaints closed by the service desk",
        FLOW, MAX, TALLY, integer=True),
    Kpi("complaints_resolved", "complaints", "closed complaints resolved satisfactorily",
        FLOW, MAX, TALLY, integer=True),
    Kpi("complaints_resolved_fast", "complaints", "of which within fast_resolution_days",
        FLOW, MAX, TALLY, integer=True),
    Kpi("complaint_days_total", "complaint-days", "sum of filing-to-closing times",
        FLOW, MIN, TALLY),
    Kpi("repurchase_decisions", "decisions", "repurchase decisions taken by active customers",
        FLOW, MAX, TALLY, integer=True),
    Kpi("repurchases", "decisions", "of which decisions to keep buying",
        FLOW, MAX, TALLY, integer=True),
    Kpi("staff_departures", "people",
        "operators (and desk agents with people.model on) who left and were replaced",
        FLOW, MIN, TALLY, integer=True),
    Kpi("out_of_control_days", "days", "time the process spent out of control",
        FLOW, MIN, MODEL),
    Kpi("stock_on_hand", "units", "finished-goods stock at period end",
        LEVEL, MAX, MODEL, integer=True),
    Kpi("backorders_open", "orders", "backorders waiting at period end",
        LEVEL, MIN, MODEL, integer=True, headline=(DELIVERY, 6)),
    Kpi("awaiting_dispatch", "units", "filled orders not yet shipped at period end",
        LEVEL, MIN, MODEL, integer=True),
    Kpi("in_transit", "units", "units travelling to customers at period end",
        LEVEL, MAX, MODEL, integer=True),
    Kpi("work_orders_open", "units", "work orders queued or on a line at period end",
        LEVEL, MIN, MODEL, integer=True),
    Kpi("units_in_rework", "units", "units queued for or in rework at period end",
        LEVEL, MIN, MODEL, integer=True),
    Kpi("active_customers", "customers", "customers still buying at period end",
        LEVEL, MAX, MODEL, integer=True, headline=(CUSTOMERS, 8), experiment_default=9),
    Kpi("satisfied_customers", "customers", "active customers at or above satisfied_threshold",
        LEVEL, MAX, MODEL, integer=True),
    Kpi("dissatisfied_customers", "customers", "active customers below dissatisfied_threshold",
        LEVEL, MIN, MODEL, integer=True),
    Kpi("prospects_remaining", "customers", "prospects not yet acquired at period end",
        LEVEL, MAX, MODEL, integer=True),
    Kpi("competitor_customers", "customers", "the competitor's customers at period end",
        LEVEL, MIN, MODEL, integer=True),
    Kpi("complaints_open", "complaints", "complaints waiting or being handled at period end",
        LEVEL, MIN, MODEL, integer=True),
    Kpi("mean_satisfaction", "0-1 scale", "mean satisfaction of active customers at period end",
        LEVEL, MAX, MODEL, summary=("mean", "end"), headline=(CUSTOMERS, 1), experiment_default=7,
        sensitivity_default=3),
    Kpi("market_share", "share", "active_customers / (active_customers + competitor_customers)",
        LEVEL, MAX, MODEL, headline=(CUSTOMERS, 12)),
    Kpi("state_of_the_art", "index",
        "market state of the art (norms x technology), environment.initial_state_of_the_art "
        "(1 by default) at t=0",
        LEVEL, MIN, MODEL),
    Kpi("competitor_quality", "0-1 scale", "quality expected from the competitor",
        LEVEL, MIN, MODEL),
    Kpi("switching_cost", "0-1 scale", "switching cost in force at period end",
        LEVEL, MAX, MODEL),
    Kpi("average_skill", "0-1 scale", "mean operator skill at period end",
        LEVEL, MAX, MODEL),
    Kpi("share_involved", "share", "operators taking part in improvement",
        LEVEL, MAX, MODEL),
    Kpi("improvement_factor", "ratio", "multiplier on process/human defects from suggestions",
        LEVEL, MIN, MODEL),
    Kpi("capability", "0-1 scale",
        "process capability built by operators' improvement time (0 with the time split off)",
        LEVEL, MAX, MODEL),
    Kpi("improvement_time_share", "share",
        "share of operator hours spent on improvement work in the period's last month",
        LEVEL, MAX, MODEL),
    Kpi("schedule_pressure", "share",
        "schedule pressure at the last month's start: backorders against last month's orders",
        LEVEL, MIN, MODEL),
    Kpi("operators", "people", "operators on the payroll at period end (hires included)",
        LEVEL, MAX, MODEL, integer=True),
    Kpi("feature_level", "index", "product feature level (initiatives included)",
        LEVEL, MAX, MODEL),
    Kpi("capacity_loss", "share", "line capacity lost to disruption and training",
        LEVEL, MIN, MODEL),
    Kpi("defect_probability", "probability", "defect chance of a unit made in control now",
        LEVEL, MIN, MODEL),
    Kpi("employee_satisfaction", "0-1 scale",
        "employee satisfaction J of operators and desk agents at period end (with "
        "people.model off: people.reference_satisfaction, constant)",
        LEVEL, MAX, MODEL, summary=("mean", "end")),
    Kpi("desk_skill", "0-1 scale",
        "mean skill of the complaint desk's agents at period end (with people.model off: "
        "people.agent_skill, constant)",
        LEVEL, MAX, MODEL),
    Kpi("recovery_quality", "probability",
        "chance that a complaint handled now is resolved (the lever, moved by agents' skill "
        "and staff satisfaction with people.model on)",
        LEVEL, MAX, MODEL),
    Kpi("production_lines", "lines", "production lines running at period end",
        LEVEL, MAX, MODEL, integer=True),
    Kpi("initiative_spend", "currency",
        "initiative spend (memo: inside prevention, appraisal and technology_cost)",
        FLOW, MIN, LEDGER),
    Kpi("revenue", "currency", "unit_price x units shipped",
        FLOW, MAX, LEDGER, headline=(FINANCE, 1)),
    Kpi("production_cost", "currency", "unit_cost of units made and not scrapped",
        FLOW, MIN, LEDGER),
    Kpi("fixed_cost", "currency", "overheads",
        FLOW, MIN, LEDGER),
    Kpi("technology_cost", "currency",
        "technology investments (feature upgrades): not a cost of quality",
        FLOW, MIN, LEDGER),
    Kpi("capacity_cost", "currency",
        "capacity investments: production lines added by decision rules (not a cost of "
        "quality)",
        FLOW, MIN, LEDGER),
    Kpi("prevention_cost", "currency", "CoQ prevention: quality-system upkeep",
        FLOW, MIN, LEDGER, headline=(FINANCE, 6)),
    Kpi("appraisal_cost", "currency", "CoQ appraisal: inspection and SPC checks",
        FLOW, MIN, LEDGER, headline=(FINANCE, 7)),
    Kpi("internal_failure_cost", "currency", "CoQ internal failure: rework, scrap incl. unit cost",
        FLOW, MIN, LEDGER, headline=(FINANCE, 8)),
    Kpi("external_failure_cost", "currency", "CoQ external failure: warranty and damage claims",
        FLOW, MIN, LEDGER, headline=(FINANCE, 9)),
    Kpi("coq_total", "currency", "sum of the four cost-of-quality categories",
        FLOW, MIN, DERIVED, headline=(FINANCE, 4), experiment_default=3),
    Kpi("total_cost", "currency",
        "production + fixed + technology + capacity + cost of quality",
        FLOW, MIN, DERIVED),
    Kpi("profit", "currency", "revenue - total_cost",
        FLOW, MAX, DERIVED, headline=(FINANCE, 2), experiment_default=2),
    Kpi("cumulative_profit", "currency", "profit summed from the start",
        LEVEL, MAX, DERIVED, summary=()),
    Kpi("discounted_profit", "currency", "profit discounted to time 0 (end-of-month cash flows)",
        FLOW, MAX, DERIVED, summary=()),
    Kpi("discounted_profit_with_equity", "currency",
        "discounted_profit, plus in the last period the customer equity at the horizon "
        "discounted to time 0",
        FLOW, MAX, DERIVED, summary=()),
    Kpi("defect_rate_produced", "share", "defects_produced / units_produced",
        RATIO, MIN, DERIVED, ratio=("defects_produced", "units_produced", 1.0),
        headline=(OPERATIONS, 5)),
    Kpi("defects_shipped_ppm", "ppm", "defective units per million shipped",
        RATIO, MIN, DERIVED, ratio=("defective_shipped", "units_shipped", 1e6),
        headline=(OPERATIONS, 6), experiment_default=5),
    Kpi("on_time_rate", "share", "deliveries_on_time / units_delivered",
        RATIO, MAX, DERIVED, ratio=("deliveries_on_time", "units_delivered", 1.0),
        headline=(DELIVERY, 3), experiment_default=6),
    Kpi("mean_fulfilment_wait_days", "days", "mean wait of an order until a unit is allocated",
        RATIO, MIN, DERIVED, ratio=("fulfilment_wait_days_total", "orders_allocated", 1.0)),
    Kpi("mean_delivery_lead_time_days", "days", "mean order-to-delivery time",
        RATIO, MIN, DERIVED, ratio=("delivery_lead_time_days_total", "units_delivered", 1.0),
        headline=(DELIVERY, 4)),
    Kpi("fill_rate", "share", "orders filled at once from stock / orders placed",
        RATIO, MAX, DERIVED, ratio=("orders_filled_from_stock", "orders_placed", 1.0),
        headline=(DELIVERY, 2)),
    Kpi("repurchase_rate", "share", "repurchases / repurchase_decisions",
        RATIO, MAX, DERIVED, ratio=("repurchases", "repurchase_decisions", 1.0),
        headline=(CUSTOMERS, 6)),
    Kpi("out_of_control_share", "share", "share of time the process was out of control",
        RATIO, MIN, DERIVED, ratio=("out_of_control_days", "period_days", 1.0),
        headline=(OPERATIONS, 7)),
    Kpi("coq_share_of_revenue", "share", "coq_total / revenue",
        RATIO, MIN, DERIVED, ratio=("coq_total", "revenue", 1.0), headline=(FINANCE, 5),
        experiment_default=4),
    Kpi("profit_margin", "share of revenue", "profit / revenue (negative in a loss)",
        RATIO, MAX, DERIVED, ratio=("profit", "revenue", 1.0)),
    Kpi("complaint_rate", "share", "complaints_filed / units_delivered",
        RATIO, MIN, DERIVED, ratio=("complaints_filed", "units_delivered", 1.0),
        headline=(CUSTOMERS, 4)),
    Kpi("recovery_rate", "share", "complaints_resolved / complaints_closed",
        RATIO, MAX, DERIVED, ratio=("complaints_resolved", "complaints_closed", 1.0),
        headline=(CUSTOMERS, 5)),
    Kpi("fast_recovery_rate", "share", "complaints_resolved_fast / complaints_closed",
        RATIO, MAX, DERIVED, ratio=("complaints_resolved_fast", "complaints_closed", 1.0)),
    Kpi("mean_complaint_days", "days", "mean time from complaint to its closing",
        RATIO, MIN, DERIVED, ratio=("complaint_days_total", "complaints_closed", 1.0)),
    Kpi("churn_rate_monthly", "1/month", "customers_lost / customer_months",
        RATIO, MIN, DERIVED, ratio=("customers_lost", "customer_months", 1.0)),
    Kpi("retention_rate_annual", "share", "(1 - churn_rate_monthly)^12",
        RATIO, MAX, DERIVED, headline=(CUSTOMERS, 7), experiment_default=8,
        sensitivity_default=2),
    Kpi("share_satisfied", "share", "satisfied_customers / active_customers at period end",
        RATIO, MAX, DERIVED, summary=("mean",),
        ratio=("satisfied_customers", "active_customers", 1.0), headline=(CUSTOMERS, 2)),
    Kpi("share_dissatisfied", "share", "dissatisfied_customers / active_customers at period end",
        RATIO, MIN, DERIVED, summary=("mean",),
        ratio=("dissatisfied_customers", "active_customers", 1.0), headline=(CUSTOMERS, 3)),
    Kpi("clv_estimate", "currency",
        "customer lifetime value m r / (1 + d - r): m = unit_price - (production_cost + "
        "coq_total) / units_produced, r = repurchase_rate, d = discount rate per mean "
        "purchase cycle; margin at the end of each cycle (Gupta & Lehmann 2003)",
        RATIO, MAX, DERIVED, headline=(CUSTOMERS, 13)),
    Kpi("lost_sales_cost", "currency",
        "hidden cost of lost sales: customers_lost_to_quality * clv_estimate + "
        "orders_lost_to_quality * margin per order (the margin the customers lost and the "
        "orders not placed because of quality would have brought); a memo, not in profit",
        RATIO, MIN, DERIVED, headline=(FINANCE, 11)),
    Kpi("coq_with_lost_sales_share", "share",
        "(coq_total + lost_sales_cost) / revenue: cost of quality with its hidden part, "
        "comparable with Juran's 15-25 % of sales",
        RATIO, MIN, DERIVED, headline=(FINANCE, 12)),
    Kpi("customer_equity", "currency",
        "expected discounted margin of the customers active at the period end: "
        "active_customers * clv_estimate, the CLV taken over the 12 months to the period end "
        "(0 with no customers; Blattberg & Deighton 1996)",
        LEVEL, MAX, DERIVED, headline=(CUSTOMERS, 15)),
    Kpi("npv", "currency", "net present value of monthly profit at finance.annual_discount_rate",
        FLOW, MAX, DERIVED, summary=("total_of",), source="discounted_profit",
        headline=(FINANCE, 3), experiment_default=1, sensitivity_default=1),
    Kpi("npv_with_customer_equity", "currency",
        "npv plus the customer equity at the horizon discounted to time 0: values the "
        "customers a strategy leaves behind, which the plain npv counts for nothing",
        FLOW, MAX, DERIVED, summary=("total_of",), source="discounted_profit_with_equity",
        headline=(FINANCE, 10)),
    Kpi("horizon_days", "days", "simulated time span",
        FLOW, MAX, DERIVED, summary=("total_of",), source="period_days"),
    Kpi("initial_customers", "customers", "active customers at time 0",
        LEVEL, MAX, CONFIG, summary=("config",), source="market.initial_customers"),
    Kpi("initial_prospects", "customers", "prospect pool at time 0",
        LEVEL, MAX, CONFIG, summary=("config",), source="market.prospects"),
    Kpi("initial_stock", "units", "finished-goods stock at time 0 (order_up_to_units)",
        LEVEL, MAX, CONFIG, summary=("config",), source="operations.order_up_to_units"),
)
# fmt: on
"""Every KPI; the time-series columns in column order, then the summary-only KPIs."""


def check_catalogue(catalogue: tuple[Kpi, ...]) -> None:
    """Refuse an inconsistent catalogue with a :class:`ValueError` naming the entry; run
    once at import, so a wrong entry fails every command at once."""
    names = [kpi.name for kpi in catalogue]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise ValueError(f"KPI catalogue: duplicate names {duplicates}")
    for kpi in catalogue:
        needs_source = bool({"total_of", "config"} & set(kpi.aggregates))
        if needs_source != (kpi.source is not None):
            raise ValueError(
                f"KPI catalogue: {kpi.name}: a source is needed by, and only by, the "
                "total_of and config aggregates"
            )
        if kpi.ratio and not {kpi.ratio[0], kpi.ratio[1]} <= set(names):
            raise ValueError(f"KPI catalogue: {kpi.name}: ratio {kpi.ratio} names an unknown KPI")
        if kpi.headline and kpi.headline[0] not in HEADLINE_GROUPS:
            raise ValueError(
                f"KPI catalogue: {kpi.name}: headline group {kpi.headline[0]!r} is not one of "
                f"{HEADLINE_GROUPS}"
            )


check_catalogue(CATALOGUE)

COLUMNS: tuple[Kpi, ...] = tuple(kpi for kpi in CATALOGUE if kpi.in_timeseries)
"""The time-series columns, in column order."""
BY_NAME: dict[str, Kpi] = {kpi.name: kpi for kpi in CATALOGUE}

KIND_ORDER: tuple[Kind, ...] = ("period", "flow", "ratio", "level")
"""Within one aggregate of the summary: flows, then ratios, then levels."""


def _summary() -> tuple[tuple[str, Aggregate, Kpi], ...]:
    entries = [
        (SUMMARY_ORDER.index(aggregate), KIND_ORDER.index(kpi.kind), position, aggregate, kpi)
        for position, kpi in enumerate(CATALOGUE)
        for aggregate in kpi.aggregates
    ]
    entries.sort(key=lambda entry: entry[:3])
    return tuple((kpi.summary_key(aggregate), aggregate, kpi) for *_, aggregate, kpi in entries)


SUMMARY: tuple[tuple[str, Aggregate, Kpi], ...] = _summary()
"""``(key, aggregate, kpi)`` for every key of a run's summary, in summary order."""
SUMMARY_KPIS: dict[str, Kpi] = {key: kpi for key, _, kpi in SUMMARY}
"""Every key of a run's summary, in summary order, with the KPI it comes from."""


def summary_docs() -> dict[str, tuple[str, str]]:
    """(unit, description) of every summary key; an ``_end`` key says "... at the end"."""
    return {
        key: (kpi.unit, f"{kpi.name} at the end" if key != kpi.name else kpi.description)
        for key, kpi in SUMMARY_KPIS.items()
    }


def direction(name: str) -> Direction:
    """``"max"`` if more of the summary KPI ``name`` is better, ``"min"`` if less is."""
    found = SUMMARY_KPIS[name].direction
    if found is None:  # only period columns have none, and they are not summary KPIs
        raise ValueError(f"KPI catalogue: {name} declares no direction")
    return found


def headline_kpis() -> dict[str, list[str]]:
    """Summary keys of the headline table by group, in table order."""
    placed = sorted(
        (HEADLINE_GROUPS.index(kpi.headline[0]), kpi.headline[1], kpi.summary_keys[0])
        for kpi in CATALOGUE
        if kpi.headline is not None
    )
    table: dict[str, list[str]] = {group: [] for group in HEADLINE_GROUPS}
    for group_index, _, key in placed:
        table[HEADLINE_GROUPS[group_index]].append(key)
    return table


def _defaults(position: Callable[[Kpi], int | None]) -> tuple[str, ...]:
    """Main summary keys of the KPIs that ``position`` places, in its order."""
    placed = sorted(
        (place, kpi.summary_keys[0]) for kpi in CATALOGUE if (place := position(kpi)) is not None
    )
    return tuple(key for _, key in placed)


def experiment_defaults() -> tuple[str, ...]:
    """Summary keys an experiment summarises when it names no KPIs, main KPI first."""
    return _defaults(lambda kpi: kpi.experiment_default)


def sensitivity_defaults() -> tuple[str, ...]:
    """Summary keys a sensitivity analysis analyses when it names no KPIs: profit, loyalty
    and satisfaction."""
    return _defaults(lambda kpi: kpi.sensitivity_default)


UNIT_WORDS: dict[str, str] = {"currency": "currency units", "share": "%", "-": ""}
"""Units written differently from their catalogue name when read (an axis, a sentence)."""


def unit_words(unit: str) -> str:
    """A catalogue unit as a reader sees it: ``currency`` -> "currency units", ``share``
    -> "%", none (``-``) -> ""; any other unit as it is."""
    return UNIT_WORDS.get(unit, unit)
