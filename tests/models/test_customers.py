"""Customers: the satisfaction and expectation recursions, the experience of a cancelled
order, the repurchase decision and the discounting of a customer's orders, each checked
on a reduced company whose answer can be written down by hand."""

from __future__ import annotations

import math
from typing import Any

import pytest

from sqm_sim import Config, simulate
from sqm_sim.models.satisfaction import Segment, experience, logistic
from sqm_sim.models.units import DAYS_PER_MONTH
from tests.support import FREE_FULL_WALLET, NO_ACQUISITION, fixed_loyalty

# Every unit is good, undamaged and on time; nothing drifts; the market stands still.
FLAWLESS: dict[str, Any] = {
    "operations.design_defect_ppm": 0.0,
    "operations.process_capability_cpk": 3.0,
    "operations.human_error_probability_untrained": 0.0,
    "quality.drift_rate_per_month": 0.0,
    "quality.inspection_coverage": 0.0,
    "distribution.damage_probability": 0.0,
    "distribution.transit_time": {"kind": "deterministic", "mean": 2.0},
    "distribution.promised_lead_time_days": 10.0,
    "environment.expectation_growth_per_year": 0.0,
    "service.complaint_probability": 0.0,
}
MEMORY, ADAPTATION, DISCONFIRMATION = 0.3, 0.2, 0.5
S0, E0 = 0.2, 0.95  # a customer who starts unhappy, with high expectations
CUSTOMER_PARAMETERS: dict[str, Any] = {
    "customers.satisfaction_memory_positive": MEMORY,
    "customers.satisfaction_memory_negative": MEMORY,
    "customers.expectation_adaptation": ADAPTATION,
    "customers.disconfirmation_weight_positive": DISCONFIRMATION,
    "customers.disconfirmation_weight_negative": DISCONFIRMATION,
    "customers.initial_satisfaction": S0,
    "customers.initial_expectation": E0,
    "customers.expectation_spread": 0.0,
}
# No stock, no production to speak of (a unit takes ten years), so every order waits as a
# backorder until its patience runs out.
NO_SUPPLY: dict[str, Any] = {
    "operations.reorder_point_units": -1,
    "operations.order_up_to_units": 0,
    "operations.cycle_time": {"kind": "deterministic", "mean": 5e6},
}


def _config(overrides: dict[str, Any]) -> Config:
    return Config().with_overrides({**FREE_FULL_WALLET, **overrides})


def _segment(config: Config, name: str) -> Segment:
    return Segment.from_settings(0, name, config.segments[name])


def _recursion(x: float, deliveries: int) -> tuple[float, float]:
    """S and E after ``deliveries`` identical experiences x, by the model's equations:
    s = clip(x + d (x - E)), S <- (1 - m) S + m s, E <- E + a (x - E)."""
    satisfaction, expectation = S0, E0
    for _ in range(deliveries):
        transaction = min(1.0, max(0.0, x + DISCONFIRMATION * (x - expectation)))
        satisfaction = (1.0 - MEMORY) * satisfaction + MEMORY * transaction
        expectation += ADAPTATION * (x - expectation)
    return satisfaction, expectation


@pytest.mark.parametrize("feature_level", [0.5, 1.0])
def test_a_loyal_customer_follows_the_satisfaction_and_expectation_recursions(feature_level):
    """One customer, one flawless delivery every 20 days: after n deliveries of experience
    x = w_perf * feature + w_rel + w_del, S and E are the closed-form recursions (and
    E_n = x + (E0 - x)(1 - a)^n)."""
    config = _config(
        {
            "simulation.horizon_months": 6,
            "market.initial_customers": 1,
            "market.prospects": 0,
            **NO_ACQUISITION,
            **fixed_loyalty(1.0),
            "market.purchase_cycle": {"kind": "deterministic", "mean": 20.0},
            "product.feature_level": feature_level,
            **FLAWLESS,
            **CUSTOMER_PARAMETERS,
        }
    )
    result = simulate(config, seed=7)
    (customer,) = result.customers.to_dict("records")
    deliveries = int(result.summary["units_delivered"])
    assert deliveries >= 7  # 6 months of 20-day cycles
    assert result.summary["deliveries_on_time"] == deliveries
    x = experience(_segment(config, customer["segment"]), feature_level, True, True)
    satisfaction, expectation = _recursion(x, deliveries)
    assert customer["expectation_end"] == pytest.approx(expectation, rel=1e-12)
    assert expectation == pytest.approx(x + (E0 - x) * (1.0 - ADAPTATION) ** deliveries)
    assert customer["satisfaction_end"] == pytest.approx(satisfaction, rel=1e-12)
    assert result.summary["mean_satisfaction_end"] == pytest.approx(satisfaction, rel=1e-12)


