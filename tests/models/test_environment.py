"""The external environment as functions of time."""

from __future__ import annotations

import math

import numpy as np
import pytest
import simpy
from scipy import stats

from sqm_sim import Config, simulate
from sqm_sim.models.context import Context
from sqm_sim.models.environment import MarketEnvironment
from sqm_sim.models.ledger import Ledger
from sqm_sim.models.random_streams import RandomStreams
from sqm_sim.models.tally import Tally
from sqm_sim.models.units import DAYS_PER_MONTH, DAYS_PER_YEAR


def environment(overrides: dict, seed: int = 1) -> MarketEnvironment:
    config = Config().with_overrides(overrides)
    env = simpy.Environment()
    ledger = Ledger(env, config.simulation.horizon_months)
    return MarketEnvironment(Context(env, config, RandomStreams(seed), Tally(), ledger))


def test_state_of_the_art_grows_at_the_norms_rate():
    env = environment({"environment.expectation_growth_per_year": 0.05})
    assert env.state_of_the_art(0.0) == pytest.approx(1.0)
    assert env.state_of_the_art(DAYS_PER_YEAR) == pytest.approx(1.05)
    assert env.state_of_the_art(3 * DAYS_PER_YEAR) == pytest.approx(1.05**3)


def test_the_state_of_the_art_kept_from_the_last_call_is_never_stale():
    """Asked again at the same instant it gives the same level; asked at another instant,
    that instant's level (the kept answer is only a shortcut)."""
    overrides = {
        "environment.expectation_growth_per_year": 0.05,
        "environment.technology_shock_months": [6],
        "environment.technology_shock_size": 0.2,
    }
    env = environment(overrides)
    before, after = 6 * DAYS_PER_MONTH - 1.0, 6 * DAYS_PER_MONTH
    asked = [before, before, after, after, before, 0.0]
    levels = [env.state_of_the_art(t) for t in asked]
    growth = 1.05 ** (1.0 / DAYS_PER_YEAR)
    expected = [growth**before, growth**before, 1.2 * growth**after, 1.2 * growth**after]
    expected += [growth**before, 1.0]
    assert levels == pytest.approx(expected, rel=1e-12)


def test_scheduled_technology_shocks_jump_the_state_of_the_art():
    env = environment(
        {
            "environment.expectation_growth_per_year": 0.0,
            "environment.technology_shock_months": [6, 18],
            "environment.technology_shock_size": 0.2,
        }
    )
    assert env.state_of_the_art(6 * DAYS_PER_MONTH - 1e-9) == pytest.approx(1.0)
    assert env.state_of_the_art(6 * DAYS_PER_MONTH) == pytest.approx(1.2)
    assert env.state_of_the_art(20 * DAYS_PER_MONTH) == pytest.approx(1.44)


def test_random_shocks_are_a_poisson_process():
    rate, horizon_years, seeds = 2.0, 5, 300
    overrides = {
        "environment.technology_shock_rate_per_year": rate,
        "simulation.horizon_months": 12 * horizon_years,
    }
    counts = np.array([len(environment(overrides, seed).shock_times) for seed in range(seeds)])
    low, high = stats.poisson.interval(0.999, rate * horizon_years * seeds)
    assert low <= counts.sum() <= high
    times = np.concatenate([environment(overrides, s).shock_times for s in range(50)])
    # uniform over the horizon given the count (Kolmogorov-Smirnov)
    horizon_days = 12 * horizon_years * DAYS_PER_MONTH
    assert stats.kstest(times / horizon_days, "uniform").pvalue > 0.001


def test_a_shock_rate_below_one_a_year_still_shocks():
    """0.5 shocks a year over 50 years, 20 seeds: Poisson with mean 500 in all."""
    overrides = {
        "environment.technology_shock_rate_per_year": 0.5,
        "simulation.horizon_months": 600,
    }
    total = sum(len(environment(overrides, seed).shock_times) for seed in range(20))
    low, high = stats.poisson.interval(0.999, 0.5 * 50 * 20)
    assert low <= total <= high


def test_random_shocks_can_fall_on_the_first_day():
    """Shock times are uniform over the whole horizon, its first day included: with 12
    shocks a year over one month (about 1 a run) and 3000 runs, about 1/30.4 of some 3000
    shocks fall before day 1 (binomial, 99.9% interval)."""
    overrides = {"environment.technology_shock_rate_per_year": 12.0, "simulation.horizon_months": 1}
    times = np.concatenate([environment(overrides, seed).shock_times for seed in range(3000)])
    assert len(times) > 2000
    low, high = stats.binom.interval(0.999, len(times), 1.0 / DAYS_PER_MONTH)
    assert low <= np.count_nonzero(times < 1.0) <= high


def test_competitor_quality_follows_the_trend_and_is_capped():
    env = environment(
        {
            "environment.competitor_quality": 0.9,
            "environment.competitor_quality_trend_per_year": 0.05,
        }
    )
    assert env.competitor_quality(DAYS_PER_YEAR) == pytest.approx(0.95)
    assert env.competitor_quality(5 * DAYS_PER_YEAR) == 1.0


