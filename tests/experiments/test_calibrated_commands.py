"""``compare``, ``roi``, ``search`` and ``sensitivity`` on a profile written by ``sqm-sim
calibrate``: each run draws the parameter set of its seed from the posterior (the same set
for the same seed in every command and on every backend), a drawn key cannot be varied,
and every printout and report says that the intervals include parameter uncertainty (and,
without a posterior, that they cover simulation noise only)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from sqm_sim import load_scenario
from sqm_sim.cli import main
from sqm_sim.portfolios import with_portfolio
from sqm_sim.run import simulate
from sqm_sim.run.posterior import draw_index, uncertainty_note
from tests.experiments.conftest import INTERCEPT

SERIAL = ["--backend", "serial", "--quiet"]


def profile_of(folder):
    return folder / "calibrated_profile.toml"


def by_hand(config, seed, overrides=None):
    """The run a seed of a calibrated config makes, built by hand: the posterior's set
    with index ``draw_index(weights, seed)`` applied to the config without posterior."""
    posterior = config.posterior
    values = dict(
        zip(posterior.parameters, posterior.draws[draw_index(posterior.weights, seed)], strict=True)
    )
    plain = config.model_copy(update={"posterior": None})
    return simulate(plain.with_overrides({**values, **(overrides or {})}), seed).summary


def two_seeds_with_different_draws(weights):
    """The first pair of consecutive seeds that draw different parameter sets."""
    return next(s for s in range(1, 1000) if draw_index(weights, s) != draw_index(weights, s + 1))


def test_consecutive_seeds_draw_different_sets_and_a_seed_always_the_same(calibrated):
    config = load_scenario(str(profile_of(calibrated)))
    weights = config.posterior.weights
    first = two_seeds_with_different_draws(weights)
    assert draw_index(weights, first) != draw_index(weights, first + 1)
    assert [draw_index(weights, first) for _ in range(3)] == [draw_index(weights, first)] * 3
    one, other = (by_hand(config, s)["npv"] for s in (first, first + 1))
    assert one != other


def test_compare_runs_each_seed_with_its_draw_and_says_so(calibrated, capsys):
    profile = profile_of(calibrated)
    config = load_scenario(str(profile))
    first = two_seeds_with_different_draws(config.posterior.weights)
    argv = ["compare", str(profile), "--portfolios", "none", "--replications", "2"]
    assert main([*argv, "--seed", str(first), *SERIAL, "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    for row in result["tables"]["outcomes"]:
        assert row["npv"] == by_hand(config, row["seed"])["npv"]
    note = result["facts"]["parameter_uncertainty"]
    assert note.startswith("intervals include parameter uncertainty: 2 posterior draws, one per")
    assert "(2 distinct of the 5 parameter sets" in note
    assert "from the calibrated profile 'tiny'" in note


CIRCLES = """
[[initiatives]]
kind = "involvement"
name = "quality_circles"
start_month = 0
duration_months = 3
one_off_cost = 2000.0
share_involved = 0.4
"""
"""A one-initiative portfolio (and menu): two portfolios to value or search."""


def test_roi_values_each_seed_with_its_draw_and_says_so(calibrated, tmp_path, capsys):
    profile = profile_of(calibrated)
    config = load_scenario(str(profile))
    first = two_seeds_with_different_draws(config.posterior.weights)
    circles = tmp_path / "circles.toml"
    circles.write_text('name = "circles"' + CIRCLES, encoding="utf-8")
    out = tmp_path / "roi"
    argv = ["roi", str(profile), "--portfolio", str(circles), "--replications", "2"]
    assert main([*argv, "--seed", str(first), "--out", str(out), *SERIAL]) == 0
    assert "intervals include parameter uncertainty: 2 posterior draws" in capsys.readouterr().out
    # --json carries the same sentence as a field, as compare's facts do (runs resumed)
    assert main([*argv, "--seed", str(first), "--out", str(out), *SERIAL, "--json"]) == 0
    facts = json.loads(capsys.readouterr().out)["facts"]
    assert facts["parameter_uncertainty"] == uncertainty_note([config], [first, first + 1])
    assert facts["parameter_uncertainty"].startswith(
        "intervals include parameter uncertainty: 2 posterior draws, one per seed"
    )
    table = pd.read_csv(out / "roi.csv").set_index("initiative")
    with_circles = with_portfolio(config, str(circles))
    gains = [
        by_hand(with_circles, s)["npv"] - by_hand(config, s, {"portfolio": {}})["npv"]
        for s in (first, first + 1)
    ]
    assert table.loc["portfolio", "incremental_npv"] == pytest.approx(np.mean(gains), rel=1e-9)


def test_search_evaluates_each_seed_with_its_draw_and_reports_it(calibrated, tmp_path, capsys):
    profile = profile_of(calibrated)
    config = load_scenario(str(profile))
    menu = tmp_path / "menu.toml"
    menu.write_text(CIRCLES, encoding="utf-8")
    out = tmp_path / "search"
    argv = ["search", str(profile), "--menu", str(menu), "--replications", "2"]
    assert main([*argv, "--out", str(out), *SERIAL]) == 0
    assert "intervals include parameter uncertainty: 2 posterior draws" in capsys.readouterr().out
    rows = pd.read_csv(out / "candidates.csv").set_index("portfolio")
    expected = np.mean([by_hand(config, s, {"portfolio": {}})["npv"] for s in (1, 2)])
    assert rows.loc["none", "mean"] == pytest.approx(expected, rel=1e-12)
    assert "intervals include parameter uncertainty" in (out / "report.md").read_text()


@pytest.mark.slow
def test_the_draws_are_the_same_on_serial_and_processes_backends(calibrated, capsys):
    argv = ["compare", str(profile_of(calibrated)), "--portfolios", "none"]
    argv += ["--replications", "4", "--quiet", "--json"]
    tables = []
    for backend in (["--backend", "serial"], ["--backend", "processes", "--workers", "2"]):
        assert main([*argv, *backend]) == 0
        tables.append(json.loads(capsys.readouterr().out)["tables"]["outcomes"])
    assert tables[0] == tables[1]


def test_sensitivity_runs_each_point_with_the_draw_of_its_seed(calibrated, tmp_path, capsys):
    profile = profile_of(calibrated)
    config = load_scenario(str(profile))
    space = tmp_path / "space.toml"
    space.write_text('[[parameters]]\nkey = "quality.inspection_coverage"\nlow = 0.2\nhigh = 0.9\n')
    out = tmp_path / "oat"
    argv = ["sensitivity", "--scenario", str(profile), "--space", str(space), "--method", "oat"]
    argv += ["--size", "full", "--kpi", "npv", "--replications", "2", "--out", str(out)]
    assert main([*argv, *SERIAL]) == 0
    printed = capsys.readouterr().out
    points = pd.read_csv(out / "points.csv").set_index("cell")
    expected = np.mean(
        [by_hand(config, s, {"quality.inspection_coverage": 0.9})["npv"] for s in (1, 2)]
    )
    assert points.loc["high:quality.inspection_coverage", "npv"] == pytest.approx(expected)
    assert "intervals include parameter uncertainty: 2 posterior draws" in printed
    assert "every design point runs the same seed(s)" in printed
    assert "intervals include parameter uncertainty" in (out / "report.md").read_text()


def test_the_default_space_leaves_out_the_keys_the_posterior_draws(calibrated):
    from sqm_sim.sensitivity.runner import prepare_sensitivity
    from sqm_sim.sensitivity.spec import SensitivitySpec

    profile = str(profile_of(calibrated))
    with_referral = load_scenario(profile)
    data = with_referral.to_dict()
    data["posterior"]["parameters"] = [INTERCEPT, "acquisition.referral_rate_per_year"]
    path = calibrated.parent / "with_referral.toml"
    import tomli_w

    path.write_text(tomli_w.dumps(data), encoding="utf-8")
    prepared = prepare_sensitivity(
        SensitivitySpec(scenario=str(path), method="morris", n=2, size="full")
    )
    plain = prepare_sensitivity(SensitivitySpec(method="morris", n=2, size="full"))
    assert prepared.left_out == ["acquisition.referral_rate_per_year"]
    assert prepared.space.keys == [k for k in plain.space.keys if k not in prepared.left_out]
    assert plain.left_out == []


@pytest.mark.parametrize(
    "command",
    [
        ["compare", "{profile}", "--replications", "2", "--set", f"{INTERCEPT}=2.0"],
        ["roi", "{profile}", "--portfolio", "balanced", "--set", f"{INTERCEPT}=2.0"],
        ["search", "{profile}", "--menu", "balanced", "--set", f"{INTERCEPT}=2.0"],
        ["sensitivity", "--scenario", "{profile}", "--set", f"{INTERCEPT}=2.0"],
        ["sensitivity", "--scenario", "{profile}", "--space", "{space}", "--dry-run"],
    ],
    ids=["compare", "roi", "search", "sensitivity-set", "sensitivity-space"],
)
def test_a_key_the_posterior_draws_cannot_be_varied(calibrated, tmp_path, capsys, command):
    space = tmp_path / "space.toml"
    space.write_text(f'[[parameters]]\nkey = "{INTERCEPT}"\nlow = 2.0\nhigh = 4.0\n')
    argv = [a.format(profile=profile_of(calibrated), space=space) for a in command]
    assert main([*argv, *SERIAL]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert INTERCEPT in captured.err
    assert "drawn from the posterior of the calibrated scenario 'tiny'" in captured.err
    assert "Traceback" not in captured.err


def test_without_a_posterior_the_note_says_simulation_noise_only(small_config, capsys):
    assert uncertainty_note([small_config], [1, 2]).startswith(
        "intervals cover simulation noise only"
    )
    argv = ["compare", "baseline", "--set", "simulation.horizon_months=2", "--set"]
    argv += ["market.initial_customers=50", "--replications", "2", *SERIAL]
    assert main(argv) == 0
    assert "intervals cover simulation noise only" in capsys.readouterr().out


def test_the_note_counts_distinct_sets_and_names_each_profile(small_config):
    posterior = {"parameters": [INTERCEPT], "weights": [1.0, 1.0], "draws": [[2.0], [3.0]]}
    calibrated = small_config.with_overrides({"name": "acme", "posterior": posterior})
    seeds = list(range(1, 11))
    distinct = len({draw_index((1.0, 1.0), s) for s in seeds})
    note = uncertainty_note([calibrated, small_config.to_dict()], seeds)
    assert note.startswith("intervals include parameter uncertainty: 10 posterior draws, one")
    assert f"({distinct} distinct of the 2 parameter sets of {INTERCEPT})" in note
    assert "from the calibrated profile 'acme'" in note
    assert note.endswith(f"runs of {small_config.name} cover simulation noise only")
    as_stored = uncertainty_note([calibrated.to_dict()], seeds)  # a manifest's config dict
    assert as_stored == uncertainty_note([calibrated], seeds)


@pytest.mark.slow
def test_html_reports_say_what_the_intervals_cover(calibrated, tmp_path, capsys):
    """The HTML report of each kind says parameter uncertainty is included for a calibrated
    profile and simulation noise only without one (each report takes seconds: slow tier)."""
    profile = str(profile_of(calibrated))
    circles = tmp_path / "circles.toml"
    circles.write_text('name = "circles"' + CIRCLES, encoding="utf-8")
    space = tmp_path / "space.toml"
    space.write_text('[[parameters]]\nkey = "quality.inspection_coverage"\n')
    oat = ["--space", str(space), "--method", "oat", "--size", "full", "--kpi", "npv"]
    small = ["--set", "simulation.horizon_months=2", "--set", "market.initial_customers=50"]
    twice = ["--replications", "2"]
    runs = {
        "compare": ["compare", profile, "--portfolios", "none", str(circles), *twice],
        "roi": ["roi", profile, "--portfolio", str(circles), "--replications", "2"],
        "sensitivity": ["sensitivity", "--scenario", profile, *oat, "--replications", "2"],
        "plain": ["compare", "baseline", *small, "--portfolios", "none", str(circles), *twice],
    }
    for name, argv in runs.items():
        out = tmp_path / name
        assert main([*argv, "--out", str(out), *SERIAL]) == 0
        assert main(["report", str(out)]) == 0
        html = (out / "report.html").read_text()
        if name == "plain":
            assert "intervals cover simulation noise only" in html
            assert "Not modelled: the company is the shipped scenario" in html
        else:
            if name == "compare":  # the executive summary does not call it uncalibrated
                assert "Not modelled: only the parameters the calibration fitted" in html
                assert "not calibrated to your own data" not in html
            assert "intervals include parameter uncertainty: 2 posterior draws" in html, name
            assert "from the calibrated profile &#x27;tiny&#x27;" in html, name


def exploration(tmp_path, profile, key, low, high):
    circles = tmp_path / "circles.toml"
    circles.write_text('name = "circles"' + CIRCLES, encoding="utf-8")
    spec = tmp_path / "futures.toml"
    spec.write_text(
        f'scenario = "{profile}"\nsize = "full"\nportfolios = ["none", "{circles}"]\n'
        'samples = 2\nreplications = 2\nkpi = "npv"\n'
        '[goal]\nmetric = "incremental"\nthreshold = 0.0\nreference = "none"\n'
        f'[[factors]]\nkey = "{key}"\nlow = {low}\nhigh = {high}\n',
        encoding="utf-8",
    )
    return spec


def test_explore_of_the_calibrated_profile_says_its_intervals_include_the_posterior(
    calibrated, tmp_path, capsys
):
    trend = "environment.competitor_quality_trend_per_year"
    spec = exploration(tmp_path, profile_of(calibrated), trend, 0.0, 0.05)
    assert main(["explore", str(spec), "--out", str(tmp_path / "futures"), *SERIAL]) == 0
    assert "intervals include parameter uncertainty: 2 posterior draws" in capsys.readouterr().out
    drawn = exploration(tmp_path, profile_of(calibrated), INTERCEPT, 2.0, 3.0)
    assert main(["explore", str(drawn), "--out", str(tmp_path / "drawn"), *SERIAL]) == 2
    err = capsys.readouterr().err
    assert f"factor {INTERCEPT} is drawn from the posterior of the calibrated scenario" in err


def test_the_executive_summary_says_what_a_calibrated_run_leaves_out():
    from sqm_sim.report.executive import NOT_MODELLED, NOT_MODELLED_CALIBRATED, not_modelled

    drawn = {"parameter_uncertainty": "intervals include parameter uncertainty: 3 draws"}
    plain = {"parameter_uncertainty": "intervals cover simulation noise only: ..."}
    assert not_modelled(drawn) == NOT_MODELLED_CALIBRATED
    assert not_modelled(plain) == NOT_MODELLED
    assert not_modelled({}) == NOT_MODELLED  # a folder written before the note existed
