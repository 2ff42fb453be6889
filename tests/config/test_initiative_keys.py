"""Initiatives addressed by name: ``portfolio.<initiative name>.<field>`` everywhere a dotted
key is accepted (overrides, --set, experiment designs, sensitivity spaces, params)."""

from __future__ import annotations

import json

import pytest

import sqm_sim
from sqm_sim import Config, ConfigError
from sqm_sim.cli.main import main
from sqm_sim.config.keys import config_parameters, value_at
from sqm_sim.experiments.prepare import prepare
from sqm_sim.experiments.spec import parse_experiment
from sqm_sim.models.initiatives import levers, ramp
from sqm_sim.portfolios import load_portfolio, with_portfolio
from sqm_sim.sensitivity import parse_sensitivity, prepare_sensitivity

PROJECT = "capability_project"  # the process improvement of the shipped `balanced` portfolio
GAIN = f"portfolio.{PROJECT}.cpk_gain"


@pytest.fixture(scope="module")
def balanced() -> Config:
    return with_portfolio(sqm_sim.load_scenario("baseline"), "balanced")


def project(config: Config):
    return next(i for i in config.portfolio.initiatives if i.name == PROJECT)


def expected_cpk(config: Config, month: int) -> float:
    """The hand formula: base Cpk + ramp(month) * cpk_gain, ramp = clip((month + 1 - start
    - delay) / duration, 0, 1) (one process improvement in the portfolio)."""
    item = project(config)
    share = min(
        1.0,
        max(0.0, (month + 1 - item.start_month - item.effect_delay_months) / item.duration_months),
    )
    return config.operations.process_capability_cpk + share * item.cpk_gain


def test_every_numeric_field_of_every_initiative_is_addressable_by_name(balanced):
    keys = [
        p.key
        for p in config_parameters(balanced)
        if p.key.count(".") == 2
        and p.key.split(".")[1] in {i.name for i in balanced.portfolio.initiatives}
    ]
    for initiative in balanced.portfolio.initiatives:
        for field in (
            "start_month",
            "duration_months",
            "effect_delay_months",
            "one_off_cost",
            "recurring_cost_per_month",
            "disruption",
        ):
            assert f"portfolio.{initiative.name}.{field}" in keys
    assert GAIN in keys
    assert f"portfolio.{PROJECT}.drift_rate_reduction" in keys
    assert "portfolio.service_desk.handling_time_factor" in keys
    assert "portfolio.quality_circles.share_involved" in keys
    # each listed key round-trips: setting it to its own value changes nothing
    for info in config_parameters(balanced):
        if info.key in keys:
            assert value_at(balanced, info.key) == info.default
            assert balanced.with_overrides({info.key: info.default}) == balanced


@pytest.mark.parametrize(
    "field", ["cpk_gain", "effect_delay_months", "duration_months", "one_off_cost", "start_month"]
)
def test_an_override_by_name_changes_that_field_only(balanced, field):
    old = getattr(project(balanced), field)
    new = old + 1 if isinstance(old, int) else old / 2
    changed = balanced.with_overrides({f"portfolio.{PROJECT}.{field}": new})
    assert getattr(project(changed), field) == new
    assert type(getattr(project(changed), field)) is type(old)
    rest = {k: v for k, v in project(changed).model_dump().items() if k != field}
    assert rest == {k: v for k, v in project(balanced).model_dump().items() if k != field}
    assert changed.portfolio.initiatives[1:] == balanced.portfolio.initiatives[1:]


def test_half_the_gain_gives_the_hand_formula_and_a_lower_cpk_lever(balanced):
    half = balanced.with_overrides({GAIN: project(balanced).cpk_gain / 2})
    item = project(balanced)
    first_effect = item.start_month + item.effect_delay_months  # ramp > 0 from this month
    for month in range(balanced.simulation.horizon_months):
        full_cpk = levers(balanced, month).process_capability_cpk
        half_cpk = levers(half, month).process_capability_cpk
        assert full_cpk == pytest.approx(expected_cpk(balanced, month))
        assert half_cpk == pytest.approx(expected_cpk(half, month))
        if month < first_effect:
            assert half_cpk == full_cpk == balanced.operations.process_capability_cpk
        else:
            assert half_cpk < full_cpk
            assert full_cpk - half_cpk == pytest.approx(ramp(item, month) * item.cpk_gain / 2)


