"""Acquisition: the Bass hazards of marketing, referral and negative word of mouth, and
the competitor's churn back to the prospect pool, on a market where moods never change.

No supply at all (no stock, a unit takes ten years, patience of ten years): no order is
ever delivered or cancelled, so no customer has an experience and every customer keeps
the mood of the initial satisfaction. The diffusion runs once a day at whole days, so a
horizon of T days has floor(T) steps.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from scipy import stats

from sqm_sim import Config, simulate
from sqm_sim.models.units import DAYS_PER_MONTH, DAYS_PER_YEAR
from tests.support import NO_ACQUISITION

FROZEN_MOODS: dict[str, Any] = {
    **NO_ACQUISITION,
    "operations.reorder_point_units": -1,
    "operations.order_up_to_units": 0,
    "operations.cycle_time": {"kind": "deterministic", "mean": 5e6},
    "distribution.backorder_patience_days": 3650.0,
}
SATISFIED = {"customers.initial_satisfaction": 0.9}  # above the 0.8 threshold
DISSATISFIED = {"customers.initial_satisfaction": 0.3}  # below the 0.4 threshold


def _run(overrides: dict[str, Any], seed: int):
    config = Config().with_overrides({**FROZEN_MOODS, **overrides})
    return config, simulate(config, seed)


def _days(config: Config) -> int:
    return int(config.simulation.horizon_months * DAYS_PER_MONTH)


def test_marketing_alone_wins_each_prospect_with_the_compounded_hazard(assert_binomial):
    """q = 0: each prospect is won with 1 - exp(-p / year) a day, so by the horizon
    Binomial(P0, 1 - exp(-p D / year)) of them are customers."""
    p, prospects = 0.8, 3000
    config, result = _run(
        {
            "simulation.horizon_months": 6,
            "market.prospects": prospects,
            "acquisition.marketing_rate_per_year": p,
        },
        seed=1,
    )
    summary = result.summary
    share = -math.expm1(-p * _days(config) / DAYS_PER_YEAR)
    assert_binomial(summary["customers_acquired"], prospects, share)
    assert summary["customers_referred"] == 0
    assert summary["prospects_remaining_end"] == prospects - summary["customers_acquired"]


def test_referrals_follow_the_bass_hazard_of_satisfied_customers():
    """Every customer is satisfied, so on day d n+ = N0 + customers won before d and each of
    the P_d prospects left is won with 1 - exp(-(p + q n+ / M) / year), M = N0 + C0 + P0.
    The daily counts (from the customers' join days) minus their conditional means sum to
    a martingale: z-test against its variance. Of each day's winners the share
    q n+ / M / (p + q n+ / M) are referrals."""
    p, q, customers, competitor, prospects = 0.05, 2.0, 500, 500, 2000
    config, result = _run(
        {
            "simulation.horizon_months": 6,
            "market.initial_customers": customers,
            "environment.competitor_customers": competitor,
            "market.prospects": prospects,
            "acquisition.marketing_rate_per_year": p,
            "acquisition.referral_rate_per_year": q,
            **SATISFIED,
        },
        seed=2,
    )
    market = customers + competitor + prospects
    joined = result.customers["joined_day"].to_numpy()
    days = _days(config)
    won = np.bincount(joined[joined > 0].astype(int), minlength=days + 1)[1:]
    assert won.sum() == result.summary["customers_acquired"] > 200
    before = np.concatenate([[0], np.cumsum(won)[:-1]])
    referral = q * (customers + before) / market / DAYS_PER_YEAR
    hazard = -np.expm1(-(p / DAYS_PER_YEAR + referral))
    left = prospects - before
    mean, variance = left * hazard, left * hazard * (1.0 - hazard)
    z = (won.sum() - mean.sum()) / math.sqrt(variance.sum())
    assert abs(z) < stats.norm.ppf(0.9995), z

    referred_share = referral / (p / DAYS_PER_YEAR + referral)
    expected = (won * referred_share).sum()
    spread = math.sqrt((won * referred_share * (1.0 - referred_share)).sum())
    z = (result.summary["customers_referred"] - expected) / spread
    assert abs(z) < stats.norm.ppf(0.9995), z


def test_dissatisfied_customers_deter_prospects(assert_binomial):
    """No marketing and nobody satisfied: no one is won; each prospect is deterred with
    1 - exp(-q w n- / M / year) a day, n- = N0 (all dissatisfied) throughout."""
    q, w, customers, competitor, prospects = 1.0, 2.0, 600, 400, 1000
    config, result = _run(
        {
            "simulation.horizon_months": 6,
            "market.initial_customers": customers,
            "environment.competitor_customers": competitor,
            "market.prospects": prospects,
            "acquisition.referral_rate_per_year": q,
            "acquisition.negative_wom_weight": w,
            **DISSATISFIED,
        },
        seed=3,
    )
    summary = result.summary
    assert summary["customers_acquired"] == 0
    daily = q * w * customers / (customers + competitor + prospects) / DAYS_PER_YEAR
    assert_binomial(summary["prospects_deterred"], prospects, -math.expm1(-daily * _days(config)))
    assert summary["competitor_customers_end"] == competitor + summary["prospects_deterred"]


def test_the_competitors_customers_return_to_the_market(assert_binomial):
    churn, competitor = 0.5, 2000
    config, result = _run(
        {
            "simulation.horizon_months": 12,
            "market.initial_customers": 0,
            "market.prospects": 0,
            "environment.competitor_customers": competitor,
            "environment.competitor_churn_per_year": churn,
        },
        seed=4,
    )
    summary = result.summary
    share = -math.expm1(-churn * _days(config) / DAYS_PER_YEAR)
    assert_binomial(summary["returned_to_market"], competitor, share)
    assert summary["prospects_remaining_end"] == summary["returned_to_market"]
    assert summary["competitor_customers_end"] == competitor - summary["returned_to_market"]


def _years(months: int) -> dict[str, Any]:
    return {"simulation.horizon_months": months, "market.initial_customers": 0}


def test_the_last_prospect_can_be_won():
    """One prospect, marketing 10 a year for 10 years: not won with probability e^-100."""
    _, result = _run(
        {**_years(120), "market.prospects": 1, "acquisition.marketing_rate_per_year": 10.0}, 5
    )
    assert result.summary["customers_acquired"] == 1


def test_the_last_prospect_can_be_deterred():
    """One prospect, one dissatisfied customer in a market of 2, q w = 20 a year: deterred
    within 10 years except with probability e^-100."""
    _, result = _run(
        {
            **_years(120),
            "market.initial_customers": 1,
            "market.prospects": 1,
            "environment.competitor_customers": 0,
            "acquisition.referral_rate_per_year": 2.0,
            "acquisition.negative_wom_weight": 10.0,
            **DISSATISFIED,
        },
        6,
    )
    assert result.summary["prospects_deterred"] == 1


def test_the_competitors_last_customer_can_return():
    _, result = _run(
        {
            **_years(120),
            "market.prospects": 0,
            "environment.competitor_customers": 1,
            "environment.competitor_churn_per_year": 10.0,
        },
        7,
    )
    assert result.summary["returned_to_market"] == 1


def test_customers_return_while_the_prospect_pool_is_empty(assert_binomial):
    """No prospects at the start and a trickle of returns (0.5 a year from 10 customers):
    days with an empty pool do not stop the churn; by 10 years Binomial(10, 1 - e^-5)."""
    config, result = _run(
        {
            **_years(120),
            "market.prospects": 0,
            "environment.competitor_customers": 10,
            "environment.competitor_churn_per_year": 0.5,
        },
        8,
    )
    share = -math.expm1(-0.5 * _days(config) / DAYS_PER_YEAR)
    assert_binomial(result.summary["returned_to_market"], 10, share)
