"""Company profiles: the documented template, ``sqm-sim profile new`` and the
``[calibration]`` table (checked, and no setting of the model)."""

from __future__ import annotations

import tomllib

import pytest

import sqm_sim
from sqm_sim.cli import main
from sqm_sim.config import ConfigError
from sqm_sim.config.calibration import (
    DEFAULT_RANGES,
    CalibrationSettings,
    PriorSettings,
    default_priors,
    fitted_priors,
)
from sqm_sim.scenarios.profiles import PROFILE_TEMPLATE, load_profile, template_text

# keys that describe a distribution's form, the file or the run, not a company record
NOT_RECORDS = {"kind", "cv", "name", "description", "horizon_months"}


def key_blocks(text: str) -> dict[str, str]:
    """Each ``key = value`` line of the model sections with the comment block above it
    (a block is shared by consecutive keys; a blank line or a table header ends it)."""
    blocks, comment, table = {}, [], ""
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("[") and not stripped.startswith("[["):
            table, comment = stripped.strip("[]"), []
        elif stripped.startswith("#"):
            comment.append(stripped)
        elif not stripped:
            comment = []
        elif "=" in stripped and not table.startswith("calibration"):
            blocks[f"{table}.{stripped.split('=')[0].strip()}".strip(".")] = " ".join(comment)
    return blocks


def test_every_observable_input_of_the_template_says_where_to_find_it():
    blocks = key_blocks(template_text())
    records = {k: v for k, v in blocks.items() if k.split(".")[-1] not in NOT_RECORDS}
    assert len(records) >= 30
    missing = [key for key, comment in records.items() if "Where:" not in comment]
    assert missing == []


def test_the_template_covers_volumes_prices_costs_lines_staff_inspection_customers():
    keys = set(key_blocks(template_text()))
    for key in (
        "market.initial_customers",
        "market.purchase_cycle.mean",
        "finance.unit_price",
        "finance.unit_cost",
        "operations.production_lines",
        "workforce.operators",
        "quality.inspection_coverage",
        "environment.competitor_customers",
    ):
        assert key in keys


def test_the_template_is_a_scenario_with_the_baseline_values():
    profile = load_profile(PROFILE_TEMPLATE)
    baseline = sqm_sim.load_scenario("baseline")
    renamed = baseline.with_overrides(
        {"name": profile.config.name, "description": profile.config.description}
    )
    assert profile.config.fingerprint() == renamed.fingerprint()
    assert sqm_sim.load_scenario(str(PROFILE_TEMPLATE)) == profile.config
    assert profile.calibration == CalibrationSettings()


def test_profile_new_writes_the_template_and_keeps_an_existing_file(tmp_path, capsys):
    target = tmp_path / "my_company.toml"
    assert main(["profile", "new", "--out", str(target)]) == 0
    assert target.read_text(encoding="utf-8") == template_text()
    assert main(["profile", "new", "--out", str(target)]) == 2
    assert "--overwrite" in capsys.readouterr().err
    assert main(["profile", "new", "--out", str(target), "--overwrite"]) == 0


def test_a_bad_calibration_table_is_one_error_naming_the_field(tmp_path, capsys):
    path = tmp_path / "p.toml"
    path.write_text("[calibration]\npopulation = 2\n", encoding="utf-8")
    assert main(["run", str(path)]) == 2
    err = capsys.readouterr().err
    assert "population" in err
    assert "greater than or equal to 5" in err
    assert "Traceback" not in err


def test_the_default_priors_are_every_segments_intercept_and_the_documented_ranges():
    config = sqm_sim.load_scenario("baseline")
    priors = default_priors(config)
    for name, segment in config.segments.items():
        prior = priors[f"segments.{name}.loyalty_intercept"]
        assert (prior.low, prior.high) == pytest.approx(
            (segment.loyalty_intercept - 2, segment.loyalty_intercept + 2)
        )
    for key, (low, high) in DEFAULT_RANGES.items():
        assert (priors[key].low, priors[key].high) == (low, high)
    assert fitted_priors(config, CalibrationSettings()) == priors


@pytest.mark.parametrize(
    ("key", "low", "high", "words"),
    [
        ("quality.drift_rate_per_mont", 0.1, 0.5, "unknown key"),
        ("quality.drift_rate_per_month", -0.1, 0.5, "outside the key's range"),
        ("operations.production_lines", 1.0, 3.0, "only continuous"),
    ],
)
def test_a_prior_the_profile_cannot_take_is_refused(key, low, high, words):
    settings = CalibrationSettings(parameters={key: PriorSettings(low=low, high=high)})
    with pytest.raises(ConfigError, match=words):
        fitted_priors(sqm_sim.load_scenario("baseline"), settings)


def test_a_prior_needs_high_above_low():
    with pytest.raises(ValueError, match="must be above low"):
        PriorSettings(low=1.0, high=1.0)


def test_the_template_is_valid_toml_with_a_calibration_table():
    data = tomllib.loads(template_text())
    assert data["calibration"]["population"] == CalibrationSettings().population
