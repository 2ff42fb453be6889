"""The validated configuration: defaults, documentation, overrides, errors and round trips."""

from __future__ import annotations

import re
import tomllib

import pytest

from sqm_sim import Config, ConfigError, load_scenario
from sqm_sim.config import DurationDistribution, ParameterInfo, iter_parameters

TOP_LEVEL_TEXT = {"name", "description"}
PARAMETERS = [p for p in iter_parameters(Config) if p.key not in TOP_LEVEL_TEXT]
BOUNDED = [p for p in PARAMETERS if p.lower is not None or p.upper is not None]


def _numeric_type(info: ParameterInfo) -> type:
    """int or float, from the documented type name (``float | NoneType`` counts as float)."""
    return int if info.type_name == "int" else float


# -- defaults and documentation -----------------------------------------------------------


def test_defaults_validate():
    config = Config()
    assert Config.from_mapping({}) == config
    assert Config.from_mapping(config.to_dict()) == config


def test_schema_lists_the_leaf_parameters():
    keys = [p.key for p in PARAMETERS]
    assert len(keys) == len(set(keys)), "duplicate dotted keys"
    # a few known leaves, including the ones nested inside distributions
    for key in (
        "simulation.horizon_months",
        "service.complaint_probability",
        "market.purchase_cycle.mean",
        "operations.cycle_time.cv",
        "service.handling_time.mean",
        "finance.annual_discount_rate",
        "finance.complaint_handling_cost",
        "environment.technology_shock_months",
    ):
        assert key in keys
    # every field of every default segment is a leaf, under the segment's name
    for segment in Config().segments:
        for field in ("share", "loyalty_intercept", "price_weight"):
            assert f"segments.{segment}.{field}" in keys
    # sections, the segment table and single segments are not leaves
    for section in ("market", "market.purchase_cycle", "service", "segments"):
        assert section not in keys
    assert not any(key.startswith("segments.") and key.count(".") == 1 for key in keys)


@pytest.mark.parametrize("info", PARAMETERS, ids=lambda p: p.key)
def test_every_parameter_is_documented(info: ParameterInfo):
    assert info.unit.strip(), f"{info.key} has no unit"
    assert info.description.strip(), f"{info.key} has no description"
    assert info.source.strip(), f"{info.key} has no source"
    # placeholders of distribution fields must be resolved to the holding field's values
    assert info.unit != "as the field", f"{info.key}: unit placeholder not resolved"
    assert info.source != "see field", f"{info.key}: source placeholder not resolved"


@pytest.mark.parametrize("info", BOUNDED, ids=lambda p: p.key)
def test_default_lies_in_documented_range(info: ParameterInfo):
    value = info.default
    if value is None:
        return  # optional field left unset (e.g. cv of an exponential distribution)
    if info.lower is not None:
        assert value >= info.lower if info.lower_inclusive else value > info.lower
    if info.upper is not None:
        assert value <= info.upper if info.upper_inclusive else value < info.upper


@pytest.mark.parametrize("info", PARAMETERS, ids=lambda p: p.key)
def test_every_key_can_be_overridden_with_its_default(info: ParameterInfo):
    if info.default is None:
        return
    assert Config().with_overrides({info.key: info.default}) == Config()


# -- overrides ------------------------------------------------------------------------------


def test_with_overrides_returns_new_config_and_leaves_original_unchanged():
    original = Config()
    before = original.to_dict()
    fingerprint = original.fingerprint()
    changed = original.with_overrides(
        {
            "service.complaint_probability": 0.5,
            "operations.cycle_time.mean": 55.0,
            "segments.price_driven.price_weight": 3.0,
        }
    )
    assert changed is not original
    assert changed.service.complaint_probability == 0.5
    assert changed.operations.cycle_time.mean == 55.0
    assert changed.segments["price_driven"].price_weight == 3.0
    # untouched siblings keep their values
    assert changed.operations.cycle_time.cv == original.operations.cycle_time.cv
    assert changed.service.desk_staff == original.service.desk_staff
    assert changed.market.initial_customers == original.market.initial_customers
    assert changed.segments["price_driven"].share == original.segments["price_driven"].share
    assert changed.segments["quality_driven"] == original.segments["quality_driven"]
    assert original.to_dict() == before
    assert original.fingerprint() == fingerprint
    assert original.service.complaint_probability == Config().service.complaint_probability
    assert original.service.complaint_probability != 0.5
    assert original.segments["price_driven"].price_weight == 8.0


