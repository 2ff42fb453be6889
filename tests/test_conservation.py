"""Conservation laws that every run must satisfy, whatever the parameters.

Units, orders, work orders, customers, prospects, the competitor's customers and
complaints are neither created nor lost except by the documented flows, the money columns
add up, and the customers table agrees with the counters. The laws are checked on the
whole-run summary and at the end of every reporting period of the time series.

People move between three pools: our customers, the prospect pool and the competitor.
Acquisition moves prospects to us, losses move our customers to the competitor, negative
word of mouth moves prospects to the competitor, and competitor churn moves its customers
back to the prospects.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st

from sqm_sim import Config, ConfigError, RunResult, load_scenario, shipped_scenarios, simulate
from sqm_sim.config.rules import rule_kpis
from sqm_sim.models.units import DAYS_PER_MONTH
from sqm_sim.portfolios import shipped_portfolios, with_portfolio
from sqm_sim.run.kpis import (
    COLUMN_DOCS,
    FLOAT_LEVELS,
    LEVEL_SHARES,
    LEVELS,
    RATIOS,
    monthly_discount_factors,
)
from sqm_sim.scenarios.sizes import at_size
from tests.support import NO_ACQUISITION, fixed_loyalty, simulate_cached

MONEY = [
    "revenue",
    "production_cost",
    "fixed_cost",
    "technology_cost",
    "capacity_cost",
    "prevention_cost",
    "appraisal_cost",
    "internal_failure_cost",
    "external_failure_cost",
    "coq_total",
    "total_cost",
    "profit",
    "discounted_profit",
    "discounted_profit_with_equity",
]
NOT_SUMMED = {
    "period",
    "month_start",
    "cumulative_profit",
    *LEVELS,
    *FLOAT_LEVELS,
    *RATIOS,
    *LEVEL_SHARES,
    "retention_rate_annual",
    "clv_estimate",
    "lost_sales_cost",
    "coq_with_lost_sales_share",
    "customer_equity",
}
FLOWS = [c for c in COLUMN_DOCS if c not in NOT_SUMMED]
RENAMED = {
    "discounted_profit": "npv",
    "discounted_profit_with_equity": "npv_with_customer_equity",
    "period_days": "horizon_days",
}


def assert_rule_actions_add_up(result: RunResult) -> None:
    """Lines, line costs and people: every line in place is a configured one or one a
    rule paid for (and whose lead time has passed); the capacity account holds exactly the
    lines' costs; states of people stay on their 0-1 scales."""
    s, config, decisions = result.summary, result.config, result.decisions
    rules = {rule.name: rule for rule in config.portfolio.rules or ()}
    lines = decisions[decisions["action"] == "add_line"]
    paid = float(lines["amount"].sum())
    assert s["capacity_cost"] == pytest.approx(paid, abs=_money_tolerance(paid)), "line costs"
    horizon = config.simulation.horizon_months
    running = sum(
        1 for row in lines.itertuples() if row.month + rules[row.rule].lead_time_months < horizon
    )
    assert s["production_lines_end"] == config.operations.production_lines + running, "lines"
    ts = result.timeseries
    for level in ("employee_satisfaction", "desk_skill", "recovery_quality"):
        assert ((ts[level] >= 0.0) & (ts[level] <= 1.0)).all(), level
    if config.workforce.turnover_rate_per_year == 0.0:
        assert s["staff_departures"] == 0


def _money_tolerance(*values: float) -> float:
    """Absolute tolerance for sums of many floating-point bookings."""
    return 1e-9 * max(1.0, *(abs(v) for v in values))


