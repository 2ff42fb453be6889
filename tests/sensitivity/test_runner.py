"""Sensitivity analyses of the simulation and of stand-in functions through the engine:
unused and dominant parameters, noise, refinement, failures, resume, bad input."""

from __future__ import annotations

import math

import pytest

from sqm_sim.config import ConfigError
from sqm_sim.experiments.store import ResultsStore
from sqm_sim.scenarios import load_scenario, shipped_scenarios
from sqm_sim.scenarios.sizes import at_size
from sqm_sim.sensitivity import parse_sensitivity, prepare_sensitivity, refined, run_sensitivity
from sqm_sim.sensitivity.runner import base_config

from .functions import INPUT_KEYS, FailingRun, ishigami_run, noisy_run, seed_shifted_run

TINY = {"simulation.horizon_months": 6}
"""Quick size (300 customers) for 6 months: a few hundredths of a second per run."""


@pytest.fixture(scope="module")
def simulated_sobol():
    """Sobol over a constructed space: unit price over a wide range (dominant for NPV),
    warranty cost per claim (money only: unused by satisfaction and retention) and a
    narrow band of switching cost."""
    spec = parse_sensitivity(
        {
            "method": "sobol",
            "n": 16,
            "overrides": TINY,
            "space": [
                {"key": "finance.unit_price", "low": 80.0, "high": 160.0},
                {"key": "finance.warranty_cost_per_claim", "low": 100.0, "high": 400.0},
                {"key": "environment.switching_cost", "low": 0.45, "high": 0.55},
            ],
            "kpis": ["npv", "retention_rate_annual", "mean_satisfaction"],
            "noise_points": 4,
            "noise_replications": 3,
        }
    )
    return run_sensitivity(spec)


@pytest.mark.slow  # the 92-run Sobol fixture, 14 s
def test_a_parameter_the_kpi_does_not_use_has_zero_indices(simulated_sobol):
    indices = simulated_sobol.indices
    for kpi in ("retention_rate_annual", "mean_satisfaction"):
        rows = indices[
            (indices["kpi"] == kpi) & (indices["parameter"] == "finance.warranty_cost_per_claim")
        ]
        assert len(rows) == 2  # S1 and ST
        for row in rows.itertuples():
            # common random numbers: changing a cost moves no random number, so the runs
            # that differ only in warranty cost are identical and the index is exactly 0
            assert row.value == pytest.approx(0.0, abs=1e-12), (kpi, row.index)
            assert row.ci_low <= 0.0 <= row.ci_high


@pytest.mark.slow  # the 92-run Sobol fixture, 14 s
def test_the_dominant_parameter_is_ranked_first(simulated_sobol):
    ranking = simulated_sobol.ranking
    npv = ranking[ranking["kpi"] == "npv"]
    assert npv["parameter"].iloc[0] == "finance.unit_price"
    assert npv["value"].iloc[0] > 0.5
    convergence = simulated_sobol.convergence.set_index("kpi")
    assert bool(convergence.loc["npv", "top_separated"])


@pytest.mark.slow  # the 92-run Sobol fixture, 14 s
def test_runs_and_points_are_accounted_for(simulated_sobol):
    prepared = simulated_sobol.prepared
    assert prepared.design.size == 16 * (3 + 2)
    assert len(simulated_sobol.points) == prepared.design.size
    assert (simulated_sobol.points["replications"] == 1).all()
    assert simulated_sobol.ran == prepared.total_runs == 80 + 4 * 2
    assert simulated_sobol.failed == 0
    noise = simulated_sobol.noise.set_index("kpi")
    assert 0.0 <= noise.loc["npv", "noise_share"] <= 1.0


