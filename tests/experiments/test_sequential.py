"""Sequential replication stops when the precision is reached and respects its cap."""

from __future__ import annotations

import numpy as np
import pytest

from sqm_sim.experiments import MemoryStore, replicate_until
from sqm_sim.experiments.intervals import t_interval
from sqm_sim.experiments.sequential import SequentialRule, run_sequential

from .helpers import CountingRun


def synthetic(mean: float, sd: float, asked: list[int]):
    """``evaluate(n)``: replication i of a cell is a fixed normal draw (seeded by i), as a
    simulation replication is fixed by its seed."""

    def evaluate(n: int) -> dict[str, np.ndarray]:
        asked.append(n)
        values = [np.random.default_rng(1000 + i).normal(mean, sd) for i in range(n)]
        return {"cell": np.array(values)}

    return evaluate


def test_stops_at_the_first_check_that_meets_the_target():
    asked: list[int] = []
    rule = SequentialRule("kpi", 0.02, initial=10, batch=5, max_replications=500)
    outcome = run_sequential(synthetic(100.0, 10.0, asked), rule)
    assert outcome.reached
    assert asked == list(range(10, outcome.replications + 1, 5))
    widths = [step["worst_relative_half_width"] for step in outcome.history]
    assert widths[-1] <= 0.02
    assert all(width > 0.02 for width in widths[:-1])
    # theory: half-width ~ t * sd / sqrt(n), so about (1.97 * 0.1 / 0.02)^2 ~ 100 replications
    assert 50 <= outcome.replications <= 200
    final = t_interval(synthetic(100.0, 10.0, [])(outcome.replications)["cell"], 0.95)
    assert outcome.intervals["cell"] == final


def test_respects_the_cap_when_the_target_is_out_of_reach():
    asked: list[int] = []
    rule = SequentialRule("kpi", 0.001, initial=10, batch=7, max_replications=20)
    outcome = run_sequential(synthetic(1.0, 5.0, asked), rule)
    assert not outcome.reached
    assert asked == [10, 17, 20]
    assert outcome.replications == 20


def test_a_constant_kpi_stops_after_the_initial_replications():
    asked: list[int] = []
    rule = SequentialRule("kpi", 0.05, initial=4, batch=4, max_replications=40)
    outcome = run_sequential(synthetic(5.0, 0.0, asked), rule)
    assert outcome.reached
    assert asked == [4]


def test_the_worst_cell_decides():
    def evaluate(n: int) -> dict[str, np.ndarray]:
        quiet = np.full(n, 10.0)
        noisy = np.array([np.random.default_rng(i).normal(10.0, 5.0) for i in range(n)])
        return {"quiet": quiet, "noisy": noisy}

    outcome = run_sequential(evaluate, SequentialRule("kpi", 0.1, 5, 5, 200))
    assert outcome.history[0]["cell"] == "noisy"
    assert outcome.intervals["noisy"].relative_half_width <= 0.1


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"relative_precision": 0.0}, "relative_precision"),
        ({"relative_precision": 0.1, "initial": 1}, "at least 2"),
        ({"relative_precision": 0.1, "batch": 0}, "batch"),
        ({"relative_precision": 0.1, "initial": 10, "max_replications": 5}, "max_replications"),
    ],
)
def test_invalid_rules_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        SequentialRule("kpi", **kwargs)


def test_replicate_until_on_the_model_reuses_earlier_replications(tiny):
    """Run on the model with an unreachable target: stops at the cap, and every seed was
    simulated exactly once although the rule looked at 3, 5 and 6 replications."""
    counting = CountingRun()
    result = replicate_until(
        tiny,
        "npv",
        1e-6,
        initial=3,
        batch=2,
        max_replications=6,
        kpis=["npv"],
        store=MemoryStore(),
        run=counting,
    )
    assert result.sequential is not None
    assert not result.sequential.reached
    assert result.sequential.replications == 6
    assert sorted(seed for _, seed in counting.calls) == [1, 2, 3, 4, 5, 6]
    row = result.table.set_index("kpi").loc["npv"]
    assert row["n"] == 6
    assert row["ci_low"] < row["mean"] < row["ci_high"]


def test_replicate_until_stops_once_precise_enough(tiny):
    """Revenue varies by about 3 % between replications of the tiny company, so a 2 %
    target needs roughly (2.3 * 0.03 / 0.02)^2 ~ 10 replications,
    far fewer than the cap."""
    result = replicate_until(
        tiny, "revenue", 0.02, initial=3, batch=2, max_replications=41, kpis=["revenue"]
    )
    outcome = result.sequential
    assert outcome is not None
    assert outcome.reached
    widths = [step["worst_relative_half_width"] for step in outcome.history]
    assert widths[-1] <= 0.02
    assert all(width > 0.02 for width in widths[:-1])
    assert outcome.replications < 41
    assert result.table.set_index("kpi").loc["revenue", "n"] == outcome.replications