def test_config_is_immutable():
    config = Config()
    with pytest.raises(ValueError, match="frozen"):
        config.service.complaint_probability = 0.1  # type: ignore[misc]
    with pytest.raises(ValueError, match="frozen"):
        config.segments["price_driven"].share = 0.1  # type: ignore[misc]
    with pytest.raises(ValueError, match="frozen"):
        config.segments = {}  # type: ignore[misc]


def test_config_containers_cannot_be_mutated_in_place():
    # "it cannot be mutated" (Config docstring) must also hold for the fields that hold
    # containers - the segment table and the list of shock months - or a config could
    # change under a run, a cache keyed by its fingerprint, or a shared test fixture.
    config = Config()
    fingerprint = config.fingerprint()
    extra = config.segments["price_driven"]
    with pytest.raises((TypeError, ValueError)):
        config.segments["extra"] = extra  # type: ignore[index]
    with pytest.raises((TypeError, ValueError, AttributeError)):
        config.environment.technology_shock_months.append(3)
    assert list(config.segments) == ["quality_driven", "price_driven"]
    assert list(config.environment.technology_shock_months) == []
    assert config.fingerprint() == fingerprint


def test_int_is_accepted_for_float_field_and_stored_as_float():
    # TOML authors write `unit_price = 80`; that must mean the same as 80.0
    as_int = Config().with_overrides({"finance.unit_price": 80})
    as_float = Config().with_overrides({"finance.unit_price": 80.0})
    assert isinstance(as_int.finance.unit_price, float)
    assert as_int == as_float
    assert as_int.fingerprint() == as_float.fingerprint()


# -- range errors ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "value", "allowed"),
    [
        ("service.complaint_probability", 1.5, "0 <= value <= 1"),
        ("service.complaint_probability", -0.1, "0 <= value <= 1"),
        ("segments.price_driven.share", 1.5, "0 <= value <= 1"),
        ("simulation.horizon_months", 0, "1 <= value <= 600"),
        ("operations.process_capability_cpk", 0.2, "0.3 <= value <= 3"),
        ("quality.monitoring_interval_days", 0.0, "0 < value <= 365"),
        ("market.purchase_cycle.mean", -3.0, "0 < value"),
    ],
)
def test_out_of_range_value_names_key_value_and_range(key, value, allowed):
    with pytest.raises(ConfigError) as caught:
        Config().with_overrides({key: value})
    message = str(caught.value)
    assert key in message
    assert str(value) in message
    assert allowed in message


def _beyond_bounds(info: ParameterInfo) -> list[float]:
    kind = _numeric_type(info)
    values = []
    if info.lower is not None:
        values.append(info.lower - 1 if info.lower_inclusive else info.lower)
    if info.upper is not None:
        values.append(info.upper + 1 if info.upper_inclusive else info.upper)
    return [kind(v) for v in values]


@pytest.mark.parametrize("info", BOUNDED, ids=lambda p: p.key)
def test_every_bound_is_enforced_and_reported(info: ParameterInfo):
    for value in _beyond_bounds(info):
        with pytest.raises(ConfigError) as caught:
            Config().with_overrides({info.key: value})
        message = str(caught.value)
        assert info.key in message
        assert info.range_text() in message, message


@pytest.mark.parametrize("info", [p for p in BOUNDED if p.unit != "-"], ids=lambda p: p.key)
def test_range_error_states_the_documented_unit(info: ParameterInfo):
    # the unit in the message is the one `iter_parameters` (and `sqm-sim params`) documents
    value = _beyond_bounds(info)[0]
    with pytest.raises(ConfigError) as caught:
        Config().with_overrides({info.key: value})
    assert f"unit: {info.unit}" in str(caught.value)


def test_bad_choice_lists_the_allowed_values_once():
    with pytest.raises(ConfigError) as caught:
        Config().with_overrides({"operations.cycle_time.kind": "weibull"})
    message = str(caught.value)
    assert "operations.cycle_time.kind" in message
    assert "'weibull'" in message
    assert message.count("one of") == 1, message


# -- type errors ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("market.initial_customers", 1.5, "integer"),
        ("simulation.horizon_months", 12.0, "integer"),
        ("simulation.horizon_months", True, "integer"),
        ("finance.unit_price", "120", "number"),
        ("finance.unit_price", "abc", "number"),
        ("market.purchase_cycle.cv", "0.5", "number"),
        ("market.purchase_cycle.kind", "weibull", "gamma"),
    ],
)
def test_wrong_type_is_rejected_naming_the_field(key, value, expected):
    with pytest.raises(ConfigError) as caught:
        Config().with_overrides({key: value})
    message = str(caught.value)
    assert key in message
    assert expected in message


