"""Portfolio search: affordability without running, exhaustive and heuristic search, the
cost-vs-NPV frontier."""

from __future__ import annotations

import numpy as np
import pytest

from sqm_sim import Config
from sqm_sim.config import ConfigError
from sqm_sim.experiments import Menu, SerialBackend, run_plan, search_portfolios
from sqm_sim.experiments.search import Search, pareto_frontier
from sqm_sim.run.kpis import monthly_discount_factors

BUDGET = 45_000.0
MENU = [
    {"kind": "process_improvement", "name": "A", "duration_months": 3, "one_off_cost": 30_000.0},
    {"kind": "qa_system", "name": "B", "duration_months": 2, "one_off_cost": 10_000.0},
    {
        "kind": "process_improvement",
        "name": "C",
        "start_month": 1,
        "duration_months": 2,
        "one_off_cost": 10_000.0,
    },
    {"kind": "customer_service", "name": "D", "duration_months": 2, "one_off_cost": 20_000.0},
]
"""A and C are both process improvements overlapping in time; A + D is over budget."""

FEASIBLE = {"none", "A", "B", "C", "D", "A+B", "B+C", "B+D", "C+D", "B+C+D"}


def test_feasible_subsets_are_found_without_running(tiny):
    menu = Menu(tiny, MENU, BUDGET)
    found = menu.feasible_subsets(limit=100)
    assert found is not None
    assert {c.name for c in found} == FEASIBLE
    assert menu.infeasible_reasons["initiatives of one kind overlap"] >= 1
    assert menu.infeasible_reasons["over budget"] >= 1
    b_d = next(c for c in found if c.name == "B+D")
    monthly = np.zeros(6)
    monthly[:2] = 5_000.0 + 10_000.0
    assert b_d.total_spend == pytest.approx(30_000.0)
    assert b_d.pv_spend == pytest.approx(float((monthly * monthly_discount_factors(tiny)).sum()))
    assert menu.feasible_subsets(limit=5) is None  # too many to enumerate


def test_bad_menus_are_refused(tiny):
    with pytest.raises(ConfigError, match="menu is empty"):
        Menu(tiny, [], BUDGET)
    with pytest.raises(ConfigError, match="unique"):
        Menu(tiny, [MENU[0], MENU[0]], BUDGET)
    with pytest.raises(ConfigError, match=r"menu initiative 1 .*one_off_cost"):
        Menu(tiny, [{**MENU[0], "one_off_cost": -1.0}], BUDGET)


def test_exhaustive_search_on_the_model_reports_frontier_and_best(tiny):
    menu = Menu(tiny, MENU, BUDGET)
    backend = SerialBackend()
    result = search_portfolios(
        menu, [1, 2, 3], lambda plan: run_plan(plan, backend=backend, quiet=True), kpi="npv"
    )
    assert result.method == "exhaustive"
    assert result.feasible == len(FEASIBLE)
    table = result.table
    assert set(table["portfolio"]) == FEASIBLE
    assert (table["n"] == 3).all()
    assert table["mean"].is_monotonic_decreasing
    # every frontier point is undominated; every other point is dominated by one of them
    frontier = table[table["on_frontier"]]
    for row in table.itertuples():
        dominated = (
            (frontier["pv_spend"] <= row.pv_spend)
            & (frontier["mean"] >= row.mean)
            & ((frontier["pv_spend"] < row.pv_spend) | (frontier["mean"] > row.mean))
        )
        assert dominated.any() != row.on_frontier
    best = result.best
    assert best["portfolio"] == table["portfolio"].iloc[0]
    assert best["ci_low"] <= best["mean"] <= best["ci_high"]
    if best["portfolio"] != "none":
        assert best["vs_none"]["other"] == "none"
    assert len(result.runs) == 3 * len(FEASIBLE)


def _wide_menu() -> list[dict]:
    kinds = [
        "process_improvement",
        "qa_system",
        "training",
        "involvement",
        "technology",
        "customer_service",
        "redesign",
    ]
    items = []
    for i in range(12):
        item = {
            "kind": kinds[i % 7],
            "name": f"i{i:02d}",
            "start_month": 4 * i,
            "duration_months": 3,
            "one_off_cost": 1000.0 * (i + 1),
        }
        if item["kind"] == "customer_service":
            item["recovery_quality_gain"] = 0.1
        items.append(item)
    return items


def test_heuristic_finds_the_optimum_of_an_additive_objective_within_budget():
    """With 2^12 feasible subsets and 80 evaluations the search is heuristic; for a value
    that is a sum of the initiatives' own values, greedy ascent must end at the set of
    initiatives with positive value (greedy needs 12 + 11 + ... + 6 = 63 evaluations)."""
    weights = np.array([5, -3, 8, -1, 2, -7, 4, -2, 6, -4, 1, -6], float)
    menu = Menu(Config(), _wide_menu(), None)
    calls = []

    def evaluate(candidates):
        calls.append(len(candidates))
        return {c.name: np.full(3, weights[list(c.members)].sum()) for c in candidates}

    assert all(menu.candidate((i,)) is not None for i in range(12))
    assert menu.feasible_subsets(limit=80) is None
    search = Search(menu, evaluate, max_evaluations=80, direction="max", search_seed=1)
    search.run_heuristic()
    assert len(search.values) <= 80
    best = max(search.candidates.values(), key=search.score)
    assert set(best.members) == {i for i, w in enumerate(weights) if w > 0}
    assert calls[0] == 1  # the empty portfolio first, then neighbours in batches
    assert max(calls) > 1


def test_search_falls_back_to_the_heuristic_when_the_menu_is_large(tiny):
    menu = Menu(tiny, MENU, BUDGET)
    result = search_portfolios(
        menu, [1, 2], lambda plan: run_plan(plan, quiet=True), max_evaluations=6
    )
    assert result.method == "heuristic"
    assert len(result.table) <= 6
    assert "none" in set(result.table["portfolio"])


def test_pareto_frontier_mask():
    cost = [0.0, 1.0, 2.0, 2.0, 3.0]
    value = [1.0, 3.0, 2.0, 5.0, 5.0]
    assert pareto_frontier(cost, value).tolist() == [True, True, False, True, False]
