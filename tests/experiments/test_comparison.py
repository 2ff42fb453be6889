"""Differences, ranking and robustness on runs tables whose answers are known."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sqm_sim.config import ConfigError
from sqm_sim.experiments import (
    PortfolioChoice,
    ScenarioChoice,
    grid_cells,
    kpi_summary,
    paired_differences,
    rank_cells,
    robustness,
)
from sqm_sim.experiments.comparison import resolve_reference, scenario_groups

from .conftest import TINY

# cell means by scenario and portfolio (NPV, thousands): "steady" is never best but never
# far behind; "bold" wins in boom and loses badly in bust.
MEANS = {
    ("boom", "none"): 100.0, ("boom", "steady"): 130.0, ("boom", "bold"): 160.0,
    ("bust", "none"): 50.0, ("bust", "steady"): 70.0, ("bust", "bold"): 10.0,
}  # fmt: skip


def synthetic_runs(seeds: int = 12, noise: float = 5.0) -> pd.DataFrame:
    """A runs table: every cell on the same seeds; each seed shifts every cell by a common
    amount (what common random numbers do) plus a little cell noise."""
    rng = np.random.default_rng(11)
    common = rng.normal(0.0, 40.0, seeds)
    rows = []
    for (scenario, portfolio), mean in MEANS.items():
        own = rng.normal(0.0, noise, seeds)
        for seed in range(seeds):
            rows.append({
                "run_id": f"{scenario}{portfolio}{seed}", "cell": f"{scenario}|{portfolio}",
                "scenario": scenario, "portfolio": portfolio, "seed": seed, "status": "ok",
                "npv": mean + common[seed] + own[seed],
            })  # fmt: skip
    return pd.DataFrame(rows)


def test_paired_differences_find_what_the_common_shift_hides():
    runs = synthetic_runs()
    reference_of = {f"{s}|{p}": f"{s}|none" for s, p in MEANS}
    table = paired_differences(runs, ["npv"], reference_of).set_index("cell")
    assert set(table.index) == {"boom|steady", "boom|bold", "bust|steady", "bust|bold"}
    for cell, row in table.iterrows():
        scenario, portfolio = cell.split("|")
        true_gap = MEANS[(scenario, portfolio)] - MEANS[(scenario, "none")]
        assert row["ci_low"] <= true_gap <= row["ci_high"]
        assert row["significant"]
        assert row["better"] == (true_gap > 0)
        assert row["worse"] == (true_gap < 0)
        assert row["half_width"] < row["unpaired_half_width"] / 3


def test_ranking_within_scenarios_marks_significant_gaps():
    runs = synthetic_runs()
    groups = {
        "boom": ["boom|none", "boom|steady", "boom|bold"],
        "bust": ["bust|none", "bust|steady", "bust|bold"],
    }
    ranking = rank_cells(runs, "npv", groups, adjust="bonferroni")
    boom = ranking[ranking["group"] == "boom"]
    assert boom["cell"].tolist() == ["boom|bold", "boom|steady", "boom|none"]
    assert boom["significantly_worse_than_best"].tolist() == [False, True, True]
    assert boom["comparison_confidence"].iloc[0] == pytest.approx(1 - 0.05 / 2)
    bust = ranking[ranking["group"] == "bust"]
    assert bust["cell"].iloc[0] == "bust|steady"
    minimised = rank_cells(runs, "npv", groups, direction="min")
    assert minimised[minimised["group"] == "boom"]["cell"].iloc[0] == "boom|none"


def test_robustness_worst_case_and_regret():
    summary = kpi_summary(
        synthetic_runs(seeds=40, noise=0.0), ["npv"], label_names=["scenario", "portfolio"]
    )
    table = robustness(summary, "npv").set_index("portfolio")
    common = summary[summary["cell"] == "boom|none"]["mean"].iloc[0] - 100.0
    # regret: best in the scenario minus own (the common shift cancels)
    assert table.loc["steady", "max_regret"] == pytest.approx(30.0)  # 160 - 130 in boom
    assert table.loc["bold", "max_regret"] == pytest.approx(60.0)  # 70 - 10 in bust
    assert table.loc["none", "max_regret"] == pytest.approx(60.0)
    assert table.loc["steady", "rank_by_max_regret"] == 1
    assert table.loc["bold", "worst"] == pytest.approx(10.0 + common)
    assert table.loc["steady", "times_best"] == 1
    assert table.loc["bold", "times_best"] == 1


def test_grid_cells_are_validated_and_labelled(tiny):
    cells = grid_cells(
        [ScenarioChoice("baseline"), ScenarioChoice("premium", label="prem")],
        [PortfolioChoice("none"), PortfolioChoice("balanced")],
        {**TINY, "simulation.horizon_months": 12},
    )
    assert [c.name for c in cells] == [
        "baseline|none",
        "baseline|balanced",
        "prem|none",
        "prem|balanced",
    ]
    assert cells[1].config.portfolio.name == "balanced"
    assert cells[0].config.portfolio.initiatives == ()
    assert cells[2].config.simulation.horizon_months == 12
    assert scenario_groups(cells) == {
        "baseline": ["baseline|none", "baseline|balanced"],
        "prem": ["prem|none", "prem|balanced"],
    }
    by_portfolio = resolve_reference("none", cells)
    assert by_portfolio["prem|balanced"] == "prem|none"
    fixed = resolve_reference("baseline:balanced", cells)
    assert set(fixed.values()) == {"baseline|balanced"}
    first = resolve_reference(None, cells)
    assert first["prem|balanced"] == "prem|none"


def test_a_portfolio_that_does_not_fit_the_scenario_names_both():
    """customer_first starts an initiative in month 12, so a 12-month horizon rejects it."""
    with pytest.raises(ConfigError, match="scenario 'baseline' with portfolio 'customer_first'"):
        grid_cells(
            [ScenarioChoice("baseline")],
            [PortfolioChoice("customer_first")],
            {**TINY, "simulation.horizon_months": 12},
        )