def assert_conserved(result: RunResult) -> None:
    """Every conservation law, on the summary and on each period of the time series."""
    s, ts, config = result.summary, result.timeseries, result.config

    # -- whole run ----------------------------------------------------------------------
    assert s["initial_stock"] + s["units_produced"] == (
        s["units_shipped"]
        + s["units_scrapped"]
        + s["stock_on_hand_end"]
        + s["awaiting_dispatch_end"]
        + s["units_in_rework_end"]
    ), "units"
    assert s["units_shipped"] == s["units_delivered"] + s["in_transit_end"], "shipments"
    assert s["orders_placed"] == (
        s["orders_allocated"] + s["orders_cancelled"] + s["backorders_open_end"]
    ), "orders"
    assert s["orders_placed"] == s["orders_filled_from_stock"] + s["orders_backordered"]
    assert s["orders_allocated"] == s["units_shipped"] + s["awaiting_dispatch_end"], "dispatch"
    assert s["work_orders_released"] == s["units_produced"] + s["work_orders_open_end"]
    assert s["units_produced"] == (
        s["units_to_stock"] + s["units_scrapped"] + s["units_in_rework_end"]
    ), "routing"
    assert s["initial_customers"] + s["customers_acquired"] == (
        s["active_customers_end"] + s["customers_lost"]
    ), "customers"
    assert s["initial_prospects"] + s["returned_to_market"] == (
        s["prospects_remaining_end"] + s["customers_acquired"] + s["prospects_deterred"]
    ), "prospects"
    assert (
        config.environment.competitor_customers
        + s["customers_lost"]
        + s["prospects_deterred"]
        - s["returned_to_market"]
        == s["competitor_customers_end"]
    ), "competitor"
    assert s["customers_lost"] == s["repurchase_decisions"] - s["repurchases"]
    assert s["complaints_filed"] == s["complaints_closed"] + s["complaints_open_end"], "complaints"
    if config.service.desk_staff == 0:
        assert s["complaints_open_end"] == 0
        assert s["complaints_resolved"] == 0
    if config.environment.competitor_churn_per_year == 0:
        assert s["returned_to_market"] == 0
    # Every experience of an active customer (a delivery or a cancelled order) ends in a
    # complaint or in a repurchase decision; a closed complaint leads to at most one
    # decision (none if the customer has left meanwhile).
    experiences = s["units_delivered"] + s["orders_cancelled"]
    assert s["repurchase_decisions"] + s["complaints_filed"] <= (
        experiences + s["complaints_closed"]
    ), "decisions"

    # sub-counts never exceed their totals
    assert 0 <= s["defects_produced"] <= s["units_produced"]
    assert 0 <= s["units_inspected"] <= s["units_produced"]
    assert 0 <= s["defects_detected"] <= s["units_rejected"] <= s["units_inspected"]
    assert s["rework_started"] <= s["units_rejected"]
    assert 0 <= s["defective_shipped"] <= s["units_shipped"]
    assert 0 <= s["deliveries_on_time"] <= s["units_delivered"]
    assert 0 <= s["units_damaged"] <= s["units_delivered"]
    assert s["drift_detections"] <= s["drift_events"]
    assert 0 <= s["customers_referred"] <= s["customers_acquired"]
    assert 0 <= s["complaints_resolved_fast"] <= s["complaints_resolved"] <= s["complaints_closed"]
    assert 0 <= s["repurchases"] <= s["repurchase_decisions"]

    # -- money --------------------------------------------------------------------------
    coq = (
        s["prevention_cost"]
        + s["appraisal_cost"]
        + s["internal_failure_cost"]
        + s["external_failure_cost"]
    )
    assert s["coq_total"] == pytest.approx(coq, abs=_money_tolerance(coq))
    cost = (
        s["production_cost"]
        + s["fixed_cost"]
        + s["technology_cost"]
        + s["capacity_cost"]
        + s["coq_total"]
    )
    assert s["total_cost"] == pytest.approx(cost, abs=_money_tolerance(cost))
    assert_rule_actions_add_up(result)
    handled = s["complaints_closed"] if config.service.desk_staff > 0 else 0.0
    finance = config.finance
    external = (
        s["warranty_claims"] * finance.warranty_cost_per_claim
        + s["damage_claims"] * finance.damage_claim_cost
        + handled * finance.complaint_handling_cost
    )
    assert s["external_failure_cost"] == pytest.approx(external, abs=_money_tolerance(external)), (
        "external failure"
    )
    profit = s["revenue"] - cost
    assert s["profit"] == pytest.approx(profit, abs=_money_tolerance(s["revenue"], cost))
    assert ts["cumulative_profit"].iloc[-1] == pytest.approx(
        s["profit"], abs=_money_tolerance(s["revenue"], cost)
    )
    # customer equity: the active customers' CLV at the horizon, discounted, on top of npv
    assert s["customer_equity_end"] == pytest.approx(ts["customer_equity"].iloc[-1], nan_ok=True)
    if s["active_customers_end"] == 0:
        assert s["customer_equity_end"] == 0.0
    horizon_factor = monthly_discount_factors(config)[-1]
    assert s["npv_with_customer_equity"] == pytest.approx(
        s["npv"] + horizon_factor * s["customer_equity_end"],
        abs=_money_tolerance(s["revenue"], cost, s["customer_equity_end"]),
        nan_ok=True,
    )
    # the hidden cost of lost sales: expected customers lost to quality times the CLV, plus
    # the orders not placed because of a lower share of wallet times an order's margin
    assert 0.0 <= s["customers_lost_to_quality"] <= s["repurchase_decisions"]
    assert s["orders_lost_to_quality"] >= 0.0
    margin = config.finance.unit_price - (s["production_cost"] + s["coq_total"]) / max(
        s["units_produced"], 1
    )
    hidden = s["customers_lost_to_quality"] * s["clv_estimate"] + (
        s["orders_lost_to_quality"] * margin if s["units_produced"] else 0.0
    )
    assert s["lost_sales_cost"] == pytest.approx(hidden, rel=1e-9, abs=1e-6, nan_ok=True)

    # -- time series: totals, shape, levels ------------------------------------------------
    months = config.simulation.horizon_months
    period = config.simulation.report_period_months
    assert len(ts) == math.ceil(months / period)
    assert ts["period"].tolist() == list(range(1, len(ts) + 1))
    assert ts["month_start"].tolist() == list(range(0, months, period))
    for column in FLOWS:
        total = ts[column].sum(skipna=False)  # unknown in one period: unknown in all
        key = RENAMED.get(column, column)
        if math.isnan(total):
            assert column == "discounted_profit_with_equity", column  # CLV undefined
            assert math.isnan(s[key])
        elif column in MONEY:
            assert s[key] == pytest.approx(total, abs=_money_tolerance(total)), column
        else:
            assert s[key] == pytest.approx(total, rel=1e-12, abs=1e-9), column
    assert s["horizon_days"] == pytest.approx(months * DAYS_PER_MONTH, rel=1e-12)
    for level in LEVELS:
        assert (ts[level] >= 0).all(), level
        assert s[f"{level}_end"] == ts[level].iloc[-1]
    for level in FLOAT_LEVELS:
        last = ts[level].iloc[-1]
        assert s[f"{level}_end"] == last or (math.isnan(last) and math.isnan(s[f"{level}_end"]))
    for column in ("units_produced", "orders_placed", "units_shipped", "spc_checks"):
        assert (ts[column] >= 0).all(), column

    # the laws hold at the end of every period, not only at the horizon
    cum = ts[FLOWS].cumsum()
    assert (
        s["initial_stock"] + cum["units_produced"]
        == cum["units_shipped"]
        + cum["units_scrapped"]
        + ts["stock_on_hand"]
        + ts["awaiting_dispatch"]
        + ts["units_in_rework"]
    ).all()
    assert (cum["units_shipped"] == cum["units_delivered"] + ts["in_transit"]).all()
    assert (
        cum["orders_placed"]
        == cum["orders_allocated"] + cum["orders_cancelled"] + ts["backorders_open"]
    ).all()
    assert (cum["orders_allocated"] == cum["units_shipped"] + ts["awaiting_dispatch"]).all()
    assert (cum["work_orders_released"] == cum["units_produced"] + ts["work_orders_open"]).all()
    assert (
        s["initial_customers"] + cum["customers_acquired"]
        == ts["active_customers"] + cum["customers_lost"]
    ).all()
    assert (
        s["initial_prospects"] + cum["returned_to_market"]
        == ts["prospects_remaining"] + cum["customers_acquired"] + cum["prospects_deterred"]
    ).all()
    if config.environment.competitor_churn_per_year == 0:
        assert ts["prospects_remaining"].is_monotonic_decreasing
    assert (
        config.environment.competitor_customers
        + cum["customers_lost"]
        + cum["prospects_deterred"]
        - cum["returned_to_market"]
        == ts["competitor_customers"]
    ).all()
    assert (cum["complaints_filed"] == cum["complaints_closed"] + ts["complaints_open"]).all()
    assert (ts["complaints_resolved_fast"] <= ts["complaints_resolved"]).all()
    assert (ts["complaints_resolved"] <= ts["complaints_closed"]).all()

    # satisfaction: moods partition the active customers, levels on their scales
    moods = ts["satisfied_customers"] + ts["dissatisfied_customers"]
    assert (moods <= ts["active_customers"]).all()
    assert not (ts["share_satisfied"] + ts["share_dissatisfied"] > 1.0).any()
    # the summary shares are means over periods: sum them with a rounding margin
    both = s["share_satisfied"] + s["share_dissatisfied"]
    assert both <= 1.0 + 1e-12 or math.isnan(s["share_satisfied"])
    satisfaction = ts["mean_satisfaction"]
    assert (satisfaction.isna() == (ts["active_customers"] == 0)).all()
    # Mean satisfaction is a running sum over active customers divided by their number.
    # The sum is updated at every join, experience, recovery and loss; each update rounds
    # with error at most 2 eps (sum + 1), and the sum never exceeds the customers ever
    # active. So the mean lies in [0, 1] up to that accumulated rounding.
    people = s["initial_customers"] + cum["customers_acquired"]
    updates = (
        people
        + cum["units_delivered"]
        + cum["orders_cancelled"]
        + cum["complaints_closed"]
        + cum["customers_lost"]
    )
    rounding = 2.0 * np.finfo(float).eps * updates * (people + 1) / ts["active_customers"]
    active = ts["active_customers"] > 0
    assert (satisfaction[active] >= -rounding[active]).all()
    assert (satisfaction[active] <= 1.0 + rounding[active]).all()
    share = ts["market_share"]
    assert ((share >= 0.0) & (share <= 1.0)).all()

    # money per period

    coq_rows = ts[
        ["prevention_cost", "appraisal_cost", "internal_failure_cost", "external_failure_cost"]
    ].sum(axis=1)
    np.testing.assert_allclose(ts["coq_total"], coq_rows, rtol=1e-12, atol=1e-6)
    cost_rows = (
        ts["production_cost"]
        + ts["fixed_cost"]
        + ts["technology_cost"]
        + ts["capacity_cost"]
        + ts["coq_total"]
    )
    np.testing.assert_allclose(ts["total_cost"], cost_rows, rtol=1e-12, atol=1e-6)
    np.testing.assert_allclose(ts["profit"], ts["revenue"] - cost_rows, rtol=1e-9, atol=1e-6)
    np.testing.assert_allclose(ts["cumulative_profit"], ts["profit"].cumsum(), rtol=1e-9, atol=1e-6)
    assert (ts["production_cost"].cumsum() >= -1e-6).all()
    handled_rows = ts["complaints_closed"] if config.service.desk_staff > 0 else 0.0
    external_rows = (
        ts["warranty_claims"] * finance.warranty_cost_per_claim
        + ts["damage_claims"] * finance.damage_claim_cost
        + handled_rows * finance.complaint_handling_cost
    )
    np.testing.assert_allclose(ts["external_failure_cost"], external_rows, rtol=1e-12, atol=1e-6)

    assert_customers_table_agrees(result)
    assert_workforce_conserved(result)


