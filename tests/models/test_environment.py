"""The external environment as functions of time."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from sqm_sim import Config
from sqm_sim.models.environment import MarketEnvironment
from sqm_sim.models.random_streams import RandomStreams
from sqm_sim.models.units import DAYS_PER_MONTH, DAYS_PER_YEAR


def environment(overrides: dict, seed: int = 1) -> MarketEnvironment:
    return MarketEnvironment(Config().with_overrides(overrides), RandomStreams(seed))


def test_state_of_the_art_grows_at_the_norms_rate():
    env = environment({"environment.expectation_growth_per_year": 0.05})
    assert env.state_of_the_art(0.0) == pytest.approx(1.0)
    assert env.state_of_the_art(DAYS_PER_YEAR) == pytest.approx(1.05)
    assert env.state_of_the_art(3 * DAYS_PER_YEAR) == pytest.approx(1.05**3)


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
