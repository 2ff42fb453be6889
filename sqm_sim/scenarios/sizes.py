"""Run sizes: the same company at a smaller scale, for experiments that need many runs.

``full`` is the scenario as written. ``quick`` is the company scaled down by
``QUICK_SCALE`` (one fifth): everything that grows with the company shrinks by that
factor, everything that describes how it works (rates, prices per unit, probabilities,
behaviour, times per customer) is kept, so that rates and shares (utilisation, on-time
delivery, retention, satisfaction, cost of quality as a share of sales, profit margin)
stay those of the full company and money and units are about one fifth. The table
:data:`SCALING` says what scales and how:

- counts of people and customers: customers, prospects, the competitor's customers,
  operators and complaint desk agents (at least one of each kind that exists);
- capacities and stocks in units: daily shipping capacity and the (s, S) stock levels
  (days of cover stay the same);
- line capacity: the lines stay (there are few, and a fraction of a line is no line) and
  the cycle time grows by 1 / scale, so each line's utilisation and the replenishment
  lead time in days stay the same;
- money per month or per event that does not come with a unit sold: fixed cost,
  prevention spend and the spend that buys a given reduction, the cost of one SPC check
  (the checks come at the same interval whatever the volume, so an unscaled check would
  cost five times the share of sales), and every initiative's one-off and running cost
  and the portfolio's budget;
- decision rules: a threshold on a KPI that grows with the company (money, units, orders,
  customers, complaints, people: :data:`RULE_SCALED_UNITS`) scales, so that a rule fires
  in the small company when it would in the full one; a ``set`` of a money lever
  (prevention spend) and a line's cost scale as money; shares, rates, days and the hire
  share are kept;
- per-operator quantities when the operator count cannot shrink exactly (rounding, at
  least one): suggestions per operator, the learning curve's reference output and the
  training cost per trainee hour are corrected by the realised ratio, so that the
  company's suggestions per month, output per operator and training cost keep the scale;
  the same for the desk agents' learning reference (complaints per agent).

Kept on purpose: the complaint desk's handling time per complaint (a resolution must take
as long as at full size to count as fast; with one agent instead of 0.4 the small desk
waits less, which matters only when the full desk is congested) and the number of
production lines. The horizon becomes at most 24 months, or 12 months past the
scenario's last dated event (a scheduled technology shock, the month the switching cost
changes, an initiative's start) so that the scenario's story still happens. A quick
baseline run takes about 0.13 s instead of about 2 s. Sensitivity analyses of the default
space use ``quick`` (thousands of runs). The slow test
``tests/scenarios/test_sizes_agree.py`` checks that rates and shares agree with the full
size within confidence intervals and that money and units are about one fifth.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..config import ConfigError

if TYPE_CHECKING:  # the command line reads SIZES without loading the schema
    from ..config import Config

QUICK_SCALE = 0.2
"""Share of the scenario's scale kept by the ``quick`` size."""

QUICK_HORIZON_MONTHS = 24
"""Longest horizon of a ``quick`` run (months), unless a dated event comes later."""

MONTHS_AFTER_LAST_EVENT = 12
"""A ``quick`` run lasts at least this long after the scenario's last dated event."""

SIZES = ("full", "quick")
"""Names of the run sizes."""

COUNT = "count"
"""Rounded to the nearest whole number (may become 0)."""
AT_LEAST_ONE = "at least one"
"""Rounded, but at least 1 when the full value is positive (people, capacities)."""
MONEY = "money"
"""Multiplied by the scale."""
TIME_PER_UNIT = "time per unit"
"""Divided by the scale: fewer units at the same utilisation of the same lines."""
STOCK = "stock level"
"""A level of the (s, S) policy: at least one, see :func:`_stock_levels`."""
PER_HEAD_TOTAL_KEPT = "per operator, total kept"
"""Multiplied by full operators / quick operators: the company's total keeps its value."""
PER_AGENT_TOTAL_SCALED = "per desk agent, total scaled"
"""Multiplied by scale * full agents / quick agents: the desk's agents learn from their
share of the complaints at the full size's pace (people.agent_learning_reference)."""
PER_HEAD_TOTAL_SCALED = "per operator, total scaled"
"""Multiplied by scale * full operators / quick operators (1 when the operators' rounding
is exact): the company's total scales."""

