"""Calibration (``sqm-sim calibrate``): the arithmetic of its tables on hand cases, and
one small fit from the command line to the report and a calibrated profile that
``compare`` runs with the posterior."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from sqm_sim import load_scenario
from sqm_sim.cli import main
from sqm_sim.config.calibration import PriorSettings
from sqm_sim.experiments.calibration import (
    PINNED_RATIO,
    UNIDENTIFIED_RATIO,
    block_statistics,
    credible_intervals,
    verdict,
    weighted_quantile,
)
from sqm_sim.report.names import parameter_label
from sqm_sim.run import simulate
from sqm_sim.run.posterior import draw_index
from tests.experiments.conftest import (
    BLANKS,
    CALIBRATED_FIXTURE,
    DISCOUNT,
    INTERCEPT,
    tiny_profile,
)


def test_block_statistics_are_means_over_blocks_of_months():
    stats = block_statistics({"a": np.array([1.0, 2.0, 3.0, 4.0, np.nan])}, 2)
    assert stats == {"a:0": 1.5, "a:1": 3.5, "a:2": 0.0}


def test_unobserved_months_are_left_out_of_the_statistics_and_the_distance():
    """complaints [2, _, 4 | 1, 1, _ | _] in blocks of 3: observed block means 3 and 1, the
    last block (nothing observed) is no statistic. A simulation [1, 9, 2 | 0, 3, 7 | 5]
    compared on the same months: 1.5 and 1.5, whatever it did in the blank months; the
    Euclidean distance is sqrt(1.5^2 + 0.5^2) = sqrt(2.5)."""
    seen = {"c": np.array([True, False, True, True, True, False, False])}
    observed = block_statistics({"c": np.array([2, np.nan, 4, 1, 1, np.nan, np.nan])}, 3, seen)
    assert observed == {"c:0": 3.0, "c:1": 1.0}
    simulated = block_statistics({"c": np.array([1.0, 9, 2, 0, 3, 7, 5])}, 3, seen)
    assert simulated == {"c:0": 1.5, "c:1": 1.5}
    other = block_statistics({"c": np.array([1.0, -50, 2, 0, 3, 1e6, 8])}, 3, seen)
    assert other == simulated  # the blank months' simulated values weigh nothing
    distance = np.sqrt(sum((observed[k] - simulated[k]) ** 2 for k in observed))
    assert distance == pytest.approx(np.sqrt(2.5))
    # the same as the history without the blank months' rows, blocked as observed
    assert block_statistics({"c": np.array([2.0, 4])}, 2) == {"c:0": 3.0}


def test_the_history_and_its_simulations_share_the_statistics_of_the_observed_months(tmp_path):
    from sqm_sim.experiments.calibration import SimulatedHistory, observed_statistics
    from sqm_sim.experiments.history import read_history

    text = "month,complaints,active_customers\n" + "".join(
        f"{m},{'' if m in (2, 7) else m % 3},{'' if m == 8 else 100 + m}\n" for m in range(1, 10)
    )
    (tmp_path / "h.csv").write_text(text, encoding="utf-8")
    history = read_history(tmp_path / "h.csv")
    stats = observed_statistics(history, 3)
    # complaints months 1, 3 | 4, 5, 6 | 8, 9: 1, 0 | 1, 2, 0 | 2, 0; customers 7 | 8 missing
    assert stats == {
        "complaints:0": 0.5, "complaints:1": 1.0, "complaints:2": 1.0,
        "active_customers:0": 102.0, "active_customers:1": 105.0, "active_customers:2": 108.0,
    }  # fmt: skip
    config = load_scenario("baseline").with_overrides(
        {"simulation.horizon_months": 9, "market.initial_customers": 40}
    )
    model = SimulatedHistory(config, {INTERCEPT: "p0"}, history, 3)
    np.random.seed(3)
    assert set(model({"p0": 3.0})) == set(stats)


def test_weighted_quantiles_of_a_hand_sample():
    values = np.array([4.0, 1.0, 3.0, 2.0])
    equal = np.ones(4)
    assert weighted_quantile(values, equal, 0.5) == pytest.approx(2.5)
    # midpoints of the cumulative weights: 0.125, 0.375, 0.625, 0.875
    assert weighted_quantile(values, equal, 0.375) == pytest.approx(2.0)
    assert weighted_quantile(values, np.array([0.0, 0.0, 0.0, 1.0]), 0.3) == pytest.approx(2.0)


def test_the_width_ratio_compares_the_credible_interval_with_the_priors():
    values = np.linspace(0.0, 10.0, 1001)  # the prior U(0, 10), evenly: ratio 1
    narrow = np.linspace(4.0, 6.0, 1001)  # a fifth of the range: ratio 0.2
    posterior = pd.DataFrame({"wide": values, "narrow": narrow, "weight": 1 / 1001})
    priors = {
        "wide": PriorSettings(low=0.0, high=10.0),
        "narrow": PriorSettings(low=0.0, high=10.0),
    }
    table = credible_intervals(posterior, priors, 0.9).set_index("parameter")
    assert table.loc["wide", "width_ratio"] == pytest.approx(1.0, abs=0.01)
    assert table.loc["narrow", "width_ratio"] == pytest.approx(0.2, abs=0.01)
    assert table.loc["wide", "verdict"] == "not pinned down"
    assert table.loc["narrow", "verdict"] == "pinned down"
    assert table.loc["narrow", "effective_sample_size"] == pytest.approx(1001)


def test_verdicts_at_their_thresholds():
    assert verdict(PINNED_RATIO) == "pinned down"
    assert verdict((PINNED_RATIO + UNIDENTIFIED_RATIO) / 2) == "partly pinned down"
    assert verdict(UNIDENTIFIED_RATIO) == "not pinned down"


def test_calibrate_writes_posterior_intervals_fit_charts_and_reports(calibrated):
    for name in (
        "posterior.parquet", "posterior.csv", "intervals.csv", "fit.csv", "generations.csv",
        "fit.png", "posterior.png", "report.md", "report.html", "calibrated_profile.toml",
        "manifest.json",
    ):  # fmt: skip
        assert (calibrated / name).is_file(), name
    posterior = pd.read_parquet(calibrated / "posterior.parquet")
    assert list(posterior.columns) == [INTERCEPT, DISCOUNT, "weight"]
    assert len(posterior) == 5
    assert posterior["weight"].sum() == pytest.approx(1.0)
    assert posterior[INTERCEPT].between(1.3, 5.3).all()
    intervals = pd.read_csv(calibrated / "intervals.csv")
    assert set(intervals["verdict"]) <= {"pinned down", "partly pinned down", "not pinned down"}
    assert (intervals["lower"] <= intervals["upper"]).all()
    fit = pd.read_csv(calibrated / "fit.csv")
    assert len(fit) == 2 * 8
    assert set(fit["column"]) == {"customers_lost", "active_customers"}
    blank = fit.set_index(["column", "month"]).loc[[(c, m) for c, ms in BLANKS.items() for m in ms]]
    assert blank["observed"].isna().all()  # a blank cell stays unobserved, with no verdict
    assert blank["inside"].isna().all()
    assert fit["inside"].notna().sum() == 2 * 8 - 2
    manifest = json.loads((calibrated / "manifest.json").read_text())
    assert manifest["kind"] == "calibration"
    assert manifest["versions"]["pyabc"].startswith("0.13")
    html = (calibrated / "report.html").read_text()
    assert "Fitted against observed" in html
    assert "data:image/png;base64," in html


@pytest.mark.slow
def test_the_same_command_gives_the_same_posterior(calibrated, tmp_path, small_config):
    profile, history = tiny_profile(tmp_path, small_config, **CALIBRATED_FIXTURE)
    out = tmp_path / "again"
    assert main(["calibrate", str(profile), "--data", str(history), "--out", str(out)]) == 0
    first = pd.read_parquet(calibrated / "posterior.parquet")
    assert pd.read_parquet(out / "posterior.parquet").equals(first)


def test_compare_runs_the_calibrated_profile_with_posterior_draws(calibrated, capsys):
    profile = calibrated / "calibrated_profile.toml"
    config = load_scenario(str(profile))
    posterior = pd.read_parquet(calibrated / "posterior.parquet")
    assert config.posterior.parameters == (INTERCEPT, DISCOUNT)
    assert config.posterior.weights == pytest.approx(tuple(posterior["weight"]))
    argv = ["compare", str(profile), "--replications", "2", "--backend", "serial", "--json"]
    assert main([*argv, "--quiet"]) == 0
    outcomes = json.loads(capsys.readouterr().out)["tables"]["outcomes"]
    plain = config.model_copy(update={"posterior": None})
    for row in outcomes:  # each replication ran the parameter set its seed draws
        drawn = posterior.iloc[draw_index(config.posterior.weights, row["seed"])]
        values = {INTERCEPT: float(drawn[INTERCEPT]), DISCOUNT: float(drawn[DISCOUNT])}
        expected = simulate(plain.with_overrides(values), row["seed"]).summary["npv"]
        assert row["npv"] == expected


@pytest.mark.slow
def test_a_parameter_the_history_cannot_identify_is_reported_as_such(tmp_path, small_config):
    """The discount rate moves no observed column: its posterior is its prior (width ratio
    near 1: for 30 equally weighted prior draws about 0.95 with a standard deviation of
    about 0.07, far above 0.75); the loyalty intercept sets the churn the history shows."""
    profile, history = tiny_profile(tmp_path, small_config, population=30, generations=3, months=12)
    out = tmp_path / "out"
    assert main(["calibrate", str(profile), "--data", str(history), "--out", str(out)]) == 0
    intervals = pd.read_csv(out / "intervals.csv").set_index("parameter")
    assert intervals.loc[DISCOUNT, "verdict"] == "not pinned down"
    assert intervals.loc[INTERCEPT, "verdict"] == "pinned down"
    assert f"The history does not pin down: {parameter_label(DISCOUNT)}." in (
        (out / "report.md").read_text()
    )


@pytest.mark.slow
def test_credible_intervals_cover_the_true_values_of_synthetic_histories():
    """Over synthetic histories with true values drawn from the priors, the 90 % intervals
    cover the truth at least as often as the lowest 1 % tail of Binomial(n, 0.9) allows.
    docs/company_calibration.md reports the full study (tools/calibration_coverage.py)."""
    from scipy import stats

    from sqm_sim.experiments.calibration_check import (
        STUDY_COLUMNS,
        STUDY_MONTHS,
        STUDY_PRIORS,
        STUDY_SETTINGS,
        coverage_study,
        study_config,
    )

    table = coverage_study(
        study_config(),
        STUDY_PRIORS,
        STUDY_COLUMNS,
        STUDY_MONTHS,
        STUDY_SETTINGS,
        datasets=6,
        seed=1,
    )
    covered, n = int(table["covered"].sum()), len(table)
    assert n == 12
    assert stats.binom.cdf(covered, n, STUDY_SETTINGS.credible_level) > 0.01, table


def test_findings_name_the_parameters_of_each_verdict():
    from sqm_sim.experiments.calibration import CalibrationOutcome
    from sqm_sim.report.calibration_files import findings

    intervals = pd.DataFrame(
        {"parameter": ["a", "b", "c"], "verdict": ["pinned down", "not pinned down", "pinned down"]}
    )
    facts = {"fit_coverage": 0.75, "credible_level": 0.9, "check_draws": 40}
    found = findings(
        CalibrationOutcome({}, pd.DataFrame(), intervals, pd.DataFrame(), pd.DataFrame(), facts)
    )
    assert found[0] == "The history pins down: a, c."
    assert found[1] == "The history does not pin down: b."
    assert found[2].startswith("75% of the observed months lie inside the 90% band of 40")
