"""Operator time between production and improvement: the capability stock, its factors
on defects and line speed, schedule pressure and the 'work harder' policy (hand tables on
reduced cases)."""

from __future__ import annotations

import math
from typing import Any

import pytest
import simpy

from sqm_sim import Config, simulate
from sqm_sim.models.context import Context
from sqm_sim.models.ledger import Ledger
from sqm_sim.models.operations import defect_probability
from sqm_sim.models.random_streams import RandomStreams
from sqm_sim.models.tally import Tally
from sqm_sim.models.workforce import Workforce

PROGRAMME = {
    "workforce.improvement_time_share": 0.1,
    "workforce.improvement_time_share_before": 0.0,
    "workforce.capability_build_per_year": 5.0,
    "workforce.capability_erosion_per_year": 0.5,
    "workforce.capability_max_reduction": 0.8,
    "workforce.capability_throughput_loss": 0.3,
}


def _workforce(overrides: dict[str, Any]) -> Workforce:
    env = simpy.Environment()
    config = Config().with_overrides(overrides)
    return Workforce(Context(env, config, RandomStreams(1), Tally(), Ledger(env, 1)))


def test_capability_follows_the_exact_monthly_solution():
    """dK/dt = a s (1 - K) - e K from K0 = 0 with s = 0.1, a = 5, e = 0.5: K* = 0.5 and
    K(t) = 0.5 (1 - exp(-t)) after t years; then, with s = 0, K decays as exp(-0.5 t)."""
    workforce = _workforce(PROGRAMME)
    assert workforce.capability == 0.0
    built = [workforce.build_capability(0.1) for _ in range(24)]
    assert built == pytest.approx([0.5 * (1 - math.exp(-(m + 1) / 12)) for m in range(24)])
    top = built[-1]
    decayed = [workforce.build_capability(0.0) for _ in range(12)]
    assert decayed == pytest.approx([top * math.exp(-0.5 * (m + 1) / 12) for m in range(12)])


def test_factors_start_at_one_and_follow_capability():
    """Starting at K0 = K*(0.1) = 0.5: both factors 1; at K = 0 defects rise to 1 / 0.6
    and line speed falls to 0.7 / 0.85; at K = 1 they are 0.2 / 0.6 and 1 / 0.85."""
    steady = _workforce({**PROGRAMME, "workforce.improvement_time_share_before": 0.1})
    assert steady.capability == pytest.approx(0.5)
    assert steady.capability_factor() == 1.0
    assert steady.throughput_factor() == 1.0
    steady.capability = 0.0
    assert steady.capability_factor() == pytest.approx(1 / 0.6)
    assert steady.throughput_factor() == pytest.approx(0.7 / 0.85)
    steady.capability = 1.0
    assert steady.capability_factor() == pytest.approx(0.2 / 0.6)
    assert steady.throughput_factor() == pytest.approx(1 / 0.85)


def test_without_improvement_time_capability_stays_zero_and_the_factors_one():
    workforce = _workforce({})
    for _ in range(12):
        assert workforce.build_capability(0.0) == 0.0
    assert workforce.capability_factor() == 1.0
    assert workforce.throughput_factor() == 1.0


SMALL = {
    "simulation.horizon_months": 6,
    "market.initial_customers": 200,
    "market.prospects": 100,
    "environment.competitor_customers": 200,
    "workforce.turnover_rate_per_year": 0.0,
    "workforce.learning_rate": 1.0,
    "quality.drift_rate_per_month": 0.0,
}


def test_a_programme_takes_its_hours_off_the_lines_and_builds_capability():
    """Starting a programme (0 -> 10 % of hours) with no pressure: in month m the share is
    0.1, capability is 0.5 (1 - exp(-(m + 1) / 12)) and process- and human-caused defects
    are multiplied by the capability factor (1 - 0.8 K) / (1 - 0)."""
    config = Config().with_overrides({**SMALL, **PROGRAMME})
    plain = Config().with_overrides(SMALL)
    series = simulate(config, seed=3).timeseries
    base = simulate(plain, seed=3).timeseries
    expected = [0.5 * (1 - math.exp(-(m + 1) / 12)) for m in range(6)]
    assert series["capability"].tolist() == pytest.approx(expected)
    assert series["improvement_time_share"].tolist() == pytest.approx([0.1] * 6)
    ops = config.operations
    for row, capability in zip(series.to_dict("records"), expected, strict=True):
        assert row["defect_probability"] == pytest.approx(
            defect_probability(
                ops.design_defect_ppm,
                ops.process_capability_cpk,
                0.0,
                ops.human_error_probability_untrained,
                row["average_skill"],
                1.0 - 0.8 * capability,
            ),
            rel=1e-12,
        )
    assert base["capability"].tolist() == [0.0] * 6
    assert base["improvement_time_share"].tolist() == [0.0] * 6


def test_pressure_moves_improvement_time_to_production():
    """An overloaded firm (backorders every month) with pressure_response 1: the share used
    is 0.1 * (1 - P) with P the reported schedule pressure; with response 0 it stays 0.1."""
    overloaded = {
        **SMALL,
        **PROGRAMME,
        "market.initial_customers": 600,
        "operations.production_lines": 1,
        "operations.cycle_time.mean": 120.0,
        "distribution.backorder_patience_days": 30.0,
    }
    harder = simulate(
        Config().with_overrides({**overloaded, "workforce.pressure_response": 1.0}), seed=5
    ).timeseries
    smarter = simulate(Config().with_overrides(overloaded), seed=5).timeseries
    pressure = harder["schedule_pressure"]
    assert pressure.iloc[2:].min() > 0.5
    assert harder["improvement_time_share"].tolist() == pytest.approx(
        (0.1 * (1 - pressure)).tolist()
    )
    assert smarter["improvement_time_share"].tolist() == pytest.approx([0.1] * 6)
    assert harder["capability"].iloc[-1] < smarter["capability"].iloc[-1]
    assert harder["units_produced"].iloc[1:4].sum() > smarter["units_produced"].iloc[1:4].sum()


def test_pressure_memory_fades_at_its_time_constant(make_config):
    """P_felt = max(P, P_felt exp(-1/memory)): after one month of pressure 1 and none
    after it, the share used is 0.1 (1 - exp(-k / 6)) k months later."""
    from sqm_sim.models.management import Management

    class Book:
        def __init__(self) -> None:
            self.open = 0

        def backorders_open(self) -> int:
            return self.open

    config = Config().with_overrides(
        {**PROGRAMME, "workforce.pressure_response": 1.0, "workforce.pressure_memory_months": 6.0}
    )
    env = simpy.Environment()
    context = Context(env, config, RandomStreams(1), Tally(), Ledger(env, 12))
    from sqm_sim.models.initiatives import lever_schedule

    schedule = lever_schedule(config.with_overrides({"simulation.horizon_months": 12}))
    book = Book()
    management = Management(context, schedule, Workforce(context), (), None, book)
    shares = []
    for month in range(1, 6):
        context.tally.orders_placed += 100
        book.open = 100 if month == 1 else 0
        shares.append(management._split_time(schedule[month]).improvement_time_share)
    assert shares[0] == pytest.approx(0.0)
    assert shares[1:] == pytest.approx([0.1 * (1 - math.exp(-k / 6)) for k in range(1, 5)])
