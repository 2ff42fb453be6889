"""Tiny configurations for the experiment-engine tests (a run takes a few hundredths of a
second), so that the whole folder runs in well under a minute on two cores."""

from __future__ import annotations

from typing import Any

import pytest

from sqm_sim import Config
from sqm_sim.experiments import SerialBackend
from sqm_sim.experiments.plan import Cell, Plan

TINY: dict[str, Any] = {
    "simulation.horizon_months": 6,
    "market.initial_customers": 150,
    "market.prospects": 100,
    "environment.competitor_customers": 150,
    "finance.fixed_cost_per_month": 5000.0,
}
"""Overrides for a small, short company: 150 customers, 6 months."""

TINY_TOML = "\n".join(
    f'"{key}" = {value!r}' if not isinstance(value, str) else f'"{key}" = "{value}"'
    for key, value in TINY.items()
)
"""``TINY`` as the body of an ``[overrides]`` table of an experiment file."""


@pytest.fixture(scope="session")
def tiny() -> Config:
    """The baseline company, tiny (see ``TINY``)."""
    return Config().with_overrides(TINY)


@pytest.fixture(scope="session")
def two_cell_plan(tiny: Config) -> Plan:
    """Two cells (Cpk 0.9 and 1.2) x seeds 1-4."""
    cells = [
        Cell(
            f"cpk{cpk}",
            {"cpk": cpk},
            tiny.with_overrides({"operations.process_capability_cpk": cpk}),
        )
        for cpk in (0.9, 1.2)
    ]
    return Plan(cells, [1, 2, 3, 4])


@pytest.fixture
def serial() -> SerialBackend:
    """A serial backend."""
    return SerialBackend()
