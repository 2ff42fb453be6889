"""The ``[posterior]`` table of a calibrated configuration."""

from __future__ import annotations

import pytest

import sqm_sim
from sqm_sim.config import Config, ConfigError

KEY = "quality.drift_rate_per_month"


def posterior(**changes):
    table = {"parameters": [KEY], "weights": [1.0, 3.0], "draws": [[0.1], [0.5]]}
    return {"posterior": {**table, **changes}}


def test_a_config_without_posterior_keeps_its_data_and_fingerprint():
    config = sqm_sim.load_scenario("baseline")
    assert config.posterior is None
    assert "posterior" not in config.to_dict()


def test_a_posterior_is_read_and_changes_the_fingerprint():
    config = Config.from_mapping(posterior())
    assert config.posterior.draws == ((0.1,), (0.5,))
    assert config.fingerprint() != Config().fingerprint()
    assert Config.from_mapping(config.to_dict()) == config


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"parameters": ["quality.drift_rate_per_mont"]}, "did you mean"),
        ({"weights": [1.0]}, "1 weights for 2 parameter sets"),
        ({"draws": [[0.1, 0.2], [0.5]]}, "row 0 has 2 values for 1 parameters"),
        ({"weights": [-1.0, 1.0]}, "non-negative"),
        ({"weights": [0.0, 0.0]}, "not all 0"),
        ({"parameters": [], "draws": [[], []]}, "at least one key"),
    ],
)
def test_an_inconsistent_posterior_is_refused(changes, words):
    with pytest.raises(ConfigError, match=words):
        Config.from_mapping(posterior(**changes))


def test_a_key_the_posterior_draws_cannot_be_overridden():
    config = Config.from_mapping(posterior())
    with pytest.raises(ConfigError, match="drawn from the posterior"):
        config.with_overrides({KEY: 0.3})
    assert config.with_overrides({"quality.inspection_coverage": 0.3}).posterior == config.posterior
