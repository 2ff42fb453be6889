"""Risk beyond the mean: tail statistics on samples worked out by hand, ranking by a chosen
criterion on constructed data, and the comparison's risk tables end to end."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from sqm_sim.config import ConfigError
from sqm_sim.experiments.risk import (
    cvar,
    loss_probability,
    percentiles,
    rank_by_criterion,
    risk_table,
    worst_cash,
)

from .conftest import TINY
from .helpers import run_cli

SETS = [arg for key, value in TINY.items() for arg in ("--set", f"{key}={value}")]
SERIAL = ["--backend", "serial", "--quiet"]


def test_cvar_is_the_mean_of_the_worst_share_with_a_fractional_last_value():
    values = np.arange(1.0, 11.0)  # 1 ... 10
    # level 0.25 of 10 values: k = 2.5 -> (1 + 2 + 0.5 * 3) / 2.5
    assert cvar(values, 0.25) == pytest.approx(4.5 / 2.5)
    # a KPI to minimise: the worst are the largest -> (10 + 9 + 0.5 * 8) / 2.5
    assert cvar(values, 0.25, "min") == pytest.approx(23.0 / 2.5)
    # a whole number of values: plain mean of the worst two
    assert cvar(values, 0.2) == pytest.approx(1.5)


def test_percentiles_interpolate_between_order_statistics():
    found = percentiles(np.arange(1.0, 11.0))
    # position (n - 1) q: p25 -> 2.25 -> 3.25; p5 -> 0.45 -> 1.45; p95 -> 8.55 -> 9.55
    assert found == pytest.approx({"p5": 1.45, "p25": 3.25, "p50": 5.5, "p75": 7.75, "p95": 9.55})


def test_loss_probability_is_the_share_below_zero_with_the_wilson_interval():
    differences = [-3.0, -1.0, -0.5, 0.0, 2.0, 4.0, 5.0, 1.0, 7.0, 9.0]
    share, low, high, n = loss_probability(differences, 0.95)
    assert (share, n) == (0.3, 10)
    z = stats.norm.ppf(0.975)
    centre = (0.3 + z**2 / 20) / (1 + z**2 / 10)
    half = z / (1 + z**2 / 10) * math.sqrt(0.3 * 0.7 / 10 + z**2 / 400)
    assert (low, high) == pytest.approx((centre - half, centre + half), rel=1e-9)


def test_worst_cash_is_the_lowest_cumulative_profit_and_its_month():
    series = pd.DataFrame(
        {"run_id": ["a"] * 4, "period": [1, 2, 3, 4], "profit": [-5.0, 3.0, -4.0, 10.0]}
    )
    row = worst_cash(series).iloc[0]
    assert (row["worst_cumulative_cash"], row["worst_month"]) == (-6.0, 3)


def test_bad_cvar_level_names_the_value_and_what_is_allowed():
    with pytest.raises(ConfigError, match=r"cvar_level = 1\.5: must be a share strictly"):
        cvar([1.0, 2.0], 1.5)


def _runs(values: dict[str, list[float]], scenario: str = "s") -> pd.DataFrame:
    rows = []
    for portfolio, series in values.items():
        for seed, value in enumerate(series, start=1):
            rows.append(
                {
                    "cell": f"{scenario}|{portfolio}",
                    "scenario": scenario,
                    "portfolio": portfolio,
                    "seed": seed,
                    "status": "ok",
                    "run_id": f"{scenario}{portfolio}{seed}",
                    "npv": value,
                }
            )
    return pd.DataFrame(rows)


# steady: 100 +- 1; risky: 130 in 36 seeds, -100 in 4 (mean 107, a heavy low tail)
STEADY = [100.0 + (seed % 3 - 1) for seed in range(40)]
RISKY = [-100.0 if seed % 10 == 0 else 130.0 for seed in range(40)]


def test_the_mean_prefers_the_risky_portfolio_and_cvar_the_steady_one():
    runs = _runs({"steady": STEADY, "risky": RISKY})
    groups = {"s": ["s|steady", "s|risky"]}
    by_mean = rank_by_criterion(runs, "npv", groups, "mean")
    assert list(by_mean["cell"]) == ["s|risky", "s|steady"]
    by_cvar = rank_by_criterion(runs, "npv", groups, "cvar", level=0.1)
    assert list(by_cvar["cell"]) == ["s|steady", "s|risky"]
    risky = by_cvar.set_index("cell").loc["s|risky"]
    assert risky["value"] == pytest.approx(-100.0)  # the 4 worst of 40 are all -100
    # a resample without any bad seed has probability 0.9^40 = 1.5 % < 2.5 %: significant
    assert bool(risky["significantly_worse_than_best"])
    by_p5 = rank_by_criterion(runs, "npv", groups, "p5")
    assert list(by_p5["cell"]) == ["s|steady", "s|risky"]


def test_bonferroni_widens_the_bootstrap_interval():
    runs = _runs({"a": STEADY, "b": RISKY, "c": [x + 1 for x in STEADY]})
    groups = {"s": ["s|a", "s|b", "s|c"]}
    plain = rank_by_criterion(runs, "npv", groups, "p50").set_index("cell")
    wide = rank_by_criterion(runs, "npv", groups, "p50", adjust="bonferroni").set_index("cell")
    assert wide.loc["s|a", "comparison_confidence"] == pytest.approx(1 - 0.05 / 2)
    width = wide["difference_ci_high"] - wide["difference_ci_low"]
    assert (width >= plain["difference_ci_high"] - plain["difference_ci_low"]).all()


def test_regret_with_one_scenario_orders_as_the_mean_and_across_scenarios_is_minimax():
    runs = _runs({"steady": STEADY, "risky": RISKY})
    one = rank_by_criterion(runs, "npv", {"s": ["s|steady", "s|risky"]}, "regret")
    assert list(one["cell"]) == ["risky", "steady"]
    # scenario t: risky collapses (regret 60 for it); steady loses 10 in s at most
    good = [110.0] * 40
    runs = pd.concat(
        [
            _runs({"steady": [100.0] * 40, "risky": good}, "s"),
            _runs({"steady": [100.0] * 40, "risky": [40.0] * 40}, "t"),
        ]
    )
    groups = {"s": ["s|steady", "s|risky"], "t": ["t|steady", "t|risky"]}
    table = rank_by_criterion(runs, "npv", groups, "regret")
    assert list(table["cell"]) == ["steady", "risky"]
    assert list(table["value"]) == pytest.approx([10.0, 60.0])


def test_unknown_criterion_is_refused():
    runs = _runs({"a": STEADY, "b": RISKY})
    with pytest.raises(ConfigError, match=r"rank_by = 'worst': allowed: mean, p5, p50"):
        rank_by_criterion(runs, "npv", {"s": ["s|a", "s|b"]}, "worst")


def test_risk_table_reports_the_loss_probability_of_the_gain_over_none():
    rows = pd.DataFrame(
        {
            "cell": ["x"] * 4,
            "npv": [1.0, 2.0, 3.0, 4.0],
            "incremental_npv": [-1.0, 1.0, 2.0, -0.5],
        }
    )
    table = risk_table(rows, "npv", 0.25).set_index("quantity")
    assert table.loc["incremental_npv", "p_loss"] == 0.5
    assert table.loc["npv", "cvar"] == 1.0  # k = 1: the worst value
    assert math.isnan(table.loc["npv", "p_loss"])


def test_compare_writes_the_risk_tables_and_ranks_by_cvar(tmp_path, capsys):
    out = tmp_path / "cmp"
    code = run_cli(
        [
            "compare",
            "baseline",
            "--portfolios",
            "none",
            "balanced",
            "--replications",
            "4",
            "--rank-by",
            "cvar",
            "--cvar-level",
            "0.25",
            "--json",
            "--out",
            str(out),
            *SETS,
            *SERIAL,
        ]
    )
    assert code == 0
    data = json.loads(capsys.readouterr().out)
    risk = pd.read_parquet(out / "risk.parquet")
    assert set(risk["quantity"]) == {"npv", "incremental_npv", "worst_cumulative_cash"}
    outcomes = pd.read_csv(out / "outcomes.csv")
    # incremental NPV is the per-seed difference from none (common random numbers)
    pivot = outcomes.pivot(index="seed", columns="portfolio", values="npv")
    gain = outcomes[outcomes["portfolio"] == "balanced"].set_index("seed")["incremental_npv"]
    assert np.allclose(gain, pivot["balanced"] - pivot["none"])
    ranking = data["tables"]["risk_ranking"]
    assert {row["criterion"] for row in ranking} == {"cvar"}
    best = pd.DataFrame(ranking).sort_values("rank").iloc[0]
    expected = {cell: cvar(group["npv"], 0.25) for cell, group in outcomes.groupby("cell")}
    assert best["value"] == pytest.approx(max(expected.values()))
    spend = pd.read_csv(out / "spend.csv").set_index("portfolio")
    assert spend.loc["balanced", "pv_spend"] > 0
    assert spend.loc["balanced", "roi"] == pytest.approx(
        spend.loc["balanced", "incremental_npv"] / spend.loc["balanced", "pv_spend"]
    )


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--cvar-level", "1.5"], "cvar_level = 1.5"),
        (["--cvar-level", "0"], "cvar_level = 0.0"),
    ],
)
def test_bad_risk_options_exit_2_naming_the_field(argv, message, capsys):
    code = run_cli(["compare", "baseline", "--replications", "2", *argv, *SETS, *SERIAL])
    assert code == 2
    assert message in capsys.readouterr().err


def test_risk_options_outside_a_comparison_are_refused():
    from sqm_sim.experiments.spec import parse_experiment

    data = {
        "rank_by": "cvar",
        "design": {"type": "replications", "scenario": "baseline"},
    }
    with pytest.raises(ConfigError, match=r"rank_by = 'cvar' applies to comparisons only"):
        parse_experiment(data)
