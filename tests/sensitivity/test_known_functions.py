"""The whole pipeline (space -> sample -> engine -> analyse) on functions with known indices.

A plain function of three config keys stands in for the simulation (see ``functions.py``);
everything else is what ``sqm-sim sensitivity`` does: the same space, sampler, experiment
engine (plan, store, chunks) and SALib analysis.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from sqm_sim.sensitivity import parse_sensitivity, run_sensitivity

from .functions import (
    INPUT_KEYS,
    ISHIGAMI_S1,
    ISHIGAMI_ST,
    LINEAR_COEFFICIENTS,
    ishigami,
    ishigami_run,
)

UNIT_SPACE = [{"key": key, "low": 0.0, "high": 1.0} for key in INPUT_KEYS]


def analyse(method: str, n: int, **options):
    spec = parse_sensitivity(
        {
            "method": method,
            "n": n,
            "space": UNIT_SPACE,
            "kpis": ["npv", "profit"],
            "size": "full",
            "noise_points": 0,
            **options,
        }
    )
    return run_sensitivity(spec, run=ishigami_run)


def values(outcome, kpi: str, index: str):
    table = outcome.indices
    part = table[(table["kpi"] == kpi) & (table["index"] == index)].set_index("parameter")
    return part.loc[list(INPUT_KEYS)]


@pytest.fixture(scope="module")
def sobol_ishigami():
    # 99% intervals: six indices are checked, so the family-wise miss rate stays small
    return analyse("sobol", 512, confidence=0.99, bootstrap=500)


@pytest.mark.slow
@pytest.mark.parametrize(("index", "exact"), [("S1", ISHIGAMI_S1), ("ST", ISHIGAMI_ST)])
def test_sobol_indices_of_ishigami_lie_in_their_bootstrap_intervals(sobol_ishigami, index, exact):
    table = values(sobol_ishigami, "npv", index)
    for (key, row), truth in zip(table.iterrows(), exact, strict=True):
        assert row["ci_low"] <= truth <= row["ci_high"], (key, index, row.to_dict(), truth)
        # and the interval is informative, not the whole [0, 1]
        assert row["ci_high"] - row["ci_low"] < 0.35


@pytest.mark.slow
def test_sobol_ranks_ishigami_by_total_index(sobol_ishigami):
    ranking = sobol_ishigami.ranking
    order = ranking[ranking["kpi"] == "npv"]["parameter"].tolist()
    assert order == list(INPUT_KEYS)  # ST: x1 0.558 > x2 0.442 > x3 0.244


@pytest.mark.slow
def test_unused_input_has_exactly_zero_sobol_indices(sobol_ishigami):
    # profit = 5 u1 + 2 u2: u3 is never used, so f(A) == f(AB_3) at every row
    for index in ("S1", "ST"):
        row = values(sobol_ishigami, "profit", index).loc[INPUT_KEYS[2]]
        assert row["value"] == pytest.approx(0.0, abs=1e-12)
        assert row["ci_low"] <= 0.0 <= row["ci_high"]
    # linear model: S1 = ST = c_i^2 / sum c^2 (uniform inputs have equal variance)
    share = np.square(LINEAR_COEFFICIENTS) / np.square(LINEAR_COEFFICIENTS).sum()
    st = values(sobol_ishigami, "profit", "ST")
    for key, expected in zip(INPUT_KEYS, share, strict=True):
        assert st.loc[key, "ci_low"] - 1e-9 <= expected <= st.loc[key, "ci_high"] + 1e-9


def exact_morris_mu_star(levels: int) -> list[float]:
    """mu* of Ishigami on a ``levels``-level Morris grid: the mean |elementary effect|
    over every grid point from which a step of Delta = levels / (2 (levels - 1)) fits,
    enumerated exactly (Morris 1991; Campolongo et al. 2007)."""
    grid = np.arange(levels) / (levels - 1)
    delta = levels / (2 * (levels - 1))
    result = []
    for i in range(3):
        effects = []
        for point in itertools.product(grid, repeat=3):
            if point[i] + delta <= 1 + 1e-12:
                moved = list(point)
                moved[i] += delta
                effects.append(abs(ishigami(*moved) - ishigami(*point)) / delta)
        result.append(float(np.mean(effects)))
    return result


@pytest.mark.slow
def test_morris_estimates_and_ranks_ishigami_like_the_exact_grid_expectation():
    # with 8 levels the exact mu* are 7.96 (x1), 3.23 (x2), 5.72 (x3): a large step in x2
    # lands near the same value of sin^2, which Morris sees as a small effect
    exact = exact_morris_mu_star(8)
    outcome = analyse("morris", 200, num_levels=8, confidence=0.99, bootstrap=500)
    table = values(outcome, "npv", "mu_star")
    for (key, row), truth in zip(table.iterrows(), exact, strict=True):
        assert row["ci_low"] <= truth <= row["ci_high"], (key, row.to_dict(), truth)
    ranking = outcome.ranking[outcome.ranking["kpi"] == "npv"]["parameter"].tolist()
    assert ranking == [INPUT_KEYS[i] for i in np.argsort(exact)[::-1]]


def test_morris_on_a_linear_function_recovers_the_slopes():
    outcome = analyse("morris", 10)
    mu_star = values(outcome, "profit", "mu_star")["value"].to_numpy()
    sigma = values(outcome, "profit", "sigma")["value"].to_numpy()
    # elementary effects on the unit scale are the slopes themselves, with no spread
    assert mu_star == pytest.approx(LINEAR_COEFFICIENTS, abs=1e-9)
    assert sigma == pytest.approx([0.0, 0.0, 0.0], abs=1e-9)


@pytest.mark.slow
def test_fast_and_delta_rank_the_linear_function():
    for method, n in (("fast", 129), ("delta", 300)):
        outcome = analyse(method, n, bootstrap=50)
        ranking = outcome.ranking[outcome.ranking["kpi"] == "profit"]["parameter"].tolist()
        assert ranking == list(INPUT_KEYS), method


@pytest.mark.slow
def test_fast_first_order_indices_of_ishigami_are_close_to_analytic():
    outcome = analyse("fast", 512, bootstrap=50)
    s1 = values(outcome, "npv", "S1")["value"].to_numpy()
    # eFAST's S1 is biased low by interference; Saltelli et al. (1999) report errors of a
    # few hundredths at this sample size
    assert s1 == pytest.approx(ISHIGAMI_S1, abs=0.03)


@pytest.mark.slow
def test_second_order_indices_of_ishigami():
    # the only interaction is x1 x x3: S13 = V13 / V = ST3 (x3 acts only through it)
    outcome = analyse("sobol", 256, second_order=True, confidence=0.99, bootstrap=300)
    s2 = outcome.indices[(outcome.indices["kpi"] == "npv") & (outcome.indices["index"] == "S2")]
    pairs = s2.set_index("parameter")
    x1, x2, x3 = INPUT_KEYS
    expected = {f"{x1} x {x2}": 0.0, f"{x1} x {x3}": ISHIGAMI_ST[2], f"{x2} x {x3}": 0.0}
    assert set(pairs.index) == set(expected)
    for pair, truth in expected.items():
        assert pairs.loc[pair, "ci_low"] <= truth <= pairs.loc[pair, "ci_high"], pair
    assert outcome.prepared.design.size == 256 * (2 * 3 + 2)


def test_serial_and_process_backends_give_identical_indices():
    from sqm_sim.experiments.backends import ProcessBackend

    spec = parse_sensitivity(
        {
            "method": "morris",
            "n": 8,
            "space": UNIT_SPACE,
            "kpis": ["npv"],
            "size": "full",
            "noise_points": 0,
            "bootstrap": 50,
        }
    )
    serial = run_sensitivity(spec, run=ishigami_run)
    with ProcessBackend(2) as backend:
        parallel = run_sensitivity(spec, run=ishigami_run, backend=backend, chunk_size=4)
    assert parallel.indices.equals(serial.indices)
