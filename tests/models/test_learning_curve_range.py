"""The learning curve over the whole documented range 0 < learning_rate <= 1 (issue 15).

A learning rate close to 1 makes the curve nearly flat, so the experience that puts an
operator at the starting skill can exceed what a float holds (an OverflowError before).
The operator must still start at exactly the configured skill, and a nearly flat curve far
out means no measurable learning: with turnover off, skill may rise by less than 1e-9
over the run (the gap falls by a factor ((E + e0 + x) / (E + e0))^b ~ 1 + b x / E, with
E beyond 1e260 units and x a few thousand units).
"""

from __future__ import annotations

import numpy as np
import pytest

from sqm_sim import simulate


@pytest.mark.parametrize("rate", [0.9992, 0.99999, 1.0 - 1e-12])
@pytest.mark.parametrize("skill", [0.7, 0.999])
def test_a_nearly_flat_curve_starts_at_the_configured_skill(make_config, rate, skill):
    config = make_config(
        {
            "workforce.turnover_rate_per_year": 0.0,
            "workforce.skill": skill,
            "workforce.new_hire_skill": 0.3,
            "workforce.learning_rate": rate,
        }
    )
    series = simulate(config, seed=1).timeseries
    skills = series["average_skill"].to_numpy()
    assert skills[0] == pytest.approx(skill, rel=1e-12)
    assert np.all(np.diff(skills) >= 0.0)
    assert skills[-1] - skills[0] < 1e-9