def test_noise_share_matches_its_expected_value():
    """npv = u1 + e, e ~ N(0, 1/12), u1 ~ U(0, 1): with R seeds per point the noise share
    of the point means' variance is (1/12R) / (1/12 + 1/12R) = 1 / (R + 1)."""
    for replications in (1, 3):
        spec = parse_sensitivity(
            {
                "method": "sobol",
                "n": 64,
                "size": "full",
                "space": [{"key": INPUT_KEYS[0], "low": 0.0, "high": 1.0}],
                "kpis": ["npv"],
                "replications": replications,
                "noise_points": 20,
                "noise_replications": 10,
            }
        )
        outcome = run_sensitivity(spec, run=noisy_run)
        row = outcome.noise.iloc[0]
        expected = 1 / (replications + 1)
        # the share is a ratio of two variance estimates: relative standard error
        # sqrt(2/df_within + 2/df_across); allow 3 standard errors
        df_within = 20 * (max(10, replications) - 1)
        df_across = outcome.prepared.design.size - 1
        relative = math.sqrt(2 / df_within + 2 / df_across)
        assert row["noise_share"] == pytest.approx(expected, rel=3 * relative)
        assert row["within_point_variance"] == pytest.approx(
            1 / 12, rel=3 * math.sqrt(2 / df_within)
        )


def test_noise_common_to_all_points_does_not_count_against_the_indices():
    spec = parse_sensitivity(
        {
            "method": "sobol",
            "n": 32,
            "size": "full",
            "space": [{"key": INPUT_KEYS[0], "low": 0.0, "high": 1.0}],
            "kpis": ["npv"],
            "noise_points": 6,
            "noise_replications": 8,
        }
    )
    outcome = run_sensitivity(spec, run=seed_shifted_run)
    row = outcome.noise.iloc[0]
    assert row["point_specific_variance"] == pytest.approx(0.0, abs=1e-12)
    assert row["noise_share"] == pytest.approx(0.0, abs=1e-12)
    assert row["seed_common_variance"] > 0.01  # the seeds do shift every point
    # and the index of the only input is 1, as without noise
    st = outcome.indices[outcome.indices["index"] == "ST"].iloc[0]
    assert st["ci_low"] <= 1.0 <= st["ci_high"]


def test_refining_reruns_only_the_new_points_and_matches_a_fresh_analysis(tmp_path):
    data = {
        "method": "sobol",
        "n": 16,
        "size": "full",
        "space": [{"key": key, "low": 0.0, "high": 1.0} for key in INPUT_KEYS],
        "kpis": ["npv"],
        "noise_points": 0,
        "bootstrap": 100,
        "ci_target": 1.0,
    }
    first = run_sensitivity(parse_sensitivity(data), out=tmp_path / "r", run=ishigami_run)
    assert first.ran == 16 * 5
    bigger = refined(first.spec, first.convergence)
    assert bigger.size_n == 32  # converged at the loose target: refining doubles n
    second = run_sensitivity(bigger, out=tmp_path / "r", run=ishigami_run)
    assert second.ran == (bigger.size_n - 16) * 5  # the first 16 blocks are reused
    fresh = run_sensitivity(bigger, run=ishigami_run)
    assert second.indices.equals(fresh.indices)


def test_a_changed_space_in_the_same_folder_is_refused(tmp_path):
    data = {"method": "oat", "size": "full", "kpis": ["npv"], "space": [{"key": INPUT_KEYS[0]}]}
    run_sensitivity(parse_sensitivity(data), out=tmp_path / "r", run=ishigami_run)
    data["space"] = [{"key": INPUT_KEYS[1]}]
    with pytest.raises(ConfigError, match="another experiment"):
        run_sensitivity(parse_sensitivity(data), out=tmp_path / "r", run=ishigami_run)


def test_the_results_folder_is_locked_while_the_runs_are_written(tmp_path):
    folder = tmp_path / "r"
    data = {"method": "oat", "size": "full", "kpis": ["npv"], "space": [{"key": INPUT_KEYS[0]}]}
    spec = parse_sensitivity(data)
    locked_during_runs = []

    def watching_run(config, seed):
        locked_during_runs.append((folder / ".lock").is_file())
        return ishigami_run(config, seed)

    with (
        ResultsStore(folder).locked(),  # another writer holds the folder
        pytest.raises(ConfigError, match="being written by another process"),
    ):
        run_sensitivity(spec, out=folder, run=watching_run)
    assert locked_during_runs == []  # refused before any run
    outcome = run_sensitivity(spec, out=folder, run=watching_run)
    assert outcome.ran == len(locked_during_runs) == 3  # base, low, high
    assert all(locked_during_runs)
    with ResultsStore(folder).locked():  # released when done
        pass