ASYMMETRIC: dict[str, Any] = {
    "customers.satisfaction_memory_positive": 0.15,
    "customers.satisfaction_memory_negative": 0.6,
    "customers.disconfirmation_weight_positive": 0.4,
    "customers.disconfirmation_weight_negative": 1.7,
    "customers.expectation_adaptation": 0.3,
    "customers.expectation_spread": 0.2,
    "customers.initial_satisfaction": 0.99,
    "customers.initial_expectation": 0.95,
}


def test_asymmetric_memories_and_weights_and_the_personal_standard_follow_the_recursion():
    """Satisfaction falls with one memory and recovers with another; a disappointment and a
    pleasant surprise have their own weights; each customer's expectation starts at
    E0 + d and settles d above the experience (d: their personal standard). Checked on
    customers whose standards differ, delivery by delivery, against the recursion written
    out by hand."""
    config = _config(
        {
            "simulation.horizon_months": 8,
            "market.initial_customers": 12,
            "market.prospects": 0,
            **NO_ACQUISITION,
            **fixed_loyalty(1.0),
            "market.purchase_cycle": {"kind": "deterministic", "mean": 20.0},
            "product.feature_level": 0.5,
            **FLAWLESS,
            **ASYMMETRIC,
        }
    )
    result = simulate(config, seed=11)
    table = result.customers
    standards = table["personal_standard"].to_numpy()
    assert standards.std() > 0.05  # the customers do differ
    memory_up, memory_down = 0.15, 0.6
    weight_up, weight_down = 0.4, 1.7
    both_signs_seen = set()
    for customer in table.to_dict("records"):
        x = experience(_segment(config, customer["segment"]), 0.5, True, True)
        satisfaction, expectation = 0.99, 0.95 + customer["personal_standard"]
        for _ in range(int(customer["orders"])):
            surprise = x - expectation
            both_signs_seen.add(surprise < 0)
            transaction = x + (weight_down if surprise < 0 else weight_up) * surprise
            transaction = min(1.0, max(0.0, transaction))
            memory = memory_down if transaction < satisfaction else memory_up
            satisfaction = (1.0 - memory) * satisfaction + memory * transaction
            expectation += 0.3 * (x + customer["personal_standard"] - expectation)
        assert customer["satisfaction_end"] == pytest.approx(satisfaction, rel=1e-12)
        assert customer["expectation_end"] == pytest.approx(expectation, rel=1e-12)
    assert both_signs_seen == {True, False}


def test_personal_standards_are_normal_with_the_configured_spread():
    """The standards of 2,000 customers: mean 0 and standard deviation 0.1 within their 99 %
    sampling intervals (z for the mean, chi-square for the variance)."""
    config = _config(
        {
            "simulation.horizon_months": 1,
            "market.initial_customers": 2000,
            "customers.expectation_spread": 0.1,
        }
    )
    standards = simulate(config, seed=5).customers["personal_standard"].to_numpy()
    n = len(standards)
    assert n >= 2000
    assert abs(standards.mean()) < 2.576 * 0.1 / math.sqrt(n)
    # chi-square(n - 1) 99 % interval of (n - 1) s^2 / sigma^2, normal approximation
    spread = 2.576 * math.sqrt(2.0 * (n - 1))
    statistic = (n - 1) * standards.var(ddof=1) / 0.1**2
    assert n - 1 - spread < statistic < n - 1 + spread