def assert_workforce_conserved(result: RunResult) -> None:
    """Operators are the configured ones plus those hired by rules (turnover replaces
    leavers one for one); the stocks and shares of the time split stay on their scales."""
    ts, config = result.timeseries, result.config
    staff = config.workforce
    hires = [r for r in config.portfolio.rules or () if r.action == "hire"]
    if hires:
        assert (ts["operators"] >= staff.operators).all()
        assert ts["operators"].is_monotonic_increasing
        most = sum(max(1, round(r.hire_share * staff.operators)) * r.max_firings for r in hires)
        assert ts["operators"].iloc[-1] <= staff.operators + most
    else:
        assert (ts["operators"] == staff.operators).all()
    assert ts["capability"].between(0.0, 1.0).all()
    assert ts["schedule_pressure"].between(0.0, 1.0).all()
    assert ts["average_skill"].between(0.0, 1.0).all()
    largest_share = max(
        [staff.improvement_time_share]
        + [
            r.value
            for r in config.portfolio.rules or ()
            if r.action == "set" and r.lever == "workforce.improvement_time_share"
        ]
    )
    assert ts["improvement_time_share"].between(0.0, largest_share + 1e-12).all()
    assert ts["improvement_factor"].between(config.involvement.improvement_floor - 1e-12, 1.0).all()


