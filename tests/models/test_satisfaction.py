"""The satisfaction and loyalty equations (pure functions) and their calibration."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sqm_sim import Config
from sqm_sim.models.satisfaction import (
    DISSATISFIED,
    NEUTRAL,
    SATISFIED,
    Segment,
    experience,
    logistic,
    mood,
    recovered_satisfaction,
    recovery_credit,
    repurchase_log_odds,
    transaction_satisfaction,
    updated_satisfaction,
)

unit = st.floats(0.0, 1.0)


def segment(**overrides) -> Segment:
    settings = Config().segments["quality_driven"].model_copy(update=overrides)
    return Segment.from_settings(0, "test", settings)


def test_experience_is_the_weighted_sum_of_what_the_customer_notices():
    seg = segment()
    assert experience(seg, 1.0, True, True) == pytest.approx(1.0)
    assert experience(seg, 0.8, True, True) == pytest.approx(
        seg.weight_performance * 0.8 + seg.weight_reliability + seg.weight_delivery
    )
    assert experience(seg, 1.0, False, True) == pytest.approx(1.0 - seg.weight_reliability)
    assert experience(seg, 1.0, True, False) == pytest.approx(1.0 - seg.weight_delivery)


@given(
    experienced=unit,
    expectation=unit,
    weight=st.floats(0.0, 10.0),
    weight_negative=st.floats(0.0, 10.0),
)
def test_transaction_satisfaction_stays_on_the_scale(
    experienced, expectation, weight, weight_negative
):
    value = transaction_satisfaction(experienced, expectation, weight, weight_negative)
    assert 0.0 <= value <= 1.0
    if expectation == experienced:  # confirmation: satisfaction is the experience itself
        assert value == pytest.approx(experienced)


@given(experienced=unit, low=unit, high=unit)
def test_higher_expectations_never_raise_satisfaction(experienced, low, high):
    low, high = min(low, high), max(low, high)
    assert transaction_satisfaction(experienced, high, 0.5, 2.0) <= transaction_satisfaction(
        experienced, low, 0.5, 2.0
    )


def test_negative_disconfirmation_hurts_more_than_the_experience_alone():
    assert transaction_satisfaction(0.5, 0.9, 0.0, 1.0) == pytest.approx(0.1)
    assert transaction_satisfaction(0.5, 0.9, 1.0, 0.0) == pytest.approx(0.5)


def test_each_side_of_the_surprise_has_its_own_weight():
    # disappointment: 0.6 + 0.75 * (0.6 - 0.8) = 0.45 (the positive weight plays no part)
    assert transaction_satisfaction(0.6, 0.8, 9.0, 0.75) == pytest.approx(0.45)
    # pleasant surprise: 0.6 + 0.5 * (0.6 - 0.4) = 0.7 (the negative weight plays no part)
    assert transaction_satisfaction(0.6, 0.4, 0.5, 9.0) == pytest.approx(0.7)
    # confirmation: neither weight matters
    assert transaction_satisfaction(0.6, 0.6, 9.0, 9.0) == pytest.approx(0.6)


def test_satisfaction_falls_with_one_memory_and_recovers_with_the_other():
    # worse than so far: 0.8 + 0.6 * (0.2 - 0.8) = 0.44
    assert updated_satisfaction(0.8, 0.2, 0.1, 0.6) == pytest.approx(0.44)
    # better than so far: 0.44 + 0.1 * (0.9 - 0.44) = 0.486
    assert updated_satisfaction(0.44, 0.9, 0.1, 0.6) == pytest.approx(0.486)
    # equal: unchanged whatever the weights
    assert updated_satisfaction(0.5, 0.5, 0.1, 0.6) == 0.5


def test_mood_thresholds():
    assert mood(0.7, 0.7, 0.4) == SATISFIED
    assert mood(0.69, 0.7, 0.4) == NEUTRAL
    assert mood(0.4, 0.7, 0.4) == NEUTRAL
    assert mood(0.39, 0.7, 0.4) == DISSATISFIED


@given(st.floats(-800.0, 800.0))
def test_logistic_is_a_probability_without_overflow(log_odds):
    p = logistic(log_odds)
    assert 0.0 <= p <= 1.0
    assert p == pytest.approx(1.0 - logistic(-log_odds), abs=1e-12)


def test_logistic_matches_the_definition():
    for u in (-3.0, -0.5, 0.0, 0.7, 4.0):
        assert logistic(u) == pytest.approx(1.0 / (1.0 + math.exp(-u)))


@given(s1=unit, s2=unit, w1=unit, w2=unit, q=unit)
def test_loyalty_rises_with_satisfaction_and_switching_cost(s1, s2, w1, w2, q):
    seg = segment()
    low_s, high_s = sorted((s1, s2))
    low_w, high_w = sorted((w1, w2))
    assert repurchase_log_odds(seg, high_s, q, 0.5, 0.0) >= repurchase_log_odds(
        seg, low_s, q, 0.5, 0.0
    )
    assert repurchase_log_odds(seg, 0.8, q, high_w, 0.0) >= repurchase_log_odds(
        seg, 0.8, q, low_w, 0.0
    )


def test_a_better_competitor_and_a_dearer_price_lower_loyalty():
    seg = segment()
    assert repurchase_log_odds(seg, 0.8, 0.9, 0.5, 0.0) < repurchase_log_odds(
        seg, 0.8, 0.7, 0.5, 0.0
    )
    assert repurchase_log_odds(seg, 0.8, 0.8, 0.5, 0.1) < repurchase_log_odds(
        seg, 0.8, 0.8, 0.5, 0.0
    )


def _stay_probability(config: Config, satisfaction: float, segment_name: str) -> float:
    env = config.environment
    seg = Segment.from_settings(0, segment_name, config.segments[segment_name])
    price_gap = config.finance.unit_price / env.competitor_price - 1.0
    return logistic(
        repurchase_log_odds(
            seg, satisfaction, env.competitor_quality, env.switching_cost, price_gap
        )
    )


@pytest.mark.parametrize("segment_name", ["quality_driven", "price_driven"])
def test_default_recovery_credits_reproduce_the_tarp_ordering(segment_name):
    """TARP (Goodman): after a problem, loyalty rises from silent customers, to complaints
    ending unresolved, to slow resolutions, to quick ones; a quick resolution of a first
    failure beats never having had a problem (the recovery paradox), of a second failure
    it does not (Maxham & Netemeyer 2002)."""
    config = Config()
    service, customers = config.service, config.customers
    seg = Segment.from_settings(0, segment_name, config.segments[segment_name])
    # a long-standing customer with no problem at all: perfect deliveries, expectations
    # adapted to them (E = x), so satisfaction settles at the experience itself
    perfect = experience(seg, config.product.feature_level, True, True)
    weights = (customers.disconfirmation_weight_positive, customers.disconfirmation_weight_negative)
    no_problem = transaction_satisfaction(perfect, perfect, *weights)
    # then a defective unit
    defective = experience(seg, config.product.feature_level, False, True)
    transaction = transaction_satisfaction(defective, perfect, *weights)
    after_problem = updated_satisfaction(
        no_problem,
        transaction,
        customers.satisfaction_memory_positive,
        customers.satisfaction_memory_negative,
    )

    def after(credit: float, earlier: int = 0) -> float:
        given = recovery_credit(credit, earlier, service.repeat_failure_credit_factor)
        return _stay_probability(
            config, recovered_satisfaction(no_problem, after_problem, given), segment_name
        )

    silent = _stay_probability(config, after_problem, segment_name)
    failed, slow = after(service.recovery_credit_failed), after(service.recovery_credit_slow)
    fast = after(service.recovery_credit_fast)
    never = _stay_probability(config, no_problem, segment_name)
    assert silent < failed < slow < fast
    assert fast > never
    assert after(service.recovery_credit_fast, earlier=1) < never


def test_recovery_credit_and_recovered_satisfaction_by_hand():
    assert recovery_credit(1.2, 0, 0.5) == pytest.approx(1.2)
    assert recovery_credit(1.2, 2, 0.5) == pytest.approx(0.3)
    # 0.4 + 0.5 * (0.9 - 0.4) = 0.65; a credit of 1.5 overshoots: 0.4 + 0.75 = 1.15 -> 1
    assert recovered_satisfaction(0.9, 0.4, 0.5) == pytest.approx(0.65)
    assert recovered_satisfaction(0.9, 0.4, 1.5) == 1.0
    assert recovered_satisfaction(0.9, 0.4, 0.0) == pytest.approx(0.4)
    # satisfaction rose while the complaint was open (0.1 before, 0.5 now): a large credit
    # of a negative loss goes below 0 (0.5 + 3 * (0.1 - 0.5) = -0.7) and is clipped
    assert recovered_satisfaction(0.1, 0.5, 3.0) == 0.0


def test_baseline_loyalty_is_calibrated_to_reported_retention():
    """At baseline satisfaction each segment keeps 96-99% per monthly order, i.e. roughly
    60-90% a year, the band of Reichheld & Sasser (1990)."""
    config = Config()
    for name in config.segments:
        per_order = _stay_probability(config, config.customers.initial_satisfaction, name)
        annual = per_order ** (365.25 / config.market.purchase_cycle.mean)
        assert 0.6 <= annual <= 0.9, (name, per_order, annual)


# -- hand-worked values ------------------------------------------------------------------


def test_experience_on_a_hand_worked_case():
    seg = segment(weight_performance=0.5, weight_reliability=0.3, weight_delivery=0.2)
    assert experience(seg, 0.8, True, True) == pytest.approx(0.9)
    assert experience(seg, 0.8, False, True) == pytest.approx(0.6)
    assert experience(seg, 0.8, True, False) == pytest.approx(0.7)
    assert experience(seg, 1.2, False, False) == pytest.approx(0.6)


def test_transaction_satisfaction_on_hand_worked_cases():
    assert transaction_satisfaction(0.6, 0.8, 0.5, 0.5) == pytest.approx(0.5)  # 0.6 - 0.5 * 0.2
    assert transaction_satisfaction(0.6, 0.4, 0.5, 0.5) == pytest.approx(0.7)  # 0.6 + 0.5 * 0.2
    assert transaction_satisfaction(0.9, 0.5, 1.0, 0.0) == 1.0  # 1.3, clipped
    assert transaction_satisfaction(0.1, 0.5, 0.0, 1.0) == 0.0  # -0.3, clipped
    assert transaction_satisfaction(1.0, 0.0, 0.0, 0.0) == 1.0


def test_repurchase_log_odds_on_a_hand_worked_case():
    seg = segment(
        loyalty_intercept=1.5, satisfaction_weight=4.0, switching_cost_weight=2.0, price_weight=3.0
    )
    # 1.5 + 4 (0.9 - 0.7) + 2 * 0.25 * (1 - 0.9) - 3 * 0.1 = 2.05
    assert repurchase_log_odds(seg, 0.9, 0.7, 0.25, 0.1) == pytest.approx(2.05)
    assert repurchase_log_odds(seg, 0.5, 0.7, 0.0, -0.2) == pytest.approx(1.5 - 0.8 + 0.6)
    # switching cost holds the dissatisfied: S = 0.2, W = 0.9 adds 2 * 0.9 * 0.8 = 1.44
    assert repurchase_log_odds(seg, 0.2, 0.7, 0.9, 0.0) == pytest.approx(1.5 - 2.0 + 1.44)
    # ... and does nothing for the completely satisfied
    assert repurchase_log_odds(seg, 1.0, 0.7, 0.9, 0.0) == repurchase_log_odds(
        seg, 1.0, 0.7, 0.0, 0.0
    )


def test_logistic_on_hand_worked_values():
    assert logistic(0.0) == 0.5
    assert logistic(math.log(3.0)) == pytest.approx(0.75)
    assert logistic(-math.log(3.0)) == pytest.approx(0.25)
    assert logistic(-800.0) == pytest.approx(0.0, abs=1e-300)
    assert logistic(800.0) == 1.0