def test_section_given_a_scalar_is_rejected():
    with pytest.raises(ConfigError, match="market"):
        Config().with_overrides({"market": 3})


# -- unknown keys ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "suggestion"),
    [
        ("service.complaint_probabilty", "service.complaint_probability"),
        ("quality.complaint_probability", "service.complaint_probability"),  # wrong section
        ("market.purchase_cycle.cvv", "market.purchase_cycle.cv"),
        ("segments.price_driven.price_wieght", "segments.<name>.price_weight"),
    ],
)
def test_unknown_override_key_suggests_nearest(key, suggestion):
    with pytest.raises(ConfigError) as caught:
        Config().with_overrides({key: 0.5})
    message = str(caught.value)
    assert f"unknown key '{key}'" in message
    assert f"did you mean '{suggestion}'" in message


def test_unknown_key_without_near_miss_still_errors():
    with pytest.raises(ConfigError, match="unknown key 'zzzz'"):
        Config().with_overrides({"zzzz": 1})


def test_unknown_key_in_mapping_suggests_nearest():
    data = tomllib.loads("[service]\ncomplaint_probabilty = 0.9\n")
    with pytest.raises(ConfigError) as caught:
        Config.from_mapping(data)
    message = str(caught.value)
    assert "service.complaint_probabilty" in message
    assert "did you mean 'service.complaint_probability'" in message


def test_unknown_section_in_mapping_suggests_nearest():
    with pytest.raises(ConfigError, match="did you mean 'market'"):
        Config.from_mapping({"markets": {"prospects": 10}})


def test_unknown_key_inside_distribution_mapping():
    data = tomllib.loads('[market]\npurchase_cycle = { kind = "gamma", mean = 30.0, cvv = 0.5 }\n')
    with pytest.raises(ConfigError, match=re.escape("did you mean 'market.purchase_cycle.cv'")):
        Config.from_mapping(data)


# -- cross-field rules ----------------------------------------------------------------------


@pytest.mark.parametrize(("reorder", "order_up_to"), [(700, 600), (600, 600), (0, 0)])
def test_reorder_point_must_be_below_order_up_to(reorder, order_up_to):
    with pytest.raises(ConfigError) as caught:
        Config().with_overrides(
            {
                "operations.reorder_point_units": reorder,
                "operations.order_up_to_units": order_up_to,
            }
        )
    message = str(caught.value)
    assert "reorder_point_units" in message
    assert "order_up_to_units" in message
    assert f"({reorder})" in message


def test_make_to_order_policy_is_valid():
    config = Config().with_overrides(
        {"operations.reorder_point_units": -1, "operations.order_up_to_units": 0}
    )
    assert config.operations.order_up_to_units == 0


def test_report_period_longer_than_horizon_is_rejected():
    with pytest.raises(ConfigError) as caught:
        Config().with_overrides(
            {"simulation.horizon_months": 6, "simulation.report_period_months": 12}
        )
    message = str(caught.value)
    assert "report_period_months" in message
    assert "horizon_months" in message
    # equal is fine
    Config().with_overrides({"simulation.horizon_months": 6, "simulation.report_period_months": 6})


@pytest.mark.parametrize(
    ("spec", "fragment"),
    [
        ({"kind": "exponential", "mean": 30.0, "cv": 0.3}, "contradicts kind 'exponential'"),
        ({"kind": "deterministic", "mean": 30.0, "cv": 0.5}, "contradicts kind 'deterministic'"),
        ({"kind": "gamma", "mean": 30.0}, "kind 'gamma' needs an explicit cv > 0"),
        ({"kind": "gamma", "mean": 30.0, "cv": 0.0}, "kind 'gamma' needs an explicit cv > 0"),
        ({"kind": "lognormal", "mean": 30.0}, "kind 'lognormal' needs an explicit cv > 0"),
    ],
)
def test_distribution_kind_and_cv_must_agree(spec, fragment):
    with pytest.raises(ConfigError) as caught:
        Config().with_overrides({"market.purchase_cycle": spec})
    message = str(caught.value)
    assert "market.purchase_cycle" in message
    assert fragment in message