def test_switching_cost_changes_at_the_configured_month():
    env = environment(
        {
            "environment.switching_cost": 0.9,
            "environment.switching_cost_change_month": 24,
            "environment.switching_cost_after": 0.1,
        }
    )
    assert env.switching_cost(24 * DAYS_PER_MONTH - 0.01) == 0.9
    assert env.switching_cost(24 * DAYS_PER_MONTH) == 0.1


def test_change_month_0_means_no_change_of_the_switching_cost():
    env = environment(
        {
            "environment.switching_cost": 0.9,
            "environment.switching_cost_change_month": 0,
            "environment.switching_cost_after": 0.1,
        }
    )
    for days in (0.0, DAYS_PER_MONTH, 100 * DAYS_PER_YEAR):
        assert env.switching_cost(days) == 0.9


def test_change_month_1_changes_the_switching_cost_after_one_month():
    env = environment(
        {
            "environment.switching_cost": 0.9,
            "environment.switching_cost_change_month": 1,
            "environment.switching_cost_after": 0.1,
        }
    )
    assert env.switching_cost(DAYS_PER_MONTH - 0.01) == 0.9
    assert env.switching_cost(DAYS_PER_MONTH) == 0.1


def test_seasonality_peaks_in_the_peak_month_and_averages_one():
    env = environment(
        {"environment.seasonality_amplitude": 0.3, "environment.seasonality_peak_month": 3.0}
    )
    peak = env.demand_multiplier(3 * DAYS_PER_MONTH)
    trough = env.demand_multiplier(9 * DAYS_PER_MONTH)
    assert peak == pytest.approx(1.3)
    assert trough == pytest.approx(0.7)
    days = np.linspace(0.0, DAYS_PER_YEAR, 10_001)[:-1]
    assert np.mean([env.demand_multiplier(d) for d in days]) == pytest.approx(1.0, abs=1e-9)


def test_business_cycle_has_the_configured_length():
    env = environment(
        {"environment.economic_cycle_amplitude": 0.2, "environment.economic_cycle_years": 4.0}
    )
    quarter = DAYS_PER_YEAR  # a quarter of the 4-year cycle
    assert env.demand_multiplier(quarter) == pytest.approx(1.2)
    assert env.demand_multiplier(3 * quarter) == pytest.approx(0.8)
    # and at a time that is no simple fraction of the cycle (4 years = 1461 days)
    assert env.demand_multiplier(100.0) == pytest.approx(
        1.0 + 0.2 * math.sin(2 * math.pi * 100 / 1461)
    )


# -- the environment as the model sees it at every month end ------------------------------------


def test_month_end_levels_follow_the_closed_forms(make_config):
    """Row j is the state at the end of month j, t = (j + 1) months: state of the art
    (1 + g)^(t / year) * (1 + shock)^(shocks at or before t), competitor quality
    clip(q0 + trend * t / year, 0, 1), and the switching cost from its change month on."""
    config = make_config(
        {
            "simulation.horizon_months": 12,
            "environment.expectation_growth_per_year": 0.1,
            "environment.technology_shock_months": [4],
            "environment.technology_shock_size": 0.25,
            "environment.competitor_quality": 0.3,
            "environment.competitor_quality_trend_per_year": -0.6,
            "environment.switching_cost": 0.8,
            "environment.switching_cost_change_month": 7,
            "environment.switching_cost_after": 0.2,
        }
    )
    series = simulate(config, seed=1).timeseries
    for j, row in enumerate(series.to_dict("records")):
        months = j + 1
        shocks = 1 if months >= 4 else 0
        sota = 1.1 ** (months / 12.0) * 1.25**shocks
        assert row["state_of_the_art"] == pytest.approx(sota, rel=1e-12), j
        assert row["competitor_quality"] == pytest.approx(max(0.0, 0.3 - 0.6 * months / 12.0))
        assert row["switching_cost"] == (0.2 if months >= 7 else 0.8), j


def test_a_rising_state_of_the_art_lowers_the_experience_of_the_same_product(make_config):
    """Performance is feature level / state of the art: with norms rising 40% a year,
    late deliveries of the same flawless product are worse experiences, so a customer's
    expectation ends below the start-of-horizon experience."""
    from sqm_sim.models.satisfaction import Segment, experience

    flawless = {
        "operations.design_defect_ppm": 0.0,
        "operations.process_capability_cpk": 3.0,
        "operations.human_error_probability_untrained": 0.0,
        "quality.drift_rate_per_month": 0.0,
        "quality.inspection_coverage": 0.0,
        "distribution.damage_probability": 0.0,
        "service.complaint_probability": 0.0,
        "customers.expectation_adaptation": 1.0,  # E = the last experience
        "customers.expectation_spread": 0.0,  # everyone's standard is what they get
        "product.feature_level": 1.0,
        "distribution.promised_lead_time_days": 60.0,  # every delivery on time
    }
    config = make_config(
        {**flawless, "environment.expectation_growth_per_year": 0.4, "market.prospects": 0}
    )
    result = simulate(config, seed=3)
    customers = result.customers[result.customers["orders"] > 0]
    for name, expectation in zip(customers["segment"], customers["expectation_end"], strict=True):
        seg = Segment.from_settings(0, name, config.segments[name])
        at_start = experience(seg, 1.0, True, True)
        at_end = experience(seg, 1.0 / 1.4 ** (6 / 12), True, True)
        assert at_end - 1e-9 <= expectation < at_start
