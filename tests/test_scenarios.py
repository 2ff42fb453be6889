"""Shipped scenarios and the scenario-file loader."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sqm_sim import Config, ConfigError, load_scenario, shipped_scenarios

REQUIRED = {"baseline", "commodity", "deregulation", "premium", "tech_shift"}
TEXT_KEYS = {"name", "description"}


def _parameters(config: Config) -> dict:
    """The config's data without its name and description."""
    return {k: v for k, v in config.to_dict().items() if k not in TEXT_KEYS}


def test_shipped_scenarios_include_the_required_ones():
    infos = shipped_scenarios()
    names = [info.name for info in infos]
    assert len(infos) >= len(REQUIRED)
    assert set(names) >= REQUIRED
    assert len(names) == len(set(names))
    assert names[0] == "baseline"
    assert names[1:] == sorted(names[1:])


@pytest.mark.parametrize("info", shipped_scenarios(), ids=lambda info: info.name)
def test_each_shipped_scenario_is_described_and_loads(info):
    assert info.description.strip()
    assert info.path.is_file()
    config = load_scenario(info.name)
    assert isinstance(config, Config)
    assert config.name == info.name
    assert config.description == info.description
    # loading by path gives the same config
    assert load_scenario(info.path) == config
    assert load_scenario(str(info.path)) == config


def test_baseline_is_the_documented_defaults():
    assert _parameters(load_scenario("baseline")) == _parameters(Config())


@pytest.mark.parametrize("name", sorted(REQUIRED - {"baseline"}))
def test_non_baseline_scenarios_differ_from_baseline(name):
    baseline = load_scenario("baseline")
    scenario = load_scenario(name)
    assert _parameters(scenario) != _parameters(baseline)
    assert scenario.fingerprint() != baseline.fingerprint()


def test_unknown_scenario_lists_shipped_names_and_suggests_near_miss():
    with pytest.raises(ConfigError) as caught:
        load_scenario("basline")
    message = str(caught.value)
    assert "unknown scenario 'basline'" in message
    assert "did you mean 'baseline'" in message
    for info in shipped_scenarios():
        assert info.name in message


def test_unknown_scenario_without_near_miss():
    with pytest.raises(ConfigError) as caught:
        load_scenario("qqqqqqqq")
    message = str(caught.value)
    assert "unknown scenario 'qqqqqqqq'" in message
    assert "did you mean" not in message
    assert "baseline" in message


@pytest.mark.parametrize("relative", ["missing.toml", "nowhere/missing.toml", "nowhere/scenario"])
def test_missing_scenario_file(tmp_path, relative):
    path = tmp_path / relative
    with pytest.raises(ConfigError, match="not found"):
        load_scenario(path)
    with pytest.raises(ConfigError, match="not found"):
        load_scenario(str(path))


def test_malformed_toml_names_the_file(tmp_path):
    path = tmp_path / "broken.toml"
    path.write_text("[market\ninitial_customers = 10\n")
    with pytest.raises(ConfigError) as caught:
        load_scenario(path)
    message = str(caught.value)
    assert "malformed TOML" in message
    assert str(path) in message


def test_out_of_range_value_in_file_names_key_and_file(tmp_path):
    path = tmp_path / "bad_range.toml"
    path.write_text("[service]\ncomplaint_probability = 1.5\n")
    with pytest.raises(ConfigError) as caught:
        load_scenario(path)
    message = str(caught.value)
    assert "service.complaint_probability" in message
    assert "1.5" in message
    assert "0 <= value <= 1" in message
    assert str(path) in message


def test_unknown_key_in_file_suggests_nearest(tmp_path):
    path = tmp_path / "typo.toml"
    path.write_text("[quality]\ninspection_coverag = 0.5\n")
    with pytest.raises(ConfigError, match=re.escape("did you mean 'quality.inspection_coverage'")):
        load_scenario(path)


@pytest.mark.parametrize(
    "value",
    ["\"__import__('os').getcwd()\"", '"120.0"', '"1e3"'],
)
def test_scenario_file_is_data_only(tmp_path, value):
    # A string is never evaluated or coerced into a number: it is a type error.
    path = tmp_path / "sneaky.toml"
    path.write_text(f"[finance]\nunit_price = {value}\n")
    with pytest.raises(ConfigError) as caught:
        load_scenario(path)
    message = str(caught.value)
    assert "finance.unit_price" in message
    assert "valid number" in message


def test_scenario_file_sets_a_subset_and_keeps_defaults(tmp_path):
    path = tmp_path / "partial.toml"
    path.write_text(
        'description = "partial"\n'
        "[market]\ninitial_customers = 42\n"
        '[operations]\ncycle_time = { kind = "exponential", mean = 33.0 }\n'
        "[service]\ndesk_staff = 0\n"
        '[service.handling_time]\nkind = "deterministic"\nmean = 0.5\n'
        "[segments.price_driven]\nloyalty_intercept = 1.0\n"
    )
    config = load_scenario(path)
    assert config.name == "partial"  # defaults to the file stem
    assert config.description == "partial"
    assert config.market.initial_customers == 42
    assert config.operations.cycle_time.kind == "exponential"
    assert config.operations.cycle_time.effective_cv == 1.0
    # a distribution table replaces the default distribution whole (no cv left over) ...
    assert config.service.handling_time.kind == "deterministic"
    assert config.service.handling_time.cv is None
    # ... while sections and named segments merge key by key over the defaults
    assert config.service.complaint_probability == Config().service.complaint_probability
    assert list(config.segments) == list(Config().segments)
    assert config.segments["price_driven"].share == Config().segments["price_driven"].share
    expected = Config().with_overrides(
        {
            "name": "partial",
            "description": "partial",
            "market.initial_customers": 42,
            "operations.cycle_time": {"kind": "exponential", "mean": 33.0},
            "service.desk_staff": 0,
            "service.handling_time": {"kind": "deterministic", "mean": 0.5},
            "segments.price_driven.loyalty_intercept": 1.0,
        }
    )
    assert config == expected


def test_scenario_name_in_file_wins_over_stem(tmp_path):
    path = tmp_path / "file_stem.toml"
    path.write_text('name = "declared"\n')
    assert load_scenario(path).name == "declared"


def test_shipped_scenario_files_live_in_package():
    for info in shipped_scenarios():
        assert info.path.suffix == ".toml"
        assert info.path.parent == Path(shipped_scenarios()[0].path).parent