def test_a_cancelled_order_is_an_experience_of_zero():
    """Every order is cancelled (no supply): the customer's one experience is x = 0, so
    S = (1 - m) S0 + m clip(-d E0) = (1 - m) S0 and E = (1 - a) E0; with no loyalty at all
    the customer leaves right after, ``backorder_patience + 1`` days after ordering (the
    end-of-day check cancels an order that waited strictly longer than the patience)."""
    patience = 5.0
    config = _config(
        {
            "simulation.horizon_months": 2,
            "market.initial_customers": 0,
            "market.prospects": 400,
            **NO_ACQUISITION,
            "acquisition.marketing_rate_per_year": 3.0,
            **fixed_loyalty(0.0),
            "market.purchase_cycle": {"kind": "deterministic", "mean": 30.0},
            **NO_SUPPLY,
            "distribution.backorder_patience_days": patience,
            **CUSTOMER_PARAMETERS,
            "service.complaint_probability": 0.0,
        }
    )
    result = simulate(config, seed=3, trace_customers=True)
    lost = result.customers.dropna(subset=["lost_day"])
    assert len(lost) > 20
    assert result.summary["orders_cancelled"] == len(lost)
    # each lost customer's journey: joined, the cancelled order (no delivery), left
    assert result.journeys is not None
    journeys = result.journeys[result.journeys["customer_id"].isin(lost["customer_id"])]
    steps = journeys.groupby("customer_id", observed=True)["event"].agg(lambda e: list(e))
    assert all(events == ["joined", "cancelled", "left"] for events in steps)
    assert (lost["orders"] == 1).all()
    assert (lost["lost_day"] - lost["joined_day"] == patience + 1.0).all()
    assert lost["satisfaction_end"].to_numpy() == pytest.approx((1.0 - MEMORY) * S0)
    assert lost["expectation_end"].to_numpy() == pytest.approx((1.0 - ADAPTATION) * E0)


# Satisfaction pinned for the whole run: expectations never adapt and a huge
# disconfirmation weight clips every transaction to 1 (expectation 0) or to 0 (expectation
# 1, product far behind it), so S stays at its initial value.
PINNED_SATISFACTION: dict[str, Any] = {
    "customers.expectation_adaptation": 0.0,
    "customers.expectation_spread": 0.0,
    "customers.disconfirmation_weight_positive": 10.0,
    "customers.disconfirmation_weight_negative": 10.0,
    "product.feature_level": 0.5,
    "environment.competitor_quality_trend_per_year": 0.0,
}


@pytest.mark.parametrize("satisfaction", [0.0, 1.0])
@pytest.mark.parametrize("switching_cost", [0.1, 0.9])
def test_repurchase_probability_is_the_logistic_with_switching_cost_moderating(
    assert_binomial, satisfaction, switching_cost
):
    """P(stay) = logistic(b0 + b_S (S - q) + b_W W (1 - S) - b_P (price / p_c - 1)) with
    satisfaction pinned at 0 or 1: switching cost W holds the completely dissatisfied (S = 0)
    and does nothing for the completely satisfied (S = 1; Jones & Sasser 1995)."""
    intercept, w_satisfaction, w_switch, w_price = 1.0, 2.5, 2.0, 3.0
    price, competitor_price, competitor_quality = 132.0, 120.0, 0.6
    overrides: dict[str, Any] = {
        "simulation.horizon_months": 4,
        "market.initial_customers": 1000,
        "market.prospects": 0,
        **NO_ACQUISITION,
        **FLAWLESS,
        **PINNED_SATISFACTION,
        "customers.initial_satisfaction": satisfaction,
        "customers.initial_expectation": 1.0 - satisfaction,
        "environment.switching_cost": switching_cost,
        "environment.switching_cost_after": switching_cost,
        "environment.competitor_quality": competitor_quality,
        "finance.unit_price": price,
        "environment.competitor_price": competitor_price,
    }
    for name in Config().segments:
        overrides[f"segments.{name}.loyalty_intercept"] = intercept
        overrides[f"segments.{name}.satisfaction_weight"] = w_satisfaction
        overrides[f"segments.{name}.switching_cost_weight"] = w_switch
        overrides[f"segments.{name}.price_weight"] = w_price
    result = simulate(_config(overrides), seed=11)
    summary = result.summary
    assert (result.customers["satisfaction_end"] == satisfaction).all()
    stay = logistic(
        intercept
        + w_satisfaction * (satisfaction - competitor_quality)
        + w_switch * switching_cost * (1.0 - satisfaction)
        - w_price * (price / competitor_price - 1.0)
    )
    # by hand: S = 1 -> u = 1 + 1 - 0.3 = 1.7 whatever W; S = 0 -> u = 1 - 1.5 + 2 W - 0.3
    by_hand = 1.7 if satisfaction == 1.0 else -0.8 + 2.0 * switching_cost
    assert stay == pytest.approx(1.0 / (1.0 + math.exp(-by_hand)))
    assert summary["repurchase_decisions"] > 500
    assert_binomial(summary["repurchases"], summary["repurchase_decisions"], stay)
    assert summary["customers_lost"] == summary["repurchase_decisions"] - summary["repurchases"]