def test_failed_runs_are_reported_kept_and_resumed(tmp_path):
    data = {
        "method": "morris",
        "n": 6,
        "size": "full",
        "space": [{"key": key, "low": 0.0, "high": 1.0} for key in INPUT_KEYS],
        "kpis": ["npv"],
        "noise_points": 0,
    }
    spec = parse_sensitivity(data)
    broken = run_sensitivity(spec, out=tmp_path / "r", run=FailingRun(0.5))
    assert broken.failed > 0
    assert "no successful run" in str(broken.error)
    assert broken.indices.empty
    fixed = run_sensitivity(spec, out=tmp_path / "r", run=ishigami_run)
    assert fixed.ran == broken.failed  # only the failed runs run again
    assert fixed.error is None
    assert not fixed.indices.empty


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"method": "sobol", "n": 100}, "power of 2"),
        ({"method": "sobol", "n": 4}, "power of 2, at least 8"),
        ({"method": "morris", "n": 1}, "at least 2 trajectories"),
        ({"method": "morris", "num_levels": 5}, "even number of levels"),
        ({"method": "fast", "n": 64}, "more than 4 M"),
        ({"method": "delta", "n": 20}, "at least 50"),
        ({"kpis": ["npv", "retention"]}, "unknown KPI 'retention'"),
        ({"space": [{"key": "market.switching_cost"}]}, "environment.switching_cost"),
        ({"space": [{"key": "environment.switching_cost", "low": 0.9, "high": 0.1}]}, "inverted"),
        ({"scenario": "baseline_typo"}, "did you mean 'baseline'"),
        ({"overrides": {"finance.unit_price": -1}}, "finance.unit_price"),
        ({"space": "no/such/space.toml"}, "not found"),
    ],
)
def test_bad_input_is_refused_before_any_run(change, message):
    calls = []

    def counting_run(config, seed):
        calls.append(seed)
        return ishigami_run(config, seed)

    data = {"method": "sobol", "n": 8, "size": "full", "kpis": ["npv"], **change}
    with pytest.raises(ConfigError, match=message):
        run_sensitivity(parse_sensitivity(data), run=counting_run)
    assert calls == []


def test_spec_errors_name_the_field():
    with pytest.raises(ConfigError, match="replications = 0"):
        parse_sensitivity({"replications": 0})
    with pytest.raises(ConfigError, match="did you mean 'method'"):
        parse_sensitivity({"methd": "sobol"})
    with pytest.raises(ConfigError, match="method"):
        parse_sensitivity({"method": "anova"})


def test_a_design_point_outside_the_schema_is_named():
    # a space whose range is valid for the key but combines into an invalid config:
    # order-up-to must not be below the reorder point
    spec = parse_sensitivity(
        {
            "method": "oat",
            "size": "full",
            "space": [{"key": "operations.reorder_point_units", "low": 0, "high": 5000}],
        }
    )
    with pytest.raises(ConfigError, match=r"design point 2 .*reorder"):
        prepare_sensitivity(spec)


def test_quick_size_keeps_rates_and_scales_the_company():
    full = base_config(parse_sensitivity({"size": "full"}))
    quick = base_config(parse_sensitivity({"size": "quick"}))
    assert quick.market.initial_customers == full.market.initial_customers // 5
    assert quick.finance.fixed_cost_per_month == pytest.approx(
        full.finance.fixed_cost_per_month / 5
    )
    assert quick.simulation.horizon_months == 24
    assert quick.finance.unit_price == full.finance.unit_price
    assert quick.environment.switching_cost == full.environment.switching_cost


@pytest.mark.parametrize("name", [info.name for info in shipped_scenarios()])
def test_every_shipped_scenario_has_a_quick_size_that_keeps_its_dated_events(name):
    full = load_scenario(name)
    quick = at_size(full, "quick")
    assert quick.market.initial_customers == round(full.market.initial_customers * 0.2)
    horizon = quick.simulation.horizon_months
    assert horizon <= full.simulation.horizon_months
    assert all(month <= horizon for month in quick.environment.technology_shock_months)
    assert quick.environment.switching_cost_change_month <= horizon
