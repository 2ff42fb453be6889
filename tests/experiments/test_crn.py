"""Common random numbers: every cell runs the same seeds, which sharpens comparisons."""

from __future__ import annotations

import numpy as np

from sqm_sim.experiments import (
    PortfolioChoice,
    ScenarioChoice,
    grid_cells,
    paired_differences,
    paired_interval,
    run_plan,
    seed_matrix,
    welch_interval,
)
from sqm_sim.experiments.plan import Plan

from .conftest import TINY

PORTFOLIO_OVERRIDES = {**TINY, "simulation.horizon_months": 12}
"""Process-first's capability project needs a few months to show; twelve months."""


def test_paired_interval_of_two_portfolios_is_narrower_than_the_unpaired_one():
    """Both portfolios face the same demand, drift and customer decisions seed by seed,
    so the per-seed NPV difference varies far less than either NPV: the paired interval
    must be narrower than Welch's on the same runs."""
    cells = grid_cells(
        [ScenarioChoice("baseline")],
        [PortfolioChoice("none"), PortfolioChoice("process_first")],
        PORTFOLIO_OVERRIDES,
    )
    batch = run_plan(Plan(cells, list(range(1, 9))))
    assert batch.failed == 0
    seeds_per_cell = batch.runs.groupby("cell")["seed"].apply(sorted)
    assert all(seeds == list(range(1, 9)) for seeds in seeds_per_cell)  # the same seeds
    matrix = seed_matrix(batch.runs, "npv", [c.name for c in cells])
    with_it, without = matrix.iloc[:, 1], matrix.iloc[:, 0]
    paired = paired_interval(with_it, without)
    unpaired = welch_interval(with_it, without)
    assert paired.mean == np.mean(with_it - without)
    assert paired.half_width < unpaired.half_width
    table = paired_differences(batch.runs, ["npv"], {cells[1].name: cells[0].name})
    row = table.iloc[0]
    assert row["half_width"] == paired.half_width
    assert row["unpaired_half_width"] == unpaired.half_width
