"""Reproducibility and common random numbers (CRN).

``simulate(config, seed)`` is a pure function. Each stochastic mechanism draws from its own
named stream (see :mod:`sqm_sim.models.random_streams`), so changing a parameter that no stream
user can see leaves every count unchanged.

What "no stream user can see" covers changed with the demand model: customers now weigh
the price against the competitor's (loyalty term ``-price_weight * (unit_price /
competitor_price - 1)``), so the unit price is no longer book-keeping; the cost rates
still are. The quality side (drift and SPC) still reads nothing from demand.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from sqm_sim import simulate
from sqm_sim.run.kpis import COLUMN_DOCS
from tests.support import NO_ACQUISITION, fixed_loyalty

# Every column in currency (money flows, their totals and the CLV estimate, whose margin is
# price minus cost per unit) and the money ratios.
MONEY_COLUMNS = {c for c, (unit, _) in COLUMN_DOCS.items() if unit == "currency"}
MONEY_COLUMNS |= {"coq_share_of_revenue", "coq_with_lost_sales_share", "profit_margin"}
NON_MONEY_COLUMNS = [c for c in COLUMN_DOCS if c not in MONEY_COLUMNS]
PROCESS_CONTROL_COLUMNS = ["drift_events", "drift_detections", "spc_checks", "out_of_control_days"]


def _assert_summaries_identical(a: dict[str, float], b: dict[str, float]) -> None:
    assert a.keys() == b.keys()
    for key in a:
        same = a[key] == b[key] or (math.isnan(a[key]) and math.isnan(b[key]))
        assert same, f"{key}: {a[key]!r} != {b[key]!r}"


def test_same_config_and_seed_give_identical_results(small_config):
    first = simulate(small_config, seed=42)
    second = simulate(small_config, seed=42)
    pd.testing.assert_frame_equal(first.timeseries, second.timeseries, check_exact=True)
    pd.testing.assert_frame_equal(first.customers, second.customers, check_exact=True)
    _assert_summaries_identical(first.summary, second.summary)
    assert first.seed == second.seed == 42
    assert first.config == small_config


def test_no_state_leaks_between_runs(small_config, make_config):
    before = simulate(small_config, seed=7)
    simulate(make_config({"quality.inspection_coverage": 1.0, "market.prospects": 0}), seed=8)
    simulate(small_config, seed=9)
    after = simulate(small_config, seed=7)
    pd.testing.assert_frame_equal(before.timeseries, after.timeseries, check_exact=True)
    pd.testing.assert_frame_equal(before.customers, after.customers, check_exact=True)


def _detour_and_back(config):
    """The same parameters reached through a change and its reversal."""
    return config.with_overrides({"service.complaint_probability": 0.5}).with_overrides(
        {"service.complaint_probability": config.service.complaint_probability}
    )


def _segments_listed_in_reverse(config):
    """The same segment table written down in the other order."""
    segments = config.to_dict()["segments"]
    return config.with_overrides({"segments": dict(reversed(list(segments.items())))})


@pytest.mark.parametrize(
    "rebuild", [_detour_and_back, _segments_listed_in_reverse], ids=["detour", "segment-order"]
)
def test_equal_configs_built_differently_give_identical_results(small_config, rebuild):
    # Configs that compare equal and share a fingerprint must be the same experiment: the
    # fingerprint is what run manifests (and tests.support.simulate_cached) identify a
    # run by.
    rebuilt = rebuild(small_config)
    assert rebuilt == small_config
    assert rebuilt.fingerprint() == small_config.fingerprint()
    first, second = simulate(rebuilt, seed=3), simulate(small_config, seed=3)
    pd.testing.assert_frame_equal(first.timeseries, second.timeseries, check_exact=True)
    pd.testing.assert_frame_equal(first.customers, second.customers, check_exact=True)


def test_different_seeds_give_different_results(small_config):
    runs = [simulate(small_config, seed=seed).timeseries for seed in (1, 2, 3)]
    for i in range(len(runs)):
        for j in range(i + 1, len(runs)):
            assert not runs[i].equals(runs[j])
            # the difference is in the random quantities, not merely in one column
            differing = [c for c in runs[i] if not runs[i][c].equals(runs[j][c])]
            assert {"orders_placed", "units_produced", "units_delivered"} <= set(differing)


def _assert_counts_identical(a, b, customer_columns=None) -> None:
    """Same physical run: every non-money column, and the customers table (all of it, or
    the given columns)."""
    pd.testing.assert_frame_equal(
        a.timeseries[NON_MONEY_COLUMNS], b.timeseries[NON_MONEY_COLUMNS], check_exact=True
    )
    columns = list(a.customers.columns) if customer_columns is None else customer_columns
    pd.testing.assert_frame_equal(a.customers[columns], b.customers[columns], check_exact=True)


@pytest.mark.parametrize(
    "overrides",
    [
        {"finance.unit_cost": 11.0},
        {"finance.fixed_cost_per_month": 1.0},
        {"finance.cost_per_inspection": 30.0, "finance.monitoring_cost_per_check": 1.0},
        {"finance.rework_cost_per_unit": 0.0, "finance.scrap_cost_per_unit": 99.0},
        {"finance.warranty_cost_per_claim": 5000.0, "finance.damage_claim_cost": 0.0},
        {"finance.complaint_handling_cost": 600.0},
        {"finance.annual_discount_rate": 0.5},
        # (the prevention budget is no cost rate: it lowers defect probabilities)
    ],
    ids=lambda o: ",".join(o),
)
def test_internal_cost_rates_change_only_money(small_config, make_config, overrides):
    """Cost rates are book-keeping: nothing in the model reads them except the ledger (and
    the discount rate also the customers' discounted order counts), so with the same seed
    every count, level and non-money ratio is identical. Customers never see costs: they
    judge quality, delivery and the price."""
    base = simulate(small_config, seed=11)
    changed = simulate(make_config(overrides), seed=11)
    discounting = "finance.annual_discount_rate" in overrides
    same_columns = [c for c in base.customers if not (discounting and c == "discounted_orders")]
    _assert_counts_identical(base, changed, same_columns)
    # ... while the money does change (the parameter is really used)
    money = ["total_cost", "discounted_profit"]
    assert not base.timeseries[money].equals(changed.timeseries[money])
    if discounting:
        discounted = base.customers["discounted_orders"]
        assert not discounted.equals(changed.customers["discounted_orders"])


def _price_blind(config) -> dict:
    """Overrides that make every segment ignore the price (price_weight 0)."""
    return {f"segments.{name}.price_weight": 0.0 for name in config.segments}


def test_unit_price_changes_only_money_when_no_segment_weighs_price(small_config, make_config):
    # Customers see the price only through the loyalty term -price_weight * (unit_price /
    # competitor_price - 1) (models/satisfaction.py); acquisition does not depend on it,
    # and revenue is booked at dispatch. With every price_weight at 0 the same seed gives
    # the same physical run, and revenue scales with the price.
    blind = make_config(_price_blind(small_config))
    base = simulate(blind, seed=12)
    pricier = simulate(blind.with_overrides({"finance.unit_price": 240.0}), seed=12)
    _assert_counts_identical(base, pricier)
    assert pricier.summary["revenue"] == 2.0 * base.summary["revenue"]
    assert pricier.summary["profit"] > base.summary["profit"]


def test_customers_see_only_the_price_relative_to_the_competitor(small_config, make_config):
    # Doubling our price and the competitor's leaves unit_price / competitor_price (a
    # correctly rounded quotient, so bit for bit) and thus every decision unchanged; only
    # the money moves, revenue exactly twofold.
    finance, environment = small_config.finance, small_config.environment
    base = simulate(small_config, seed=12)
    both = make_config(
        {
            "finance.unit_price": 2.0 * finance.unit_price,
            "environment.competitor_price": 2.0 * environment.competitor_price,
        }
    )
    doubled = simulate(both, seed=12)
    _assert_counts_identical(base, doubled)
    assert doubled.summary["revenue"] == 2.0 * base.summary["revenue"]


def test_unit_price_is_seen_by_customers_with_the_default_segments(small_config, make_config):
    # The counterpart of the two tests above: with the default price weights a higher
    # price than the competitor's changes the customers' decisions, not only the money.
    assert all(segment.price_weight > 0 for segment in small_config.segments.values())
    base = simulate(small_config, seed=12)
    pricier = simulate(make_config({"finance.unit_price": 240.0}), seed=12)
    assert not base.timeseries["customers_lost"].equals(pricier.timeseries["customers_lost"])


@pytest.mark.parametrize(
    "overrides",
    [
        {"quality.inspection_coverage": 1.0, "quality.detection_probability": 1.0},
        {"market.initial_customers": 20, "market.prospects": 0},
        # one slow line: close to saturation, so production timing really changes
        {"operations.production_lines": 1, "operations.cycle_time.mean": 150.0},
        {"operations.process_capability_cpk": 0.4, "workforce.skill": 0.0},
        {"distribution.shipping_capacity_per_day": 2},
        # the demand side: loyalty, complaints, switching costs, price
        {
            **fixed_loyalty(0.5),
            "service.complaint_probability": 1.0,
            "service.desk_staff": 0,
            "environment.switching_cost": 0.0,
            "finance.unit_price": 200.0,
        },
        # inflows: diffusion, word of mouth, competitor churn
        {
            "acquisition.marketing_rate_per_year": 5.0,
            "acquisition.referral_rate_per_year": 5.0,
            "acquisition.negative_wom_weight": 10.0,
            "environment.competitor_churn_per_year": 6.0,
        },
        NO_ACQUISITION,
        # the environment: technology shocks, rising norms, demand cycles
        {
            "environment.technology_shock_rate_per_year": 6.0,
            "environment.expectation_growth_per_year": 1.0,
            "environment.seasonality_amplitude": 0.8,
            "environment.economic_cycle_amplitude": 0.5,
        },
    ],
    ids=[
        "inspection",
        "market",
        "lines",
        "defects",
        "shipping",
        "loyalty-service",
        "inflows",
        "no-inflows",
        "environment",
    ],
)
def test_process_control_is_independent_of_other_mechanisms(small_config, make_config, overrides):
    """Drift and SPC checks draw from their own streams ('drift', 'spc_check') and read
    nothing from production, inspection, customers, the service desk, acquisition, the
    market environment or distribution, so the whole drift history is identical when only
    those mechanisms change."""
    base = simulate(small_config, seed=13)
    changed = simulate(make_config(overrides), seed=13)
    pd.testing.assert_frame_equal(
        base.timeseries[PROCESS_CONTROL_COLUMNS],
        changed.timeseries[PROCESS_CONTROL_COLUMNS],
        check_exact=True,
    )
    # ...while the change did affect the run elsewhere
    assert not base.timeseries.equals(changed.timeseries)


def test_process_control_does_change_with_its_own_parameters(small_config, make_config):
    base = simulate(small_config, seed=14)
    changed = simulate(make_config({"quality.drift_rate_per_month": 2.0}), seed=14)
    assert not base.timeseries["drift_events"].equals(changed.timeseries["drift_events"])