def assert_customers_table_agrees(result: RunResult) -> None:
    """The customers table has one row per customer ever active and adds up to the
    counters; dates, orders and satisfaction are consistent row by row."""
    s, config, table = result.summary, result.config, result.customers
    horizon = config.simulation.horizon_months * DAYS_PER_MONTH
    assert len(table) == s["initial_customers"] + s["customers_acquired"]
    assert table["customer_id"].is_unique
    assert table["active_end"].sum() == s["active_customers_end"]
    assert (~table["active_end"]).sum() == s["customers_lost"]
    assert (table["lost_day"].isna() == table["active_end"]).all()
    assert table["orders"].sum() == s["orders_placed"]
    assert set(table["segment"].astype(str)) <= set(config.segments)
    # satisfaction lives on the 0-1 scale; expectation moves towards experiences (>= 0)
    assert table["satisfaction_end"].between(0.0, 1.0).all()
    assert (table["expectation_end"] >= 0.0).all()
    # dates: joined within the horizon, first order (if any) and loss not before joining
    assert table["joined_day"].between(0.0, horizon).all()
    ordered = table["orders"] > 0
    assert (table["first_order_day"].notna() == ordered).all()
    assert (table.loc[ordered, "first_order_day"] >= table.loc[ordered, "joined_day"]).all()
    lost = table["lost_day"].notna()
    assert (table.loc[lost, "lost_day"] >= table.loc[lost, "joined_day"]).all()
    assert (table.loc[lost, "lost_day"] <= horizon).all()
    # discounted orders: the first undiscounted, later ones worth at most one each
    discounted = table.loc[ordered, "discounted_orders"]
    assert (discounted >= 1.0 - 1e-12).all()
    assert (discounted <= table.loc[ordered, "orders"] * (1.0 + 1e-12)).all()
    assert (table.loc[~ordered, "discounted_orders"] == 0.0).all()


def assert_npv_is_discounted_monthly_profit(result: RunResult) -> None:
    """With monthly reporting, npv is the sum of each month's profit times its factor."""
    ts, config = result.timeseries, result.config
    assert config.simulation.report_period_months == 1
    factors = monthly_discount_factors(config)
    np.testing.assert_allclose(
        ts["discounted_profit"], ts["profit"] * factors, rtol=1e-12, atol=1e-6
    )
    expected = float((ts["profit"] * factors).sum())
    assert result.summary["npv"] == pytest.approx(expected, abs=_money_tolerance(expected))


# -- fixed cases --------------------------------------------------------------------------


def test_small_run_conserves(small_run):
    assert small_run.summary["orders_placed"] > 0
    assert_conserved(small_run)
    assert_npv_is_discounted_monthly_profit(small_run)


def _shortened(config: Config, months: int) -> Config:
    """The scenario over ``months``, its scheduled events (technology shocks, a switching
    cost change) moved into the shorter horizon in proportion, so they still happen."""
    horizon = config.simulation.horizon_months

    def scaled(month: int) -> int:
        return max(1, math.ceil(month * months / horizon))

    environment = config.environment
    overrides = {
        "simulation.horizon_months": months,
        "environment.technology_shock_months": [
            scaled(m) for m in environment.technology_shock_months
        ],
    }
    if environment.switching_cost_change_month > 0:
        overrides["environment.switching_cost_change_month"] = scaled(
            environment.switching_cost_change_month
        )
    return config.with_overrides(overrides)


@pytest.mark.parametrize(
    "portfolio",
    [
        "cut_when_profit_falls",
        "improve_when_ppm_high",
        "hire_when_late",
        "cut_improvement_when_late",
        "people_first",
        "customer_first_capacity",
    ],
)
def test_shipped_portfolios_with_rules_conserve(portfolio):
    """The quick baseline over 12 months, with improvement time for the rule that cuts it;
    hiring pressed by a late-delivery threshold no month meets and the line added at a
    threshold of orders every month meets (so their rules fire)."""
    horizon = 14 if portfolio == "customer_first_capacity" else 12  # its start in month 12
    config = at_size(load_scenario("baseline"), "quick").with_overrides(
        {"simulation.horizon_months": horizon, "workforce.improvement_time_share": 0.1}
    )
    config = with_portfolio(config, portfolio)
    if portfolio in {"hire_when_late", "customer_first_capacity"}:
        config = config.with_overrides({"portfolio.rules": [_always(config.portfolio.rules[0])]})
    result = simulate(config, seed=2025)
    assert_conserved(result)
    assert_npv_is_discounted_monthly_profit(result)
    if portfolio == "hire_when_late":
        assert result.summary["operators_end"] > config.workforce.operators
    if portfolio == "customer_first_capacity":  # the line, 6 months after month 1
        assert result.summary["production_lines_end"] == config.operations.production_lines + 1


def _always(rule) -> dict:
    return {**rule.model_dump(exclude_none=True), "threshold": 1.0, "for_months": 1}


@pytest.mark.parametrize("info", shipped_scenarios(), ids=lambda info: info.name)
def test_shipped_scenarios_conserve(info):
    config = _shortened(load_scenario(info.name), 6)
    result = simulate(config, seed=2024)
    assert_conserved(result)
    assert_npv_is_discounted_monthly_profit(result)


OVERLOADED = {
    "market.initial_customers": 600,
    "operations.production_lines": 1,
    "operations.cycle_time.mean": 120.0,
    "distribution.backorder_patience_days": 3.0,
}
# bad units and damage: many disappointing transactions, hence complaints
DISAPPOINTING = {
    "operations.design_defect_ppm": 100_000.0,
    "distribution.damage_probability": 0.1,
    "service.complaint_probability": 1.0,
}