def test_a_longer_delay_moves_the_ramp(balanced):
    item = project(balanced)
    later = balanced.with_overrides(
        {f"portfolio.{PROJECT}.effect_delay_months": item.effect_delay_months + 3}
    )
    month = item.start_month + item.effect_delay_months + 1
    assert levers(later, month).process_capability_cpk == pytest.approx(
        balanced.operations.process_capability_cpk
    )
    assert levers(later, month + 3).process_capability_cpk == pytest.approx(
        levers(balanced, month).process_capability_cpk
    )


def test_keys_apply_in_order_after_a_new_portfolio():
    data = load_portfolio("balanced")
    config = Config().with_overrides({"portfolio": data, GAIN: 0.05})
    assert project(config).cpk_gain == 0.05


def test_a_factorial_design_over_an_effect_size_sets_the_levers():
    levels = [0.1, 0.2, 0.4]
    spec = parse_experiment(
        {
            "name": "uncertain_gain",
            "replications": 1,
            "overrides": {"simulation.horizon_months": 12},
            "design": {
                "type": "factorial",
                "scenarios": ["baseline"],
                "portfolio": "balanced",
                "parameters": [{"key": GAIN, "levels": levels}],
            },
        }
    )
    cells = prepare(spec).plan.cells
    assert [cell.labels[GAIN] for cell in cells] == levels
    month = 11
    cpks = []
    for cell in cells:
        assert project(cell.config).cpk_gain == cell.labels[GAIN]
        cpk = levers(cell.config, month).process_capability_cpk
        assert cpk == pytest.approx(expected_cpk(cell.config, month))
        cpks.append(cpk)
    assert cpks == sorted(cpks)
    assert len(set(cpks)) == len(levels)


def test_a_latin_hypercube_samples_integer_delays_only_when_asked():
    def design(integer: bool) -> dict:
        return {
            "name": "uncertain_delay",
            "replications": 1,
            "overrides": {"simulation.horizon_months": 24},
            "design": {
                "type": "latin_hypercube",
                "samples": 6,
                "portfolio": "balanced",
                "parameters": [
                    {
                        "key": f"portfolio.{PROJECT}.effect_delay_months",
                        "low": 0,
                        "high": 5,
                        "integer": integer,
                    }
                ],
            },
        }

    cells = prepare(parse_experiment(design(True))).plan.cells
    delays = [project(cell.config).effect_delay_months for cell in cells]
    assert all(isinstance(d, int) for d in delays)
    assert sorted(delays) == list(range(6))
    with pytest.raises(
        ConfigError,
        match=r"effect_delay_months = [0-9.]+: Input should be a "
        r"valid integer \(allowed: int",
    ):
        prepare(parse_experiment(design(False)))


def test_a_sensitivity_space_can_name_an_effect_size_with_a_range():
    low, high = 0.05, 0.4
    spec = parse_sensitivity(
        {
            "method": "oat",
            "portfolio": "balanced",
            "size": "quick",
            "space": [{"key": GAIN, "low": low, "high": high}],
        }
    )
    prepared = prepare_sensitivity(spec)
    parameter = prepared.space.parameters[0]
    assert (parameter.low, parameter.high, parameter.unit) == (low, high, "Cpk")
    month = prepared.base.simulation.horizon_months - 1
    gains = {cell.name: project(cell.config).cpk_gain for cell in prepared.design.cells}
    assert sorted(gains.values()) == [low, project(prepared.base).cpk_gain, high]
    for cell in prepared.design.cells:
        assert levers(cell.config, month).process_capability_cpk == pytest.approx(
            expected_cpk(cell.config, month)
        )


def test_a_sobol_design_over_an_effect_size_follows_the_hand_formula():
    spec = parse_sensitivity(
        {
            "method": "sobol",
            "n": 8,
            "portfolio": "balanced",
            "space": [
                {"key": GAIN, "low": 0.0, "high": 0.4},
                {"key": f"portfolio.{PROJECT}.duration_months", "low": 1, "high": 12},
            ],
        }
    )
    prepared = prepare_sensitivity(spec)
    month = 5
    for row, cell in zip(prepared.design.values, prepared.design.cells, strict=True):
        assert project(cell.config).cpk_gain == pytest.approx(row[0])
        assert project(cell.config).duration_months == int(row[1])  # rounded by the space
        assert levers(cell.config, month).process_capability_cpk == pytest.approx(
            expected_cpk(cell.config, month)
        )


