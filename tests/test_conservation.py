"""Conservation laws that every run must satisfy, whatever the parameters.

Units, orders, work orders, customers and prospects are neither created nor lost except by
the documented flows, and the money columns add up. The laws are checked on the whole-run
summary and at the end of every reporting period of the time series.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sqm_sim import Config, RunResult, load_scenario, shipped_scenarios, simulate
from sqm_sim.kpis import COLUMN_DOCS, LEVELS, RATIOS, monthly_discount_factors
from sqm_sim.units import DAYS_PER_MONTH

MONEY = [
    "revenue",
    "production_cost",
    "fixed_cost",
    "prevention_cost",
    "appraisal_cost",
    "internal_failure_cost",
    "external_failure_cost",
    "coq_total",
    "total_cost",
    "profit",
    "discounted_profit",
]
NOT_SUMMED = {"period", "month_start", "cumulative_profit", *LEVELS, *RATIOS}
FLOWS = [c for c in COLUMN_DOCS if c not in NOT_SUMMED]
RENAMED = {"discounted_profit": "npv", "period_days": "horizon_days"}


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
    assert s["initial_prospects"] == s["prospects_remaining_end"] + s["customers_acquired"]
    assert s["customers_lost"] == s["repurchase_decisions"] - s["repurchases"]

    # sub-counts never exceed their totals
    assert 0 <= s["defects_produced"] <= s["units_produced"]
    assert 0 <= s["units_inspected"] <= s["units_produced"]
    assert 0 <= s["defects_detected"] <= s["units_rejected"] <= s["units_inspected"]
    assert s["rework_started"] <= s["units_rejected"]
    assert 0 <= s["defective_shipped"] <= s["units_shipped"]
    assert 0 <= s["deliveries_on_time"] <= s["units_delivered"]
    assert 0 <= s["units_damaged"] <= s["units_delivered"]
    assert s["drift_detections"] <= s["drift_events"]

    # -- money --------------------------------------------------------------------------
    coq = (
        s["prevention_cost"]
        + s["appraisal_cost"]
        + s["internal_failure_cost"]
        + s["external_failure_cost"]
    )
    assert s["coq_total"] == pytest.approx(coq, abs=_money_tolerance(coq))
    cost = s["production_cost"] + s["fixed_cost"] + s["coq_total"]
    assert s["total_cost"] == pytest.approx(cost, abs=_money_tolerance(cost))
    profit = s["revenue"] - cost
    assert s["profit"] == pytest.approx(profit, abs=_money_tolerance(s["revenue"], cost))
    assert ts["cumulative_profit"].iloc[-1] == pytest.approx(
        s["profit"], abs=_money_tolerance(s["revenue"], cost)
    )

    # -- time series: totals, shape, levels ------------------------------------------------
    months = config.simulation.horizon_months
    period = config.simulation.report_period_months
    assert len(ts) == math.ceil(months / period)
    assert ts["period"].tolist() == list(range(1, len(ts) + 1))
    assert ts["month_start"].tolist() == list(range(0, months, period))
    for column in FLOWS:
        total = ts[column].sum()
        key = RENAMED.get(column, column)
        if column in MONEY:
            assert s[key] == pytest.approx(total, abs=_money_tolerance(total)), column
        else:
            assert s[key] == pytest.approx(total, rel=1e-12, abs=1e-9), column
    assert s["horizon_days"] == pytest.approx(months * DAYS_PER_MONTH, rel=1e-12)
    for level in LEVELS:
        assert (ts[level] >= 0).all(), level
        assert s[f"{level}_end"] == ts[level].iloc[-1]
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
    assert (s["initial_prospects"] == ts["prospects_remaining"] + cum["customers_acquired"]).all()
    assert ts["prospects_remaining"].is_monotonic_decreasing

    # money per period
    coq_rows = ts[
        ["prevention_cost", "appraisal_cost", "internal_failure_cost", "external_failure_cost"]
    ].sum(axis=1)
    np.testing.assert_allclose(ts["coq_total"], coq_rows, rtol=1e-12, atol=1e-6)
    cost_rows = ts["production_cost"] + ts["fixed_cost"] + ts["coq_total"]
    np.testing.assert_allclose(ts["total_cost"], cost_rows, rtol=1e-12, atol=1e-6)
    np.testing.assert_allclose(ts["profit"], ts["revenue"] - cost_rows, rtol=1e-9, atol=1e-6)
    np.testing.assert_allclose(ts["cumulative_profit"], ts["profit"].cumsum(), rtol=1e-9, atol=1e-6)
    assert (ts["production_cost"].cumsum() >= -1e-6).all()


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


@pytest.mark.parametrize("info", shipped_scenarios(), ids=lambda info: info.name)
def test_shipped_scenarios_conserve(info):
    config = load_scenario(info.name).with_overrides({"simulation.horizon_months": 6})
    result = simulate(config, seed=2024)
    assert_conserved(result)
    assert_npv_is_discounted_monthly_profit(result)


@pytest.mark.parametrize(
    "overrides",
    [
        # demand far above capacity: long backorder queues and cancellations
        {
            "market.initial_customers": 600,
            "operations.production_lines": 1,
            "operations.cycle_time.mean": 120.0,
            "distribution.backorder_patience_days": 3.0,
        },
        # shipping is the bottleneck: orders pile up awaiting dispatch
        {"distribution.shipping_capacity_per_day": 1},
        # make to order with heavy scrap and rework
        {
            "operations.reorder_point_units": -1,
            "operations.order_up_to_units": 0,
            "operations.process_capability_cpk": 0.3,
            "quality.inspection_coverage": 1.0,
            "quality.rework_share": 0.5,
            "quality.rework_success_probability": 0.5,
            "quality.rework_time_fraction": 5.0,
        },
        # customers who leave after every delivery; prospects exhausted quickly
        {"market.repurchase_probability": 0.0, "market.acquisition_per_month": 500.0},
        # nobody at all
        {"market.initial_customers": 0, "market.prospects": 0},
        # quarterly reporting over a horizon that is not a whole number of quarters
        {"simulation.horizon_months": 7, "simulation.report_period_months": 3},
        # a single month
        {"simulation.horizon_months": 1},
    ],
    ids=["overloaded", "shipping-bound", "make-to-order", "fickle", "empty", "quarterly", "1m"],
)
def test_edge_configurations_conserve(make_config, overrides):
    result = simulate(make_config(overrides), seed=99)
    assert_conserved(result)


def test_overloaded_run_exercises_backorders(make_config):
    # guard that the "overloaded" case above really has backorders and cancellations
    config = make_config(
        {
            "market.initial_customers": 600,
            "operations.production_lines": 1,
            "operations.cycle_time.mean": 120.0,
            "distribution.backorder_patience_days": 3.0,
        }
    )
    s = simulate(config, seed=99).summary
    assert s["orders_backordered"] > 0
    assert s["orders_cancelled"] > 0


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
    last = m[LEVELS].groupby(groups).last().reset_index(drop=True)
    pd.testing.assert_frame_equal(q[LEVELS], last, check_exact=True)
    np.testing.assert_allclose(
        q["cumulative_profit"], m["cumulative_profit"].iloc[[2, 5, 7]], rtol=1e-12, atol=1e-6
    )
    for key in quarterly.summary:
        a, b = quarterly.summary[key], monthly.summary[key]
        assert (math.isnan(a) and math.isnan(b)) or a == pytest.approx(b, rel=1e-12, abs=1e-6), key


# -- property test over random valid configurations -----------------------------------------


@st.composite
def valid_overrides(draw) -> dict:
    horizon = draw(st.integers(1, 8))
    reorder = draw(st.integers(-1, 120))
    order_up_to = draw(st.integers(max(reorder + 1, 0), reorder + 250))
    unit = st.floats(0.0, 1.0)
    return {
        "simulation.horizon_months": horizon,
        "simulation.report_period_months": draw(st.integers(1, min(horizon, 12))),
        "market.initial_customers": draw(st.integers(0, 300)),
        "market.prospects": draw(st.integers(0, 200)),
        "market.acquisition_per_month": draw(st.floats(0.0, 60.0)),
        "market.repurchase_probability": draw(unit),
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
        "finance.annual_discount_rate": draw(unit),
    }


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(overrides=valid_overrides(), seed=st.integers(0, 2**32 - 1))
def test_random_valid_configs_conserve(overrides, seed):
    config = Config().with_overrides(overrides)
    result = simulate(config, seed=seed)
    assert_conserved(result)
    if config.simulation.report_period_months == 1:
        assert_npv_is_discounted_monthly_profit(result)