EDGE_CASES = {
    # demand far above capacity: long backorder queues and cancellations
    "overloaded": OVERLOADED,
    # shipping is the bottleneck: orders pile up awaiting dispatch
    "shipping-bound": {"distribution.shipping_capacity_per_day": 1},
    # make to order with heavy scrap and rework
    "make-to-order": {
        "operations.reorder_point_units": -1,
        "operations.order_up_to_units": 0,
        "operations.process_capability_cpk": 0.3,
        "quality.inspection_coverage": 1.0,
        "quality.rework_share": 0.5,
        "quality.rework_success_probability": 0.5,
        "quality.rework_time_fraction": 5.0,
    },
    # customers who leave after every delivery; prospects exhausted quickly, and the lost
    # customers come back through the competitor's churn and are won again
    "fickle": {
        **fixed_loyalty(0.0),
        "acquisition.marketing_rate_per_year": 10.0,
        "environment.competitor_churn_per_year": 12.0,
    },
    # customers who never leave, and no one new
    "loyal-closed": {**fixed_loyalty(1.0), **NO_ACQUISITION},
    # nobody at all, not even at the competitor
    "empty": {
        "market.initial_customers": 0,
        "market.prospects": 0,
        "environment.competitor_customers": 0,
    },
    # complaints nobody handles: closed unresolved at once, at no cost
    "no-desk": {**DISAPPOINTING, "service.desk_staff": 0},
    # one slow agent: complaints still open at the horizon, decisions waiting for them
    "swamped-desk": {
        **DISAPPOINTING,
        "service.desk_staff": 1,
        "service.handling_time": {"kind": "exponential", "mean": 5.0},
    },
    # strong word of mouth both ways and a restless competitor base
    "word-of-mouth": {
        **DISAPPOINTING,
        "acquisition.referral_rate_per_year": 10.0,
        "acquisition.negative_wom_weight": 20.0,
        "environment.competitor_churn_per_year": 6.0,
        "customers.satisfied_threshold": 0.6,
        "customers.dissatisfied_threshold": 0.6,
    },
    # technology shocks that make the product obsolete, and switching costs that vanish
    "shocks-deregulation": {
        "environment.technology_shock_rate_per_year": 12.0,
        "environment.technology_shock_size": 1.0,
        "environment.switching_cost": 1.0,
        "environment.switching_cost_change_month": 3,
        "environment.switching_cost_after": 0.0,
    },
    # quarterly reporting over a horizon that is not a whole number of quarters
    "quarterly": {"simulation.horizon_months": 7, "simulation.report_period_months": 3},
    # a single month
    "1m": {"simulation.horizon_months": 1},
}


@pytest.mark.parametrize("overrides", list(EDGE_CASES.values()), ids=list(EDGE_CASES))
def test_edge_configurations_conserve(make_config, overrides):
    result = simulate_cached(make_config(overrides), seed=99)
    assert_conserved(result)


def _has_backorders_and_cancellations(s) -> bool:
    return s["orders_backordered"] > 0 and s["orders_cancelled"] > 0


GUARDS = {
    "overloaded": _has_backorders_and_cancellations,
    "fickle": lambda s: s["returned_to_market"] > 0 and s["customers_lost"] > 100,
    "loyal-closed": lambda s: s["customers_lost"] == 0 and s["customers_acquired"] == 0,
    "no-desk": lambda s: s["complaints_filed"] > 0 and s["complaints_resolved"] == 0,
    "swamped-desk": lambda s: s["complaints_open_end"] > 0 and s["complaints_closed"] > 0,
    "word-of-mouth": lambda s: (
        min(s["customers_referred"], s["prospects_deterred"], s["returned_to_market"]) > 0
    ),
    "shocks-deregulation": lambda s: s["state_of_the_art_end"] > 1.5,
}


@pytest.mark.parametrize("case", list(GUARDS))
def test_edge_configurations_exercise_what_they_claim(make_config, case):
    # guard that the edge cases above really reach the situation their comment names
    s = simulate_cached(make_config(EDGE_CASES[case]), seed=99).summary
    assert GUARDS[case](s), case


# -- reporting periods ----------------------------------------------------------------------


@pytest.mark.parametrize(("months", "period"), [(12, 1), (12, 3), (7, 3), (5, 1), (10, 4)])
def test_one_row_per_reporting_period(make_config, months, period):
    config = make_config(
        {"simulation.horizon_months": months, "simulation.report_period_months": period}
    )
    ts = simulate(config, seed=5).timeseries
    assert len(ts) == math.ceil(months / period)
    lengths = [min(period, months - start) for start in range(0, months, period)]
    np.testing.assert_allclose(ts["period_days"], np.array(lengths) * DAYS_PER_MONTH, rtol=1e-12)


def test_quarterly_reporting_sums_the_monthly_rows(make_config):
    months, period = 8, 3
    monthly = simulate(make_config({"simulation.horizon_months": months}), seed=77)
    quarterly = simulate(
        make_config({"simulation.horizon_months": months, "simulation.report_period_months": 3}),
        seed=77,
    )
    groups = np.arange(months) // period
    m, q = monthly.timeseries, quarterly.timeseries
    summed = m[FLOWS].groupby(groups).sum().reset_index(drop=True)
    counts = [c for c in FLOWS if c not in MONEY and not c.endswith(("_total", "_days"))]
    pd.testing.assert_frame_equal(q[counts], summed[counts], check_exact=True)
    inexact = [c for c in FLOWS if c not in counts]
    pd.testing.assert_frame_equal(q[inexact], summed[inexact], rtol=1e-12, atol=1e-6)
    quarter_ends = [2, 5, 7]
    levels = [*LEVELS, *FLOAT_LEVELS, *LEVEL_SHARES]
    # the row of each period's last month (not groupby().last(), which skips NaN)
    last = m[levels].iloc[quarter_ends].reset_index(drop=True)
    pd.testing.assert_frame_equal(q[levels], last, check_exact=True)
    np.testing.assert_allclose(
        q["cumulative_profit"], m["cumulative_profit"].iloc[quarter_ends], rtol=1e-12, atol=1e-6
    )
    # Level averages (the period-end shares and mean satisfaction) are averaged over the
    # reporting periods, so they depend on the grid: over quarters they are the mean of
    # the quarter-end values. Every other summary value is the same on either grid.
    averaged = {*LEVEL_SHARES, "mean_satisfaction"}
    for key in quarterly.summary:
        a, b = quarterly.summary[key], monthly.summary[key]
        if key in averaged:
            b = float(m[key].iloc[quarter_ends].mean())
        assert (math.isnan(a) and math.isnan(b)) or a == pytest.approx(b, rel=1e-12, abs=1e-6), key