SCALING: dict[str, str] = {
    "market.initial_customers": COUNT,
    "market.prospects": COUNT,
    "environment.competitor_customers": COUNT,
    "workforce.operators": AT_LEAST_ONE,
    "service.desk_staff": AT_LEAST_ONE,
    "distribution.shipping_capacity_per_day": AT_LEAST_ONE,
    "operations.reorder_point_units": STOCK,
    "operations.order_up_to_units": STOCK,
    "operations.cycle_time.mean": TIME_PER_UNIT,
    "finance.fixed_cost_per_month": MONEY,
    "finance.monitoring_cost_per_check": MONEY,
    "quality.prevention_spend_per_month": MONEY,
    "quality.prevention_spend_before_per_month": MONEY,
    "quality.prevention_effect_scale": MONEY,
    "involvement.suggestions_per_month": PER_HEAD_TOTAL_KEPT,
    "workforce.learning_reference_units": PER_HEAD_TOTAL_SCALED,
    "people.agent_learning_reference": PER_AGENT_TOTAL_SCALED,
    "portfolio.budget_per_year": MONEY,
}
"""How each company-size parameter of the config scales (see the module docstring)."""

INITIATIVE_SCALING: dict[str, str] = {
    "one_off_cost": MONEY,
    "recurring_cost_per_month": MONEY,
    "cost_per_trainee_hour": PER_HEAD_TOTAL_SCALED,
}
"""How the fields of every initiative scale, by field name (others are kept)."""

KEPT: dict[str, str] = {
    "operations.production_lines": "lines kept; the cycle time scales instead",
    "workforce.hours_per_month": "hours of one operator",
    "simulation.horizon_months": "set by the size's horizon rule",
    "workforce.wage_per_month": "wage of one operator; a rule hires a share of the "
    "operators, so the hires and their total wage scale",
}
"""Parameters in a size-like unit that ``quick`` keeps, with the reason (documentation,
and the list the completeness test accepts)."""


RULE_SCALED_UNITS = frozenset(
    {
        "currency",
        "orders",
        "order-days",
        "units",
        "unit-days",
        "claims",
        "customers",
        "customer-months",
        "complaints",
        "complaint-days",
        "decisions",
        "people",
    }
)
"""Units of the KPIs whose values grow with the company: a rule's threshold on one of them
scales with the company (the others, shares, rates, days, indices, are kept)."""


def scaled_rules(config: Config, scale: float) -> list[dict[str, Any]]:
    """The portfolio's rules as data with their size-like numbers times ``scale``."""
    from ..config.rules import MONEY_LEVERS, rule_kpis

    units = rule_kpis()
    rules = []
    for rule in config.portfolio.rules or ():
        data = rule.model_dump(mode="json", exclude_none=True)
        if units[rule.kpi] in RULE_SCALED_UNITS:
            data["threshold"] = rule.threshold * scale
        if rule.action == "set" and rule.lever in MONEY_LEVERS:
            data["value"] = float(rule.value) * scale  # type: ignore[arg-type]
        if rule.action == "add_line":
            data["line_cost"] = float(rule.line_cost) * scale  # type: ignore[arg-type]
        rules.append(data)
    return rules


def _operator_ratio(config: Config, scale: float) -> float:
    """Full operators / quick operators over the scale: 1 when the rounding is exact."""
    full = config.workforce.operators
    quick = _at_least_one(full, scale)
    return full * scale / quick if quick > 0 else 1.0


def _at_least_one(value: int, scale: float) -> int:
    return max(1, round(value * scale)) if value > 0 else value


