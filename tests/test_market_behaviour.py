"""Behaviour the field knows, each checked with replications on common random numbers:
the paired differences' 99% t-interval must exclude zero in the expected direction."""

from __future__ import annotations

import numpy as np
import pytest

import sqm_sim
from sqm_sim import Config
from sqm_sim.models.units import DAYS_PER_MONTH

from .support import (
    FREE_FULL_WALLET,
    NO_ACQUISITION,
    fixed_loyalty,
    mean_interval,
    paired_runs,
    simulate_cached,
)

pytestmark = pytest.mark.slow  # replications and intervals: the slow tier

SEEDS = range(6)

MARKET = {
    "simulation.horizon_months": 18,
    "market.initial_customers": 300,
    "market.prospects": 1200,
    "environment.competitor_customers": 300,
    "operations.reorder_point_units": 60,
    "operations.order_up_to_units": 120,
    "operations.production_lines": 1,
    "distribution.shipping_capacity_per_day": 30,
}


def market(**overrides) -> Config:
    return Config().with_overrides(
        {**MARKET, **{k.replace("__", "."): v for k, v in overrides.items()}}
    )


def assert_positive(differences) -> None:
    low, high = mean_interval(differences)
    assert low > 0.0, f"mean difference CI [{low:.4g}, {high:.4g}] does not exclude 0"


@pytest.mark.parametrize(
    "kpi", ["mean_satisfaction", "repurchase_rate", "retention_rate_annual", "profit"]
)
def test_more_defects_lower_satisfaction_retention_and_profit(kpi):
    good = market(operations__design_defect_ppm=1000.0)
    bad = market(operations__design_defect_ppm=60_000.0)
    assert_positive(paired_runs(good, bad, SEEDS, kpi))


def test_high_switching_costs_keep_dissatisfied_customers():
    """Hostages: with poor quality, high switching costs keep more dissatisfied customers
    among the active ones and slow churn."""
    poor = {"operations__design_defect_ppm": 120_000.0, "service__desk_staff": 0}
    locked_in = market(environment__switching_cost=0.9, **poor)
    free = market(environment__switching_cost=0.05, **poor)
    seeds = range(12)  # dissatisfaction is transient: a small share, so more replications
    assert_positive(paired_runs(locked_in, free, seeds, "share_dissatisfied"))
    assert_positive(paired_runs(free, locked_in, seeds, "churn_rate_monthly"))


def test_hostages_leave_when_switching_gets_cheap():
    """Switching cost falls from 0.9 to 0.05 at month 12: churn in the six months after is
    higher than in the six months before, in every replication's paired comparison."""
    config = market(
        operations__design_defect_ppm=120_000.0,
        service__desk_staff=0,
        environment__switching_cost=0.9,
        environment__switching_cost_change_month=12,
        environment__switching_cost_after=0.05,
    )
    differences = []
    for seed in SEEDS:
        series = simulate_cached(config, seed).timeseries
        before = series.iloc[6:12]
        after = series.iloc[12:18]
        churn_before = before["customers_lost"].sum() / before["customer_months"].sum()
        churn_after = after["customers_lost"].sum() / after["customer_months"].sum()
        differences.append(churn_after - churn_before)
    assert_positive(differences)


def test_fast_good_recovery_retains_more_than_no_complaint_handling():
    problems = {"operations__design_defect_ppm": 60_000.0, "service__complaint_probability": 0.8}
    handled = market(service__desk_staff=3, service__recovery_quality=1.0, **problems)
    ignored = market(service__desk_staff=0, **problems)
    assert_positive(paired_runs(handled, ignored, SEEDS, "repurchase_rate"))
    assert_positive(paired_runs(handled, ignored, SEEDS, "active_customers_end"))


def test_an_improving_competitor_erodes_market_share():
    standing_still = market(environment__competitor_quality_trend_per_year=0.0)
    competitor_improves = market(environment__competitor_quality_trend_per_year=0.08)
    assert_positive(paired_runs(standing_still, competitor_improves, SEEDS, "market_share_end"))


def test_rising_expectations_erode_satisfaction_of_a_firm_that_stands_still():
    steady = market(environment__expectation_growth_per_year=0.0)
    rising = market(environment__expectation_growth_per_year=0.15)
    assert_positive(paired_runs(steady, rising, SEEDS, "mean_satisfaction_end"))


def test_word_of_mouth_brings_customers():
    quiet = market(acquisition__referral_rate_per_year=0.0)
    talkative = market(acquisition__referral_rate_per_year=1.0)
    assert_positive(paired_runs(talkative, quiet, SEEDS, "customers_acquired"))
    results = [simulate_cached(quiet, seed) for seed in SEEDS]
    assert all(r.summary["customers_referred"] == 0 for r in results)


def test_customer_lifetime_value_matches_the_closed_form():
    """Degenerate market: a purchase every month exactly, constant repurchase probability
    r, margin m per order and nothing else. Each customer's orders then form a geometric
    lifetime with mean 1 / (1 - r), and the value of the orders discounted to the first
    one is m (1 + d) / (1 + d - r) (margin paid at each order, the first one at t = 0),
    i.e. m plus Gupta & Lehmann's m r / (1 + d - r)."""
    r, price, unit_cost, annual_rate = 0.8, 120.0, 70.0, 0.12
    config = Config().with_overrides(
        {
            "simulation.horizon_months": 120,
            "market.initial_customers": 3000,
            "market.prospects": 0,
            "market.purchase_cycle": {"kind": "deterministic", "mean": DAYS_PER_MONTH},
            **NO_ACQUISITION,
            **FREE_FULL_WALLET,  # free decisions, one order per cycle: the closed form's customer
            **fixed_loyalty(r),
            "service.complaint_probability": 0.0,
            "operations.design_defect_ppm": 0.0,
            "operations.process_capability_cpk": 3.0,
            "operations.human_error_probability_untrained": 0.0,
            "operations.production_lines": 4,
            "quality.inspection_coverage": 0.0,
            "quality.drift_rate_per_month": 0.0,
            "quality.prevention_spend_per_month": 0.0,
            "finance.monitoring_cost_per_check": 0.0,
            "finance.unit_price": price,
            "finance.unit_cost": unit_cost,
            "finance.annual_discount_rate": annual_rate,
            "distribution.damage_probability": 0.0,
            "distribution.shipping_capacity_per_day": 5000,
        }
    )
    result = sqm_sim.simulate(config, seed=2024)
    customers = result.customers
    assert not customers["active_end"].any(), "horizon too short: lifetimes are censored"
    margin = price - unit_cost
    monthly = (1.0 + annual_rate) ** (1.0 / 12.0) - 1.0

    low, high = mean_interval(customers["orders"], confidence=0.999)
    assert low <= 1.0 / (1.0 - r) <= high

    value = margin * customers["discounted_orders"]
    low, high = mean_interval(value, confidence=0.999)
    assert low <= margin * (1.0 + monthly) / (1.0 + monthly - r) <= high

    # the KPI uses the measured r and margin with the end-of-period convention
    assert result.summary["clv_estimate"] + margin == pytest.approx(value.mean(), rel=0.05)
    assert result.summary["repurchase_rate"] == pytest.approx(r, abs=0.02)
    np.testing.assert_allclose(
        result.summary["clv_estimate"],
        margin
        * result.summary["repurchase_rate"]
        / (1.0 + monthly - result.summary["repurchase_rate"]),
        rtol=1e-9,
    )
