"""The classroom page's pure logic: levers from the schema, configs from slider values,
paired runs on common random numbers, the side-by-side table and the bands."""

from __future__ import annotations

import contextlib
import io

import pytest

import sqm_sim
from sqm_sim.app.levers import Lever, LeverRangeError, _check, levers, starting_values
from sqm_sim.app.whatif import (
    OWN_PORTFOLIO,
    RunCache,
    changed_levers,
    monthly_band,
    reference_config,
    run_pair,
    seeds_for,
    side_by_side,
    signed,
    whatif_config,
)
from sqm_sim.cli import main
from sqm_sim.config import Config, ConfigError, iter_parameters
from sqm_sim.scenarios.sizes import QUICK_SCALE

PREVENTION = "quality.prevention_spend_per_month"


def test_every_lever_has_the_schema_unit_and_a_range_inside_the_allowed_one():
    schema = {info.key: info for info in iter_parameters(Config)}
    for lever in levers():
        info = schema[lever.key]
        assert lever.unit == info.unit
        assert lever.unit
        assert info.lower is None or lever.low >= info.lower
        assert info.upper is None or lever.high <= info.upper
        assert lever.low < lever.high


def test_a_teaching_range_outside_the_schema_is_refused_naming_the_lever():
    cpk = next(lever for lever in levers() if lever.key == "operations.process_capability_cpk")
    bad = Lever(cpk.key, cpk.label, cpk.group, 0.1, 2.0, 0.05, cpk.info)
    with pytest.raises(LeverRangeError, match=r"operations\.process_capability_cpk"):
        _check(bad)


def test_a_scenario_value_outside_the_teaching_range_widens_the_slider():
    lever = levers()[0]
    assert lever.slider_range(lever.high * 2) == (lever.low, lever.high * 2)
    assert lever.slider_range(lever.low) == (lever.low, lever.high)


def test_unmoved_sliders_give_the_reference_itself():
    config = sqm_sim.load_scenario("deregulation")
    values = starting_values(config)
    assert values["environment.switching_cost"] == 0.9
    assert changed_levers(config, values) == {}
    whatif = whatif_config("deregulation", OWN_PORTFOLIO, values)
    assert whatif.fingerprint() == reference_config("deregulation").fingerprint()


def test_a_moved_slider_sets_its_key_and_the_quick_size_scales_money():
    values = {**starting_values(sqm_sim.load_scenario("baseline")), PREVENTION: 2500.0}
    full = whatif_config("baseline", OWN_PORTFOLIO, values, "full")
    quick = whatif_config("baseline", OWN_PORTFOLIO, values, "quick")
    assert full.quality.prevention_spend_per_month == 2500.0
    assert quick.quality.prevention_spend_per_month == pytest.approx(2500.0 * QUICK_SCALE)
    assert quick.simulation.horizon_months < full.simulation.horizon_months


def test_an_over_budget_portfolio_gives_the_command_lines_message():
    values = starting_values(sqm_sim.load_scenario("baseline"))
    values["portfolio.budget_per_year"] = 1000.0
    with pytest.raises(ConfigError) as caught:
        whatif_config("baseline", "process_first", values)
    stderr = io.StringIO()
    with contextlib.redirect_stderr(stderr):
        code = main(
            [
                "run",
                "baseline",
                "--portfolio",
                "process_first",
                "--set",
                "portfolio.budget_per_year=1000.0",
            ]
        )
    assert code == 2
    assert stderr.getvalue().strip() == f"sqm-sim: error: {caught.value}"
    assert "over its budget" in str(caught.value)


def test_paired_runs_are_simulate_on_the_same_seeds_and_the_table_their_means():
    reference = reference_config("baseline")
    values = {**starting_values(sqm_sim.load_scenario("baseline")), PREVENTION: 5000.0}
    whatif = whatif_config("baseline", OWN_PORTFOLIO, values)
    seen = []
    pair = run_pair(reference, whatif, (3, 4), progress=lambda d, t: seen.append((d, t)))
    assert seen == [(1, 4), (2, 4), (3, 4), (4, 4)]
    direct = sqm_sim.simulate(whatif, seed=4)
    assert pair.whatif[1].summary == direct.summary
    assert pair.reference[0].summary == sqm_sim.simulate(reference, seed=3).summary
    rows = {row.key: row for row in side_by_side(pair)}
    coq = rows["coq_total"]
    assert coq.whatif == pytest.approx(
        (pair.whatif[0].summary["coq_total"] + pair.whatif[1].summary["coq_total"]) / 2
    )
    assert coq.unit == "currency"
    assert rows["prevention_cost"].whatif > rows["prevention_cost"].reference == 0.0
    assert rows["prevention_cost"].better is False  # more cost is worse
    assert rows["defects_shipped_ppm"].better is True  # prevention cut shipped defects


def test_a_band_spans_the_replications_and_collapses_for_one():
    config = reference_config("baseline")
    runs = [sqm_sim.simulate(config, seed) for seed in (1, 2)]
    band = monthly_band(runs, "active_customers")
    assert list(band["month"]) == list(range(1, config.simulation.horizon_months + 1))
    assert (band["low"] <= band["mean"]).all()
    assert (band["mean"] <= band["high"]).all()
    assert (band["low"] < band["high"]).any()
    single = monthly_band(runs[:1], "active_customers")
    assert (single["low"] == single["high"]).all()


def test_the_cache_reruns_nothing_and_forgets_the_oldest():
    config = reference_config("baseline").with_overrides({"simulation.horizon_months": 2})
    cache = RunCache(capacity=1)
    first = cache.run(config, 1)
    assert cache.run(config, 1) is first
    cache.run(config, 2)
    assert cache.run(config, 1) is not first


def test_a_cancelled_pair_stops_between_runs():
    config = reference_config("baseline")
    assert run_pair(config, config, (1,), cancelled=lambda: True) is None


@pytest.mark.parametrize(("first", "count"), [(1, 0), (1, 21), (-1, 2)])
def test_bad_seed_settings_are_refused(first, count):
    with pytest.raises(ValueError, match=r"allowed|non-negative"):
        seeds_for(first, count)


@pytest.mark.parametrize(
    ("difference", "unit", "shown"),
    [
        (9865.0, "currency", "+9,865"),
        (-721.0, "currency", "-721"),
        (0.0041, "share", "+0.41 %"),
        (0.0025, "0-1 scale", "+0.003"),
        (-0.02, "0-1 scale", "-0.02"),
        (0.0, "customers", "0"),
    ],
)
def test_a_difference_shows_its_sign(difference, unit, shown):
    assert signed(difference, unit) == shown