def _agent_ratio(config: Config, scale: float) -> float:
    """Full agents / quick agents times the scale: 1 when the rounding is exact."""
    full = config.service.desk_staff
    quick = _at_least_one(full, scale)
    return full * scale / quick if quick > 0 else 1.0


def _rules(config: Config, scale: float) -> dict[str, Callable[[Any], Any]]:
    ratio = _operator_ratio(config, scale)
    agents = _agent_ratio(config, scale)
    return {
        COUNT: lambda value: round(value * scale),
        AT_LEAST_ONE: lambda value: _at_least_one(value, scale),
        MONEY: lambda value: float(value) * scale,
        TIME_PER_UNIT: lambda value: float(value) / scale,
        PER_HEAD_TOTAL_KEPT: lambda value: float(value) * ratio / scale,
        PER_HEAD_TOTAL_SCALED: lambda value: float(value) * ratio,
        PER_AGENT_TOTAL_SCALED: lambda value: float(value) * agents,
    }


def scale_overrides(config: Config, scale: float) -> dict[str, Any]:
    """The dotted-key overrides that scale the company of ``config`` by ``scale`` (> 0:
    below 1 a smaller company, as the ``quick`` size; above 1 a larger one, as the scaling
    benchmark uses), horizon unchanged; initiatives are addressed by name."""
    if not scale > 0.0:
        raise ConfigError(f"scale = {scale!r}: must be positive")
    from ..config.keys import value_at

    rules = _rules(config, scale)
    overrides: dict[str, Any] = {}
    for key, rule in SCALING.items():
        if rule == STOCK:
            continue  # both levels at once, below
        value = value_at(config, key)
        if value is not None:  # an unset option (no budget limit) stays unset
            overrides[key] = rules[rule](value)
    overrides.update(_stock_levels(config, scale))
    for initiative in config.portfolio.initiatives:
        for field, rule in INITIATIVE_SCALING.items():
            if hasattr(initiative, field):
                key = f"portfolio.{initiative.name}.{field}"
                overrides[key] = rules[rule](getattr(initiative, field))
    if config.portfolio.rules:
        overrides["portfolio.rules"] = scaled_rules(config, scale)
    return overrides


def _stock_levels(config: Config, scale: float) -> dict[str, int]:
    """The (s, S) levels scaled; ``s`` of -1 or 0 (make-to-order flags) is kept and ``S``
    stays above ``s``."""
    ops = config.operations
    reorder = _at_least_one(ops.reorder_point_units, scale)
    order_up_to = max(reorder + 1, _at_least_one(ops.order_up_to_units, scale))
    return {"operations.reorder_point_units": reorder, "operations.order_up_to_units": order_up_to}


def size_overrides(config: Config, size: str) -> dict[str, Any]:
    """The dotted-key overrides that turn ``config`` into its ``size`` version."""
    if size not in SIZES:
        raise ConfigError(f"size = {size!r}: unknown run size (allowed: {', '.join(SIZES)})")
    if size == "full":
        return {}
    overrides = scale_overrides(config, QUICK_SCALE)
    horizon = config.simulation.horizon_months
    quick = max(QUICK_HORIZON_MONTHS, last_event_month(config) + MONTHS_AFTER_LAST_EVENT)
    overrides["simulation.horizon_months"] = min(horizon, quick)
    return overrides


def last_event_month(config: Config) -> int:
    """The latest month of a dated event of ``config`` (0 if there is none)."""
    environment = config.environment
    months = [
        *environment.technology_shock_months,
        environment.switching_cost_change_month,
        *(initiative.start_month for initiative in config.portfolio.initiatives),
    ]
    return max(months, default=0)


def at_size(config: Config, size: str) -> Config:
    """``config`` at run size ``size`` (``full`` returns it unchanged)."""
    overrides = size_overrides(config, size)
    return config.with_overrides(overrides) if overrides else config