@pytest.mark.parametrize(
    ("space", "message"),
    [
        (
            [{"key": "portfolio.capability_projekt.cpk_gain", "low": 0.1, "high": 0.2}],
            r"unknown initiative 'capability_projekt'; did you mean 'capability_project'\?.*"
            r"capability_project, quality_circles, service_desk",
        ),
        (
            [{"key": f"portfolio.{PROJECT}.cpk_gian", "low": 0.1, "high": 0.2}],
            r"has no numeric field 'cpk_gian'; did you mean 'cpk_gain'\?",
        ),
        ([{"key": GAIN, "low": 0.1, "high": 5.0}], r"high = 5 is outside the schema's range"),
    ],
)
def test_bad_initiative_keys_in_a_sensitivity_space_are_refused(space, message):
    spec = parse_sensitivity({"method": "oat", "portfolio": "balanced", "space": space})
    with pytest.raises(ConfigError, match=message):
        prepare_sensitivity(spec)


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        (
            "portfolio.capabilty_project.cpk_gain",
            0.1,
            r"portfolio.capabilty_project.cpk_gain = 0.1: unknown initiative 'capabilty_project'"
            r"; did you mean 'capability_project'\? .*the portfolio 'balanced' has: "
            r"capability_project, quality_circles, service_desk",
        ),
        ("portfolio.initiatives.0.cpk_gain", 0.1, r"addressed by name"),
        (
            f"portfolio.{PROJECT}.cpk_gian",
            0.1,
            r"'capability_project' \(kind 'process_improvement'\) has no numeric field 'cpk_gian'"
            r"; did you mean 'cpk_gain'\? \(allowed: start_month, .*drift_rate_reduction\)",
        ),
        (f"portfolio.{PROJECT}.name", "other", r"has no numeric field 'name'"),
        (
            f"portfolio.{PROJECT}.effect_delay_months",
            2.5,
            r"portfolio.capability_project.effect_delay_months = 2.5: Input should be a valid "
            r"integer \(allowed: int, 0 <= value <= 600, unit: months\)",
        ),
        (GAIN, 5.0, r"portfolio.capability_project.cpk_gain = 5.0: .*0 <= value <= 3"),
        (f"portfolio.{PROJECT}.one_off_cost", 5e6, r"over its budget of 400,000 per year"),
    ],
)
def test_bad_initiative_overrides_get_one_clear_message(balanced, key, value, message):
    with pytest.raises(ConfigError, match=message):
        balanced.with_overrides({key: value})


def test_an_initiative_key_without_a_portfolio_says_so():
    with pytest.raises(ConfigError, match=r"the portfolio 'none' has no initiatives"):
        sqm_sim.load_scenario("baseline").with_overrides({GAIN: 0.1})


def test_run_set_by_name_on_the_command_line(capsys):
    args = [
        "run",
        "baseline",
        "--portfolio",
        "balanced",
        "--seed",
        "1",
        "--json",
        "--set",
        "simulation.horizon_months=12",
    ]
    assert main([*args, "--set", f"{GAIN}=0.1"]) == 0
    low = json.loads(capsys.readouterr().out)
    assert (
        main(
            [*args, "--set", f"{GAIN}=0.1", "--set", f"portfolio.{PROJECT}.effect_delay_months=2.5"]
        )
        == 2
    )
    assert "effect_delay_months = 2.5" in capsys.readouterr().err
    assert main([*args, "--set", "portfolio.nosuch.cpk_gain=0.1"]) == 2
    assert "unknown initiative 'nosuch'" in capsys.readouterr().err
    assert main([*args, "--set", f"{GAIN}=0.4"]) == 0
    high = json.loads(capsys.readouterr().out)
    assert low["npv"] != high["npv"]  # the override reached the simulation


def test_params_lists_the_initiative_keys_of_a_portfolio(capsys):
    assert main(["params", "portfolio", "--portfolio", "balanced", "--json"]) == 0
    listed = {p["key"]: p for p in json.loads(capsys.readouterr().out)}
    assert listed[GAIN]["default"] == project(with_portfolio(Config(), "balanced")).cpk_gain
    assert listed[GAIN]["unit"] == "Cpk"
    assert listed[GAIN]["range"] == "0 <= value <= 3"
    assert PROJECT in listed[GAIN]["description"]
    assert main(["params", "portfolio", "--json"]) == 0
    assert not any(p["key"].count(".") == 2 for p in json.loads(capsys.readouterr().out))


def test_a_portfolio_file_error_names_the_initiative(tmp_path):
    data = load_portfolio("balanced")
    data["initiatives"][0]["duration_months"] = 2.5
    with pytest.raises(ConfigError, match=r"portfolio.capability_project.duration_months = 2.5"):
        Config.from_mapping({"portfolio": data})
