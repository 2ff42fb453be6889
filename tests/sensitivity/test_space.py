"""Parameter spaces: bounds from the schema, distributions, and clear errors."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from sqm_sim.config import Config, ConfigError
from sqm_sim.sensitivity import ParameterSpace, default_space, load_space


def test_default_space_covers_levers_and_external_factors():
    space = default_space()
    assert len(space) >= 15
    keys = set(space.keys)
    levers = {"quality.prevention_spend_per_month", "workforce.skill", "finance.unit_price"}
    external = {
        "environment.switching_cost",
        "environment.competitor_quality_trend_per_year",
        "environment.expectation_growth_per_year",
        "service.complaint_probability",
        "service.recovery_quality",
    }
    assert levers <= keys
    assert external <= keys
    # every point of the space is a valid configuration: both corners validate
    for corner in (np.zeros((1, len(space))), np.ones((1, len(space)))):
        Config().with_overrides(space.overrides(space.values(corner)[0]))


def test_bounds_default_to_the_schema():
    space = ParameterSpace([{"key": "environment.switching_cost"}])
    parameter = space.parameters[0]
    assert (parameter.low, parameter.high) == (0.0, 1.0)
    assert parameter.unit == "0-1 scale"


def test_uniform_values_are_the_linear_map_of_unit_coordinates():
    space = ParameterSpace([{"key": "finance.unit_price", "low": 100.0, "high": 140.0}])
    unit = np.array([[0.0], [0.25], [1.0]])
    assert space.values(unit)[:, 0].tolist() == [100.0, 110.0, 140.0]


def test_distributions_follow_their_quantile_functions():
    space = ParameterSpace(
        [
            {
                "key": "finance.unit_cost",
                "low": 60,
                "high": 80,
                "distribution": "triangular",
                "mode": 65,
            },
            {
                "key": "finance.unit_price",
                "low": 100,
                "high": 140,
                "distribution": "normal",
                "mean": 120,
                "sd": 10,
            },
            {
                "key": "quality.prevention_spend_per_month",
                "low": 10,
                "high": 1000,
                "distribution": "loguniform",
            },
        ]
    )
    u = np.random.default_rng(1).random((20_000, 3))
    values = space.values(u)
    # the median of each sample matches the distribution's median within sampling error
    assert np.median(values[:, 0]) == pytest.approx(
        stats.triang.ppf(0.5, 0.25, loc=60, scale=20), abs=0.2
    )
    assert np.median(values[:, 1]) == pytest.approx(120.0, abs=0.3)
    assert np.median(values[:, 2]) == pytest.approx(100.0, rel=0.05)  # sqrt(10 * 1000)
    assert values.min(axis=0).tolist() >= [60, 100, 10]
    assert values.max(axis=0).tolist() <= [80, 140, 1000]


def test_integer_parameters_are_rounded():
    space = ParameterSpace([{"key": "service.desk_staff", "low": 1, "high": 4}])
    values = space.values(np.linspace(0, 1, 11).reshape(-1, 1))[:, 0]
    assert set(values) <= {1.0, 2.0, 3.0, 4.0}
    assert isinstance(space.overrides([3.0])["service.desk_staff"], int)


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({"key": "environment.switching_cst"}, "did you mean 'environment.switching_cost'"),
        ({"key": "environment.switching_cost", "low": 0.8, "high": 0.2}, "inverted"),
        ({"key": "environment.switching_cost", "low": -0.5}, "outside the schema's range"),
        ({"key": "finance.unit_price", "high": 2e9}, "outside the schema's range"),
        ({"key": "workforce.learning_rate", "low": 0.0, "high": 1.0}, "0 < value <= 1"),
        ({"key": "environment"}, "is a section"),
        ({"key": "name"}, "only numeric parameters"),
        ({"key": "market.purchase_cycle.mean"}, "give 'high'"),
        (
            {"key": "finance.unit_price", "distribution": "triangular", "low": 1, "high": 2},
            "needs a 'mode'",
        ),
        (
            {
                "key": "finance.unit_price",
                "low": 1,
                "high": 2,
                "distribution": "triangular",
                "mode": 5,
            },
            "mode = 5 must lie in",
        ),
        (
            {"key": "finance.unit_cost", "low": 0, "high": 2, "distribution": "loguniform"},
            "low > 0",
        ),
        ({"key": "finance.unit_price", "lo": 1}, "lo"),
        ({"key": "service.desk_staff", "low": 1, "high": 1.5}, "must span at least 1"),
    ],
)
def test_bad_parameters_get_clear_errors(entry, message):
    with pytest.raises(ConfigError, match="(?s)" + message.replace("(", r"\(").replace(")", r"\)")):
        ParameterSpace([entry])


def test_repeated_and_empty_spaces_are_refused():
    with pytest.raises(ConfigError, match="more than once"):
        ParameterSpace([{"key": "finance.unit_price"}, {"key": "finance.unit_price"}])
    with pytest.raises(ConfigError, match="empty"):
        ParameterSpace([])


def test_space_files(tmp_path):
    good = tmp_path / "space.toml"
    good.write_text('[[parameters]]\nkey = "finance.unit_price"\nlow = 90.0\nhigh = 150.0\n')
    assert load_space(good).keys == ["finance.unit_price"]
    bad = tmp_path / "bad.toml"
    bad.write_text('[[parameters]]\nkey = "finance.unit_prise"\n')
    with pytest.raises(ConfigError, match=r"bad.toml.*finance.unit_price"):
        load_space(bad)
    with pytest.raises(ConfigError, match="not found"):
        load_space(tmp_path / "missing.toml")
    stray = tmp_path / "stray.toml"
    stray.write_text('[[parameter]]\nkey = "finance.unit_price"\n')
    with pytest.raises(ConfigError, match="unknown table"):
        load_space(stray)