# -- property test over random valid configurations -----------------------------------------


@st.composite
def segment_tables(draw) -> dict:
    """One to three segments: shares from integer weights, normalised (so they sum to 1
    up to rounding), experience weights likewise; any valid loyalty coefficients."""
    count = draw(st.integers(1, 3))
    share_weights = draw(st.lists(st.integers(0, 10), min_size=count, max_size=count))
    if sum(share_weights) == 0:
        share_weights[0] = 1
    segments = {}
    for index, weight in enumerate(share_weights):
        experience = draw(st.lists(st.integers(0, 5), min_size=3, max_size=3))
        if sum(experience) == 0:
            experience[1] = 1
        total = sum(experience)
        satisfaction_weight = draw(st.floats(0.0, 20.0))
        segments[f"segment_{index}"] = {
            "share": weight / sum(share_weights),
            "weight_performance": experience[0] / total,
            "weight_reliability": experience[1] / total,
            "weight_delivery": experience[2] / total,
            "loyalty_intercept": draw(st.floats(-6.0, 8.0)),
            "satisfaction_weight": satisfaction_weight,
            # at most the satisfaction weight (the config refuses more)
            "switching_cost_weight": draw(st.floats(0.0, min(10.0, satisfaction_weight))),
            "price_weight": draw(st.floats(0.0, 20.0)),
        }
    return segments


@st.composite
def valid_overrides(draw) -> dict:
    horizon = draw(st.integers(1, 8))
    reorder = draw(st.integers(-1, 120))
    order_up_to = draw(st.integers(max(reorder + 1, 0), reorder + 250))
    unit = st.floats(0.0, 1.0)
    dissatisfied, satisfied = sorted(draw(st.lists(unit, min_size=2, max_size=2)))
    shock_months = draw(st.lists(st.integers(1, horizon), max_size=3))
    return {
        "simulation.horizon_months": horizon,
        "simulation.report_period_months": draw(st.integers(1, min(horizon, 12))),
        "market.initial_customers": draw(st.integers(0, 300)),
        "market.prospects": draw(st.integers(0, 200)),
        "market.purchase_cycle": draw(
            st.sampled_from(
                [
                    {"kind": "gamma", "mean": 30.0, "cv": 0.5},
                    {"kind": "exponential", "mean": 20.0},
                    {"kind": "deterministic", "mean": 15.0},
                    {"kind": "lognormal", "mean": 25.0, "cv": 1.2},
                ]
            )
        ),
        "operations.production_lines": draw(st.integers(1, 3)),
        "operations.cycle_time.mean": draw(st.floats(5.0, 240.0)),
        "operations.reorder_point_units": reorder,
        "operations.order_up_to_units": order_up_to,
        "operations.process_capability_cpk": draw(st.floats(0.3, 2.0)),
        "quality.inspection_coverage": draw(unit),
        "quality.detection_probability": draw(unit),
        "quality.false_reject_probability": draw(st.floats(0.0, 0.3)),
        "quality.rework_share": draw(unit),
        "quality.rework_success_probability": draw(unit),
        "quality.drift_rate_per_month": draw(st.floats(0.0, 10.0)),
        "quality.monitoring_detection_probability": draw(unit),
        "distribution.shipping_capacity_per_day": draw(st.integers(1, 50)),
        "distribution.backorder_patience_days": draw(st.floats(0.5, 60.0)),
        "distribution.damage_probability": draw(st.floats(0.0, 0.2)),
        "finance.unit_price": draw(st.floats(1.0, 500.0)),
        "finance.complaint_handling_cost": draw(st.floats(0.0, 500.0)),
        "finance.annual_discount_rate": draw(unit),
        # demand side
        "segments": draw(segment_tables()),
        "product.feature_level": draw(st.floats(0.1, 3.0)),
        "customers.initial_satisfaction": draw(unit),
        "customers.initial_expectation": draw(unit),
        "customers.satisfaction_memory_positive": draw(unit),
        "customers.satisfaction_memory_negative": draw(unit),
        "customers.expectation_adaptation": draw(unit),
        "customers.expectation_spread": draw(st.floats(0.0, 0.5)),
        "customers.disconfirmation_weight_positive": draw(st.floats(0.0, 10.0)),
        "customers.disconfirmation_weight_negative": draw(st.floats(0.0, 10.0)),
        "customers.share_of_wallet_floor": draw(st.floats(0.01, 1.0)),
        "customers.share_of_wallet_exponent": draw(st.floats(0.0, 10.0)),
        "market.contract_share": draw(unit),
        "market.contract_term_months": draw(st.floats(0.1, 24.0)),
        "customers.satisfied_threshold": satisfied,
        "customers.dissatisfied_threshold": dissatisfied,
        "service.complaint_probability": draw(unit),
        "service.claim_probability": draw(unit),
        "service.recovery_credit_fast": draw(st.floats(0.0, 3.0)),
        "service.recovery_credit_slow": draw(st.floats(0.0, 3.0)),
        "service.recovery_credit_failed": draw(st.floats(0.0, 3.0)),
        "service.repeat_failure_credit_factor": draw(unit),
        "involvement.share_involved": draw(unit),
        "involvement.suggestions_per_month": draw(st.floats(0.0, 5.0)),
        "involvement.acceptance_probability": draw(unit),
        "involvement.defect_reduction_per_suggestion": draw(st.floats(0.0, 0.5)),
        "workforce.skill": draw(unit),
        "workforce.operators": draw(st.integers(1, 80)),
        "workforce.new_hire_skill": draw(unit),
        "workforce.learning_rate": draw(st.floats(0.5, 1.0)),
        "workforce.turnover_rate_per_year": draw(st.floats(0.0, 12.0)),
        "workforce.improvement_time_share": draw(st.floats(0.0, 0.5)),
        "workforce.improvement_time_share_before": draw(st.floats(0.0, 0.5)),
        "workforce.capability_build_per_year": draw(st.floats(0.0, 20.0)),
        "workforce.capability_erosion_per_year": draw(st.floats(0.0, 5.0)),
        "workforce.capability_max_reduction": draw(st.floats(0.0, 0.95)),
        "workforce.capability_throughput_loss": draw(st.floats(0.0, 0.9)),
        "workforce.pressure_response": draw(unit),
        "workforce.pressure_memory_months": draw(st.floats(0.0, 24.0)),
        "workforce.full_pressure_backlog": draw(st.floats(0.01, 2.0)),
        "involvement.improvement_floor": draw(unit),
        "involvement.forgetting_rate_per_year": draw(st.floats(0.0, 12.0)),
        "service.desk_staff": draw(st.integers(0, 3)),
        "people.model": draw(st.sampled_from(["off", "on"])),
        "people.reference_satisfaction": draw(unit),
        "people.training_effect": draw(unit),
        "people.involvement_effect": draw(unit),
        "people.workload_effect": draw(unit),
        "people.pressure_effect": draw(unit),
        "people.normal_utilisation": draw(st.floats(0.0, 0.99)),
        "people.adjustment_months": draw(st.floats(0.0, 24.0)),
        "people.turnover_sensitivity": draw(st.floats(0.0, 20.0)),
        "people.agent_skill": draw(unit),
        "people.recovery_skill_effect": draw(st.floats(0.0, 20.0)),
        "people.recovery_courtesy_effect": draw(st.floats(0.0, 20.0)),
        "people.handling_skill_effect": draw(st.floats(0.0, 10.0)),
        "service.recovery_quality": draw(unit),
        "service.fast_resolution_days": draw(st.floats(0.1, 10.0)),
        "service.handling_time": draw(
            st.sampled_from(
                [
                    {"kind": "gamma", "mean": 0.25, "cv": 0.7},
                    {"kind": "exponential", "mean": 3.0},
                    {"kind": "deterministic", "mean": 1.0},
                ]
            )
        ),
        "acquisition.marketing_rate_per_year": draw(st.floats(0.0, 10.0)),
        "acquisition.referral_rate_per_year": draw(st.floats(0.0, 10.0)),
        "acquisition.negative_wom_weight": draw(st.floats(0.0, 20.0)),
        "environment.competitor_customers": draw(st.integers(0, 300)),
        "environment.competitor_churn_per_year": draw(st.floats(0.0, 12.0)),
        "environment.competitor_quality": draw(unit),
        "environment.competitor_price": draw(st.floats(1.0, 500.0)),
        "environment.switching_cost": draw(unit),
        "environment.switching_cost_change_month": draw(st.integers(0, horizon)),
        "environment.switching_cost_after": draw(unit),
        "environment.technology_shock_rate_per_year": draw(st.floats(0.0, 12.0)),
        "environment.technology_shock_months": shock_months,
        "environment.technology_shock_size": draw(st.floats(0.0, 5.0)),
        "environment.expectation_growth_per_year": draw(unit),
        "environment.seasonality_amplitude": draw(st.floats(0.0, 0.9)),
        "environment.economic_cycle_amplitude": draw(st.floats(0.0, 0.9)),
    }


