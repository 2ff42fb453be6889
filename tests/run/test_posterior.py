"""A calibrated configuration's run draws its parameter set by the seed."""

from __future__ import annotations

import math

import pytest

from sqm_sim import simulate
from sqm_sim.run.posterior import draw_index, drawn_config

KEY = "quality.drift_rate_per_month"


def with_posterior(config, values, weights):
    return config.with_overrides(
        {"posterior": {"parameters": [KEY], "weights": weights, "draws": [[v] for v in values]}}
    )


def test_sets_are_drawn_in_proportion_to_their_weights():
    seeds = 2000
    share = sum(draw_index((1.0, 3.0), seed) for seed in range(seeds)) / seeds
    # binomial(2000, 0.75): 4 standard deviations
    assert share == pytest.approx(0.75, abs=4 * math.sqrt(0.75 * 0.25 / seeds))


def test_a_zero_weight_set_is_never_drawn():
    assert {draw_index((0.0, 1.0, 0.0), seed) for seed in range(200)} == {1}


def test_the_same_seed_draws_the_same_set_in_every_configuration(small_config):
    a = with_posterior(small_config, [0.1, 0.2, 0.3], [1.0, 1.0, 1.0])
    b = with_posterior(
        small_config.with_overrides({"quality.inspection_coverage": 0.9}),
        [0.1, 0.2, 0.3],
        [1.0, 1.0, 1.0],
    )
    for seed in range(20):
        assert (
            drawn_config(a, seed).quality.drift_rate_per_month
            == drawn_config(b, seed).quality.drift_rate_per_month
        )


def test_a_run_of_a_one_set_posterior_is_the_run_with_that_set_applied(small_config):
    calibrated = with_posterior(small_config, [0.7], [2.0])
    drawn = simulate(calibrated, 3)
    direct = simulate(small_config.with_overrides({KEY: 0.7}), 3)
    assert drawn.config.posterior is None
    assert drawn.config.quality.drift_rate_per_month == 0.7
    assert drawn.summary == direct.summary
    assert drawn.timeseries.equals(direct.timeseries)


def test_drawn_config_leaves_a_plain_config_alone(small_config):
    assert drawn_config(small_config, 5) is small_config
