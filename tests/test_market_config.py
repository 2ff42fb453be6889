"""Bad input on the demand side fails fast with one clear message."""

from __future__ import annotations

import pytest

from sqm_sim import Config, ConfigError, load_scenario


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("service.complaint_probability", 1.2, "0 <= value <= 1"),
        ("service.recovery_quality", -0.1, "0 <= value <= 1"),
        ("customers.satisfaction_memory_negative", 2.0, "0 <= value <= 1"),
        ("environment.switching_cost", 1.5, "0 <= value <= 1"),
        ("acquisition.marketing_rate_per_year", -0.03, "0 <= value <= 10"),
        ("acquisition.referral_rate_per_year", -1.0, "0 <= value <= 10"),
        ("environment.competitor_churn_per_year", -0.2, "0 <= value <= 12"),
        ("service.desk_staff", -1, "0 <= value <= 10000"),
        ("segments.price_driven.price_weight", -2.0, "0 <= value <= 100"),
    ],
)
def test_out_of_range_market_values_are_named(key, value, expected):
    with pytest.raises(ConfigError) as caught:
        Config().with_overrides({key: value})
    message = str(caught.value)
    assert f"{key} = {value!r}" in message
    assert expected in message


def test_segment_shares_must_sum_to_one():
    with pytest.raises(ConfigError, match=r"shares must sum to 1 \(got quality_driven 0.6, "):
        Config().with_overrides({"segments.price_driven.share": 0.5})


def test_segment_experience_weights_must_sum_to_one():
    with pytest.raises(ConfigError, match=r"segments\.quality_driven: experience weights"):
        Config().with_overrides({"segments.quality_driven.weight_delivery": 0.5})


def test_a_new_segment_can_be_added_when_shares_still_sum_to_one():
    config = Config().with_overrides(
        {
            "segments.loyal_core.share": 0.2,
            "segments.quality_driven.share": 0.4,
        }
    )
    assert list(config.segments) == ["quality_driven", "price_driven", "loyal_core"]


def test_no_segment_at_all_is_an_error():
    with pytest.raises(ConfigError, match="at least one customer segment"):
        Config().with_overrides({"segments": {}})


def test_thresholds_must_be_ordered():
    with pytest.raises(ConfigError, match="dissatisfied_threshold"):
        Config().with_overrides({"customers.dissatisfied_threshold": 0.9})


def test_events_after_the_horizon_are_rejected():
    with pytest.raises(ConfigError, match=r"technology_shock_months \[30\] fall after"):
        Config().with_overrides(
            {"simulation.horizon_months": 24, "environment.technology_shock_months": [30]}
        )
    with pytest.raises(ConfigError, match="switching_cost_change_month"):
        Config().with_overrides(
            {"simulation.horizon_months": 24, "environment.switching_cost_change_month": 25}
        )
    with pytest.raises(ConfigError, match="must be >= 1"):
        Config().with_overrides({"environment.technology_shock_months": [0]})


def test_a_scenario_file_can_change_one_segment_field(tmp_path):
    path = tmp_path / "one_field.toml"
    path.write_text("[segments.price_driven]\nprice_weight = 3.0\n")
    config = load_scenario(path)
    defaults = Config().segments["price_driven"]
    assert config.segments["price_driven"].price_weight == 3.0
    assert config.segments["price_driven"].share == defaults.share
    assert config.segments["price_driven"].weight_delivery == defaults.weight_delivery
    assert "quality_driven" in config.segments


def test_misspelt_segment_field_gets_a_suggestion():
    with pytest.raises(ConfigError, match=r"did you mean 'segments\.<name>\.share'"):
        Config().with_overrides({"segments.price_driven.shar": 0.4})