@pytest.mark.slow
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(overrides=valid_overrides(), seed=st.integers(0, 2**32 - 1))
def test_random_valid_configs_conserve(overrides, seed):
    config = Config().with_overrides(overrides)
    result = simulate(config, seed=seed)
    assert_conserved(result)
    if config.simulation.report_period_months == 1:
        assert_npv_is_discounted_monthly_profit(result)


# -- property test over random portfolios with initiatives and rules ------------------------

RULE_KPIS = sorted(rule_kpis())


@st.composite
def initiative_tables(draw, horizon: int) -> list[dict]:
    """Up to three initiatives of different kinds, timed inside the horizon; one may wait
    for a rule."""
    kinds = draw(
        st.lists(
            st.sampled_from(["process_improvement", "involvement", "training", "qa_system"]),
            max_size=3,
            unique=True,
        )
    )
    tables = []
    for kind in kinds:
        table = {
            "kind": kind,
            "name": kind,
            "start_month": draw(st.integers(0, horizon - 1)),
            "duration_months": draw(st.integers(1, 4)),
            "effect_delay_months": draw(st.integers(0, 3)),
            "one_off_cost": draw(st.floats(0.0, 50_000.0)),
            "recurring_cost_per_month": draw(st.floats(0.0, 2_000.0)),
            "disruption": draw(st.floats(0.0, 0.2)),
        }
        if kind == "qa_system":
            table["inspection_coverage_gain"] = draw(st.floats(0.0, 0.2))
        tables.append(table)
    return tables


@st.composite
def rule_tables(draw, initiatives: list[dict]) -> list[dict]:
    """Up to three rules on any reported KPI, thresholds inside the KPI's range."""
    names = [i["name"] for i in initiatives]
    actions = ["set", "hire", "add_line"] + (["stop", "pause", "scale"] if names else [])
    rules = []
    for index in range(draw(st.integers(0, 3))):
        kpi = draw(st.sampled_from(RULE_KPIS))
        rule: dict = {
            "name": f"rule_{index}",
            "kpi": kpi,
            "when": draw(st.sampled_from(["above", "below"])),
            "threshold": draw(st.floats(0.0, 1.0)),
            "for_months": draw(st.integers(1, 3)),
            "cadence": draw(st.sampled_from(["monthly", "quarterly"])),
            "delay_months": draw(st.integers(0, 2)),
            "max_firings": draw(st.integers(1, 3)),
        }
        action = draw(st.sampled_from(actions))
        rule["action"] = action
        if action in {"stop", "pause", "scale"}:
            rule["initiative"] = draw(st.sampled_from(names))
        if action == "pause":
            rule["pause_months"] = draw(st.integers(1, 4))
        elif action == "scale":
            rule["factor"] = draw(st.floats(0.1, 1.5))
        elif action == "set":
            lever = draw(
                st.sampled_from(
                    [
                        "quality.prevention_spend_per_month",
                        "quality.inspection_coverage",
                        "workforce.improvement_time_share",
                        "finance.unit_price",
                    ]
                )
            )
            rule["lever"] = lever
            if lever == "finance.unit_price":
                rule["value"] = draw(st.floats(1.0, 500.0))
            else:
                top = 0.9 if lever.startswith("workforce") else 1.0
                rule["value"] = draw(st.floats(0.0, top))
        elif action == "hire":
            rule["hire_share"] = draw(st.floats(0.05, 0.5))
        elif action == "add_line":
            rule["lead_time_months"] = draw(st.integers(0, 4))
            rule["line_cost"] = draw(st.floats(0.0, 100_000.0))
        rules.append(rule)
    return rules


