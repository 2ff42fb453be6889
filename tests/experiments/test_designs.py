"""Factorial and Latin hypercube designs, and their analysis."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sqm_sim.config import ConfigError
from sqm_sim.experiments import Factor, factorial_points, latin_hypercube_points
from sqm_sim.experiments.designs import design_cells, main_effects, rank_correlations


def test_factorial_points_are_every_combination():
    factors = [Factor("a", (1, 2)), Factor("b", ("x", "y", "z"))]
    points = factorial_points(factors)
    assert len(points) == 6
    assert points[0] == {"a": 1, "b": "x"}
    assert points[-1] == {"a": 2, "b": "z"}
    assert len({tuple(p.items()) for p in points}) == 6


def test_latin_hypercube_has_one_point_per_stratum_of_every_factor():
    samples = 20
    factors = [
        Factor("a", low=0.0, high=10.0),
        Factor("b", low=1.0, high=1000.0, log=True),
        Factor("c", low=1, high=20, integer=True),
    ]
    points = latin_hypercube_points(factors, samples, seed=3)
    a = np.array([p["a"] for p in points])
    strata = np.floor(a / 10.0 * samples).astype(int)
    assert sorted(strata) == list(range(samples))
    log_b = np.log10([p["b"] for p in points])
    assert sorted(np.floor(log_b / 3.0 * samples).astype(int)) == list(range(samples))
    assert sorted(p["c"] for p in points) == list(range(1, 21))  # 20 integers, 20 strata
    assert latin_hypercube_points(factors, samples, seed=3) == points  # reproducible


@pytest.mark.parametrize(
    ("factor", "message"),
    [
        (Factor("a", low=2.0, high=1.0), "must be below"),
        (Factor("a", low=0.0, high=1.0, log=True), "log scale needs low > 0"),
        (Factor("a"), "needs low and high"),
    ],
)
def test_bad_hypercube_factors_are_refused(factor, message):
    with pytest.raises(ConfigError, match=message):
        latin_hypercube_points([factor], 5)


def test_design_cells_validate_every_point(tiny):
    points = [{"quality.inspection_coverage": 0.5}, {"quality.inspection_coverage": 1.5}]
    with pytest.raises(ConfigError, match=r"design point 1 .*inspection_coverage"):
        design_cells([("baseline", tiny)], points)
    cells = design_cells([("baseline", tiny), ("other", tiny)], points[:1])
    assert [c.name for c in cells] == ["baseline|p000", "other|p000"]
    assert cells[0].labels == {
        "scenario": "baseline",
        "point": 0,
        "quality.inspection_coverage": 0.5,
    }


def _runs(effect_a: float, seeds: int = 10) -> pd.DataFrame:
    rng = np.random.default_rng(5)
    common = rng.normal(0.0, 50.0, seeds)
    rows = []
    for point, (a, b) in enumerate([(0, 0), (0, 1), (1, 0), (1, 1)]):
        for seed in range(seeds):
            rows.append(
                {
                    "run_id": f"{point}-{seed}",
                    "cell": f"p{point:03d}",
                    "a": a,
                    "b": b,
                    "seed": seed,
                    "status": "ok",
                    "kpi": 100.0 + effect_a * a + common[seed] + rng.normal(0, 1),
                }
            )
    return pd.DataFrame(rows)


def test_main_effects_recover_a_known_effect_on_common_random_numbers():
    runs = _runs(effect_a=20.0)
    table = main_effects(runs, "kpi", [Factor("a", (0, 1)), Factor("b", (0, 1))])
    a1 = table[(table["parameter"] == "a") & (table["level"] == 1)].iloc[0]
    assert a1["effect_ci_low"] <= 20.0 <= a1["effect_ci_high"]
    assert a1["significant"]
    b1 = table[(table["parameter"] == "b") & (table["level"] == 1)].iloc[0]
    assert b1["effect_ci_low"] <= 0.0 <= b1["effect_ci_high"]


def test_rank_correlations_order_the_parameters():
    summary = pd.DataFrame(
        {
            "kpi": "k",
            "a": np.arange(10.0),
            "b": [3, 1, 4, 1, 5, 9, 2, 6, 5, 3],
            "mean": -2.0 * np.arange(10.0),
        }
    )
    table = rank_correlations(summary, "k", ["b", "a"])
    assert table["parameter"].iloc[0] == "a"
    assert table["spearman_rho"].iloc[0] == pytest.approx(-1.0)