def test_customers_lost_to_quality_add_up_the_chance_a_flawless_experience_would_keep():
    """Satisfaction pinned at 0, every segment weighing experiences alike: a flawless
    delivery would give x* = 0.45 * 0.5 + 0.4 + 0.15 = 0.775 (feature level 0.5, state of
    the art 1; u(0.775) = 1 + 2.5 * 0.175 + 2 * 0.4 * 0.225 = 1.6175, u(0) = 0.3), so each
    decision adds logistic(u(0.775)) - logistic(u(0)) to
    customers_lost_to_quality, and the run total is that times the decisions."""
    intercept, w_satisfaction, w_switch, switching_cost, q = 1.0, 2.5, 2.0, 0.4, 0.6
    overrides: dict[str, Any] = {
        "simulation.horizon_months": 3,
        "market.initial_customers": 200,
        "market.prospects": 0,
        **NO_ACQUISITION,
        **FLAWLESS,
        **PINNED_SATISFACTION,
        "customers.initial_satisfaction": 0.0,
        "customers.initial_expectation": 1.0,
        "environment.switching_cost": switching_cost,
        "environment.switching_cost_after": switching_cost,
        "environment.competitor_quality": q,
        "environment.competitor_price": Config().finance.unit_price,
    }
    for name in Config().segments:
        overrides[f"segments.{name}.loyalty_intercept"] = intercept
        overrides[f"segments.{name}.satisfaction_weight"] = w_satisfaction
        overrides[f"segments.{name}.switching_cost_weight"] = w_switch
        overrides[f"segments.{name}.weight_performance"] = 0.45
        overrides[f"segments.{name}.weight_reliability"] = 0.4
        overrides[f"segments.{name}.weight_delivery"] = 0.15
    summary = simulate(_config(overrides), seed=5).summary

    def u(satisfaction: float) -> float:
        return (
            intercept
            + w_satisfaction * (satisfaction - q)
            + w_switch * switching_cost * (1.0 - satisfaction)
        )

    per_decision = logistic(u(0.775)) - logistic(u(0.0))
    assert per_decision == pytest.approx(1 / (1 + math.exp(-1.6175)) - 1 / (1 + math.exp(-0.3)))
    assert summary["repurchase_decisions"] > 100
    assert summary["customers_lost_to_quality"] == pytest.approx(
        summary["repurchase_decisions"] * per_decision, rel=1e-9
    )


def test_a_customers_orders_are_discounted_to_the_first_one():
    """Orders every 30 days exactly: the k-th order (k = 0, 1, ...) counts
    (1 + r_month)^(-30 k / days per month), r_month = (1 + d)^(1/12) - 1."""
    annual = 0.2
    config = _config(
        {
            "simulation.horizon_months": 12,
            "market.initial_customers": 5,
            "market.prospects": 0,
            **NO_ACQUISITION,
            **fixed_loyalty(1.0),
            **FLAWLESS,
            "market.purchase_cycle": {"kind": "deterministic", "mean": 30.0},
            "finance.annual_discount_rate": annual,
        }
    )
    customers = simulate(config, seed=5).customers
    monthly = (1.0 + annual) ** (1.0 / 12.0) - 1.0
    for orders, discounted in zip(customers["orders"], customers["discounted_orders"], strict=True):
        assert orders >= 11
        expected = sum((1.0 + monthly) ** (-30.0 * k / DAYS_PER_MONTH) for k in range(orders))
        assert discounted == pytest.approx(expected, rel=1e-12)
        assert discounted < orders
    assert customers["active_end"].all()


def test_population_levels_agree_with_the_customers_who_are_still_active():
    """Customers come, a third of the units are defective, and a tenth of the decisions
    are to leave: at the end, the active count, the mean satisfaction and the satisfied /
    dissatisfied counts (short memory: many dissatisfied) are those of the customers still
    active in the customers table (moods by the thresholds)."""
    config = _config(
        {
            "simulation.horizon_months": 6,
            "market.initial_customers": 300,
            "market.prospects": 300,
            "environment.competitor_customers": 300,
            "operations.design_defect_ppm": 300_000.0,
            "customers.satisfaction_memory_positive": 0.9,
            "customers.satisfaction_memory_negative": 0.9,
            **fixed_loyalty(0.9),
        }
    )
    result = simulate(config, seed=21)
    summary, table = result.summary, result.customers
    active = table[table["active_end"]]
    assert summary["customers_lost"] > 50
    assert summary["active_customers_end"] == len(active)
    assert summary["mean_satisfaction_end"] == pytest.approx(
        active["satisfaction_end"].mean(), rel=1e-9
    )
    thresholds = config.customers
    satisfied = (active["satisfaction_end"] >= thresholds.satisfied_threshold).sum()
    dissatisfied = (active["satisfaction_end"] < thresholds.dissatisfied_threshold).sum()
    assert summary["satisfied_customers_end"] == satisfied > 10
    assert summary["dissatisfied_customers_end"] == dissatisfied > 10
    competitor = summary["competitor_customers_end"]
    assert summary["market_share_end"] == pytest.approx(len(active) / (len(active) + competitor))