@st.composite
def ruled_configs(draw) -> dict:
    horizon = draw(st.integers(2, 10))
    initiatives = draw(initiative_tables(horizon))
    if initiatives and draw(st.booleans()):
        waiting = initiatives[0]
        waiting["waits_for_rule"] = True
        waiting["start_month"] = 0
        start = {
            "name": "starter",
            "kpi": draw(st.sampled_from(RULE_KPIS)),
            "when": "above",
            "threshold": 0.0,
            "action": "start",
            "initiative": waiting["name"],
        }
        rules = [start, *draw(rule_tables(initiatives))]
    else:
        rules = draw(rule_tables(initiatives))
    return {
        "simulation.horizon_months": horizon,
        "market.initial_customers": draw(st.integers(50, 300)),
        "market.prospects": draw(st.integers(0, 200)),
        "operations.cycle_time.mean": draw(st.floats(20.0, 120.0)),
        "workforce.operators": draw(st.integers(1, 60)),
        "workforce.improvement_time_share": draw(st.floats(0.0, 0.3)),
        "workforce.pressure_response": draw(st.floats(0.0, 1.0)),
        "workforce.turnover_rate_per_year": draw(st.floats(0.0, 3.0)),
        "people.model": draw(st.sampled_from(["off", "on"])),
        "involvement.share_involved": draw(st.floats(0.0, 1.0)),
        "service.desk_staff": draw(st.integers(0, 3)),
        "portfolio": {"name": "drawn", "initiatives": initiatives, "rules": rules},
    }


@pytest.mark.slow
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(overrides=ruled_configs(), seed=st.integers(0, 2**32 - 1))
def test_random_portfolios_with_rules_conserve(overrides, seed):
    try:
        config = Config().with_overrides(overrides)
    except ConfigError as exc:  # e.g. a KPI whose range a drawn threshold leaves
        assume(False)
        raise AssertionError("unreachable") from exc
    result = simulate(config, seed=seed)
    assert_conserved(result)
    if config.simulation.report_period_months == 1:
        assert_npv_is_discounted_monthly_profit(result)


# -- the long property test: everything varied at once ------------------------------------

SHIPPED_PORTFOLIOS = [name for name, _ in shipped_portfolios()]

LONG_EXAMPLES = 1000
"""Examples of :func:`test_anything_conserves` in all (issue 15: at least 1,000)."""

LONG_SHARDS = 4
"""The long test runs as this many independent hypothesis runs, each with its own fixed
seed and ``LONG_EXAMPLES / LONG_SHARDS`` examples, so that ``pytest -n`` spreads them over
the cores (and the examples do not repeat from shard to shard, even when hypothesis is
derandomized, as its CI profile is)."""


@st.composite
def any_configs(draw) -> tuple[dict, str | None]:
    """Every key of :func:`valid_overrides` (market, operations, quality, customers,
    service, involvement, workforce, environment) drawn together with a portfolio: a
    shipped one (with its initiatives and rules), or drawn initiatives and rules. Returns
    (overrides, shipped portfolio name or None)."""
    overrides = draw(valid_overrides())
    if draw(st.booleans()):
        return overrides, draw(st.sampled_from(SHIPPED_PORTFOLIOS))
    horizon = overrides["simulation.horizon_months"]
    initiatives = draw(initiative_tables(max(horizon, 2)))
    for table in initiatives:
        table["start_month"] = min(table["start_month"], horizon - 1)
    rules = draw(rule_tables(initiatives))
    overrides["portfolio"] = {"name": "drawn", "initiatives": initiatives, "rules": rules}
    return overrides, None


def _anything_conserves(shard: int):
    """The long property test's shard ``shard`` (a test function)."""

    @pytest.mark.slow
    @hypothesis_seed(20261201 + shard)
    @settings(
        max_examples=LONG_EXAMPLES // LONG_SHARDS,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    @given(drawn=any_configs(), seed=st.integers(0, 2**32 - 1))
    def test(drawn, seed):
        """Units, customers and money balance in every run whatever the settings, the
        portfolio, its rules, the workforce and the involvement (1,000 examples over the
        shards)."""
        overrides, shipped = drawn
        try:
            config = Config().with_overrides(overrides)
            if shipped is not None:
                config = with_portfolio(config, shipped)
        except ConfigError as exc:  # e.g. a rule threshold outside its KPI's range
            assume(False)
            raise AssertionError("unreachable") from exc
        result = simulate(config, seed=seed)
        assert_conserved(result)
        if config.simulation.report_period_months == 1:
            assert_npv_is_discounted_monthly_profit(result)

    test.__name__ = f"test_anything_conserves_{shard}"
    return test


test_anything_conserves_0 = _anything_conserves(0)
test_anything_conserves_1 = _anything_conserves(1)
test_anything_conserves_2 = _anything_conserves(2)
test_anything_conserves_3 = _anything_conserves(3)