@pytest.mark.parametrize(
    ("spec", "effective_cv"),
    [
        ({"kind": "exponential", "mean": 2.0}, 1.0),
        ({"kind": "exponential", "mean": 2.0, "cv": 1.0}, 1.0),
        ({"kind": "deterministic", "mean": 2.0}, 0.0),
        ({"kind": "deterministic", "mean": 2.0, "cv": 0.0}, 0.0),
        ({"kind": "gamma", "mean": 2.0, "cv": 0.4}, 0.4),
        ({"kind": "lognormal", "mean": 2.0, "cv": 1.7}, 1.7),
    ],
)
def test_consistent_distributions_are_accepted(spec, effective_cv):
    config = Config().with_overrides({"distribution.transit_time": spec})
    assert config.distribution.transit_time.effective_cv == effective_cv
    assert DurationDistribution(**spec).effective_cv == effective_cv


def test_several_errors_are_all_listed():
    overrides = {
        "service.complaint_probability": 1.5,
        "finance.unit_price": -1.0,
        "market.prospects": -3,
        "simulation.horizon_months": 2.5,
    }
    with pytest.raises(ConfigError) as caught:
        Config().with_overrides(overrides)
    message = str(caught.value)
    for key in overrides:
        assert key in message
    problem_lines = [line for line in message.splitlines() if line.strip().startswith("- ")]
    assert len(problem_lines) == len(overrides), message


def test_config_error_is_a_value_error():
    assert issubclass(ConfigError, ValueError)


# -- serialisation and fingerprints ----------------------------------------------------------


def test_to_toml_round_trips_through_a_file(tmp_path):
    config = Config().with_overrides(
        {
            "name": "round-trip",
            "description": "a config with non-default values of several types",
            "simulation.horizon_months": 18,
            "simulation.report_period_months": 3,
            "service.complaint_probability": 0.1 + 0.2,  # not exactly representable in decimal
            "service.desk_staff": 0,
            "service.handling_time": {"kind": "deterministic", "mean": 0.5},
            # a third segment; shares and experience weights still sum to 1
            "segments.quality_driven.share": 0.5,
            "segments.price_driven.share": 0.3,
            "segments.loyal_core": {
                "share": 0.2,
                "weight_performance": 0.5,
                "weight_reliability": 0.5,
                "weight_delivery": 0.0,
                "loyalty_intercept": -1.25,
            },
            "environment.technology_shock_months": [3, 17],
            "market.purchase_cycle": {"kind": "exponential", "mean": 27.5},
            "operations.cycle_time": {"kind": "lognormal", "mean": 41.0, "cv": 0.35},
            "operations.reorder_point_units": -1,
            "operations.order_up_to_units": 0,
            "quality.inspection_coverage": 1.0,
            "finance.fixed_cost_per_month": 1e11,
        }
    )
    path = tmp_path / "resolved.toml"
    path.write_text(config.to_toml())
    loaded = load_scenario(path)
    assert loaded == config
    assert loaded.fingerprint() == config.fingerprint()
    assert loaded.to_toml() == config.to_toml()
    # the segment table keeps its entries and their order (customers are drawn into
    # segments by cumulative shares in this order)
    assert list(loaded.segments) == ["quality_driven", "price_driven", "loyal_core"]


def test_to_toml_is_plain_toml_data():
    data = tomllib.loads(Config().to_toml())
    assert Config.from_mapping(data) == Config()


def test_fingerprint_is_stable_and_short():
    assert Config().fingerprint() == Config().fingerprint()
    assert re.fullmatch(r"[0-9a-f]{16}", Config().fingerprint())


@pytest.mark.parametrize(
    "overrides",
    [
        {"service.complaint_probability": 0.21},
        {"segments.price_driven.price_weight": 8.0000001},
        {"segments.quality_driven.share": 0.4, "segments.price_driven.share": 0.6},
        {"environment.technology_shock_months": [12]},
        {"finance.complaint_handling_cost": 61.0},
        {"simulation.horizon_months": 59},
        {"market.purchase_cycle.cv": 0.51},
        {"operations.cycle_time.kind": "lognormal"},
        {"finance.annual_discount_rate": 0.1000001},
        {"name": "other"},
        {"description": "something else"},
    ],
    ids=lambda o: next(iter(o)),
)
def test_different_configs_have_different_fingerprints(overrides):
    changed = Config().with_overrides(overrides)
    assert changed != Config()
    assert changed.fingerprint() != Config().fingerprint()


def test_fingerprints_of_many_configs_are_distinct():
    configs = [Config().with_overrides({"market.initial_customers": n}) for n in range(200)]
    assert len({c.fingerprint() for c in configs}) == len(configs)