def test_customers_are_drawn_into_segments_by_their_shares(assert_binomial):
    config = _config(
        {
            "simulation.horizon_months": 1,
            "market.initial_customers": 3000,
            "segments.quality_driven.share": 0.5,
            "segments.price_driven.share": 0.3,
            "segments.delivery_driven.share": 0.2,
        }
    )
    segments = simulate(config, seed=2).customers["segment"]
    for name, share in (("quality_driven", 0.5), ("price_driven", 0.3), ("delivery_driven", 0.2)):
        assert_binomial(int((segments == name).sum()), len(segments), share)


def test_no_customers_no_market_share():
    config = _config(
        {
            "simulation.horizon_months": 2,
            "market.initial_customers": 0,
            "market.prospects": 0,
            **NO_ACQUISITION,
        }
    )
    summary = simulate(config, seed=1).summary
    assert summary["active_customers_end"] == 0
    assert summary["market_share_end"] == 0.0


def test_an_experience_exactly_at_the_dissatisfaction_threshold_is_no_complaint():
    """Threshold 0 and only cancelled orders (transaction satisfaction exactly 0): nobody
    is *below* the threshold, so nobody complains, however likely complaints are."""
    config = _config(
        {
            "simulation.horizon_months": 2,
            "market.initial_customers": 0,
            "market.prospects": 400,
            **NO_ACQUISITION,
            "acquisition.marketing_rate_per_year": 3.0,
            **fixed_loyalty(0.0),
            "market.purchase_cycle": {"kind": "deterministic", "mean": 30.0},
            **NO_SUPPLY,
            "distribution.backorder_patience_days": 3.0,
            "customers.dissatisfied_threshold": 0.0,
            "service.complaint_probability": 1.0,
        }
    )
    summary = simulate(config, seed=3).summary
    assert summary["orders_cancelled"] > 20
    assert summary["complaints_filed"] == 0


def test_seasonal_demand_multiplies_the_order_rate():
    """Seasonality 0.6 peaking in month 0: a customer's gap to the next order is divided by
    1 + 0.6 cos(2 pi (t / year - peak)), so about (1 + 0.6 * 0.95) / (1 - 0.6 * 0.95) = 3.7
    times as many orders are placed in the peak month as in the trough month (month 6);
    a margin of a factor 2 covers the lag of gaps drawn a month earlier."""
    config = _config(
        {
            "simulation.horizon_months": 12,
            "market.initial_customers": 600,
            "market.prospects": 0,
            **NO_ACQUISITION,
            **fixed_loyalty(1.0),
            "environment.seasonality_amplitude": 0.6,
            "environment.seasonality_peak_month": 0.0,
            "distribution.shipping_capacity_per_day": 200,
        }
    )
    orders = simulate(config, seed=4).timeseries["orders_placed"]
    assert orders.iloc[0] > 2.0 * orders.iloc[6]
    assert orders.iloc[11] > 2.0 * orders.iloc[6]


def test_a_very_lenient_customer_expects_nothing_rather_than_less():
    """A personal standard far below the experience: the expectation starts at and moves
    towards max(0, x + d), never below the scale's floor (a wide spread makes some standards
    far below -1 while every experience is at most 1)."""
    config = _config(
        {
            "simulation.horizon_months": 6,
            "market.initial_customers": 400,
            "customers.expectation_spread": 0.5,
            "customers.initial_expectation": 0.0,
            "customers.expectation_adaptation": 0.7,
        }
    )
    table = simulate(config, seed=3).customers
    assert (table["personal_standard"] < -1.0).any()
    assert (table["expectation_end"] >= 0.0).all()
    lenient = table[table["personal_standard"] < -1.0]
    assert (lenient["expectation_end"] == 0.0).all()
