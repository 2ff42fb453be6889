"""Share of wallet (sqm_sim.models.wallet): w(S) and the orders lost to quality by hand,
then a reduced company whose customers are pinned at one satisfaction."""

from __future__ import annotations

import math
from typing import Any

import pytest

from sqm_sim import Config, simulate
from sqm_sim.models.units import DAYS_PER_MONTH
from sqm_sim.models.wallet import orders_lost_per_order, share_of_wallet
from tests.support import NO_ACQUISITION, fixed_loyalty


@pytest.mark.parametrize(
    ("satisfaction", "expected"),
    [
        (0.0, 0.2),  # the floor
        (0.5, 0.4),  # 0.2 + 0.8 * 0.25
        (0.9, 0.848),  # 0.2 + 0.8 * 0.81
        (1.0, 1.0),  # the completely satisfied give the firm all their purchases
    ],
)
def test_share_of_wallet_is_the_floor_plus_the_convex_rest(satisfaction, expected):
    assert share_of_wallet(satisfaction, 0.2, 2.0) == pytest.approx(expected, rel=1e-12)


def test_share_of_wallet_is_one_when_the_floor_is_one_or_the_exponent_zero():
    for satisfaction in (0.0, 0.3, 1.0):
        assert share_of_wallet(satisfaction, 1.0, 2.0) == 1.0
        assert share_of_wallet(satisfaction, 0.2, 0.0) == 1.0


def test_share_of_wallet_rises_faster_near_the_top_when_convex():
    low = share_of_wallet(0.2, 0.2, 2.0) - share_of_wallet(0.1, 0.2, 2.0)
    high = share_of_wallet(1.0, 0.2, 2.0) - share_of_wallet(0.9, 0.2, 2.0)
    assert low == pytest.approx(0.8 * (0.04 - 0.01))
    assert high == pytest.approx(0.8 * (1.0 - 0.81))


def test_orders_lost_per_order_compare_with_a_flawless_share():
    # a gap stretched by 1 / 0.4 holds 0.848 / 0.4 = 2.12 orders at the flawless share
    assert orders_lost_per_order(0.4, 0.848) == pytest.approx(1.12, rel=1e-12)
    assert orders_lost_per_order(0.5, 0.5) == 0.0
    assert orders_lost_per_order(0.5, 0.75) == 0.5  # less than one order lost still counts
    # a customer above the flawless share loses nothing (no negative loss)
    assert orders_lost_per_order(0.848, 0.4) == 0.0


# -- a reduced company: satisfaction pinned, nobody leaves ---------------------------------

FLOOR, EXPONENT, PINNED, CYCLE, CV, FEATURES = 0.2, 2.0, 0.5, 30.0, 0.5, 0.8


def _pinned_company(months: int) -> dict[str, Any]:
    """1,500 customers whose satisfaction never moves (both memory weights 0, so a
    delivery's transaction never enters S and a recovery gives back nothing lost), who never
    leave and are never joined by others; every segment weighs experiences alike."""
    overrides: dict[str, Any] = {
        "simulation.horizon_months": months,
        "market.initial_customers": 1500,
        "market.prospects": 0,
        "market.purchase_cycle": {"kind": "gamma", "mean": CYCLE, "cv": CV},
        **NO_ACQUISITION,
        **fixed_loyalty(1.0),
        "customers.initial_satisfaction": PINNED,
        "customers.satisfaction_memory_positive": 0.0,
        "customers.satisfaction_memory_negative": 0.0,
        "customers.share_of_wallet_floor": FLOOR,
        "customers.share_of_wallet_exponent": EXPONENT,
        "product.feature_level": FEATURES,
        "environment.expectation_growth_per_year": 0.0,
    }
    for name in Config().segments:
        overrides[f"segments.{name}.weight_performance"] = 0.45
        overrides[f"segments.{name}.weight_reliability"] = 0.4
        overrides[f"segments.{name}.weight_delivery"] = 0.15
    return overrides


def test_a_customer_pinned_at_satisfaction_s_orders_at_rate_w_s_per_cycle():
    """S = 0.5: w = 0.2 + 0.8 * 0.25 = 0.4, so each customer is a stationary renewal process
    with mean gap 30 / 0.4 = 75 days (the first gap an equilibrium residual, stretched
    alike). Over t days N customers place N t w / 30 orders in expectation, with variance
    N (t w / 30) cv^2 for long t (renewal CLT); the count lies within 4.5 sd of it."""
    months = 24
    summary = simulate(Config().with_overrides(_pinned_company(months)), seed=3).summary
    w = share_of_wallet(PINNED, FLOOR, EXPONENT)
    assert w == pytest.approx(0.4)
    expected = 1500 * months * DAYS_PER_MONTH * w / CYCLE
    sd = math.sqrt(expected * CV**2)
    assert abs(summary["orders_placed"] - expected) < 4.5 * sd, (summary["orders_placed"], expected)
    # at full share of wallet the same company orders 2.5 times as often
    full = simulate(
        Config().with_overrides(
            {**_pinned_company(months), "customers.share_of_wallet_floor": 1.0}
        ),
        seed=3,
    ).summary
    expected_full = expected / w
    assert abs(full["orders_placed"] - expected_full) < 4.5 * math.sqrt(expected_full * CV**2)
    assert full["orders_lost_to_quality"] == 0.0


def test_each_order_books_the_orders_a_flawless_share_of_wallet_would_add():
    """A flawless delivery gives x* = 0.45 * 0.8 + 0.4 + 0.15 = 0.91 (state of the art 1),
    w(0.91) = 0.2 + 0.8 * 0.8281 = 0.86248; a customer pinned at w(0.5) = 0.4 books
    0.86248 / 0.4 - 1 = 1.1562 orders lost per order, and the hidden cost of lost sales is
    that times the margin of an order (nobody leaves, so no customer is lost to quality:
    the logistic is 1 whatever the satisfaction)."""
    config = Config().with_overrides(_pinned_company(6))
    summary = simulate(config, seed=4).summary
    per_order = orders_lost_per_order(0.4, share_of_wallet(0.91, FLOOR, EXPONENT))
    assert per_order == pytest.approx(0.86248 / 0.4 - 1.0)
    assert summary["orders_placed"] > 3000  # 1500 * 6 * 30.44 * 0.4 / 30 = 3,653 expected
    assert summary["orders_lost_to_quality"] == pytest.approx(
        summary["orders_placed"] * per_order, rel=1e-9
    )
    assert summary["customers_lost_to_quality"] == 0.0
    margin = (
        config.finance.unit_price
        - (summary["production_cost"] + summary["coq_total"]) / summary["units_produced"]
    )
    assert summary["lost_sales_cost"] == pytest.approx(
        summary["orders_lost_to_quality"] * margin, rel=1e-9
    )
