"""Tiny configurations for the experiment-engine tests (a run takes a few hundredths of a
second), so that the whole folder runs in well under a minute on two cores."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest
import tomli_w

from sqm_sim import Config, simulate
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


INTERCEPT = "segments.quality_driven.loyalty_intercept"
DISCOUNT = "finance.annual_discount_rate"  # moves no observed column: cannot be identified


BLANKS = {"customers_lost": [2], "active_customers": [5]}
"""Months left blank (unobserved) in the calibrated fixture's history, per column."""


def tiny_profile(tmp_path, small_config, population, generations, months=6, blanks=None):
    """A small company's profile and its synthetic history (true intercept 3.3); the
    months of ``blanks`` (per column) are written as blank cells."""
    config = small_config.with_overrides({"simulation.horizon_months": months})
    data = {**config.to_dict(), "name": "tiny"}
    data["calibration"] = {
        "population": population,
        "generations": generations,
        "check_draws": 3,
        "parameters": {
            INTERCEPT: {"low": 1.3, "high": 5.3},
            DISCOUNT: {"low": 0.0, "high": 0.3},
        },
    }
    profile = tmp_path / "tiny.toml"
    profile.write_text(tomli_w.dumps(data), encoding="utf-8")
    series = simulate(config.with_overrides({INTERCEPT: 3.3}), 77).timeseries
    history = pd.DataFrame(
        {
            "month": range(1, months + 1),
            "customers_lost": series["customers_lost"],
            "active_customers": series["active_customers"],
        }
    )
    for column, blank_months in (blanks or {}).items():
        history.loc[history["month"].isin(blank_months), column] = None
    history.to_csv(tmp_path / "history.csv", index=False)
    return profile, tmp_path / "history.csv"


CALIBRATED_FIXTURE = {"population": 5, "generations": 1, "months": 8, "blanks": BLANKS}
"""The arguments of :func:`tiny_profile` behind the ``calibrated`` fixture."""


@pytest.fixture(scope="session")
def calibrated(tmp_path_factory, small_config):
    """``sqm-sim calibrate`` of the tiny profile at the smallest useful size (5 parameter
    sets, one generation, 8 months with the blank cells of ``BLANKS``): its results
    folder, shared read-only by every test."""
    from sqm_sim.cli import main

    folder = tmp_path_factory.mktemp("calibrate")
    profile, history = tiny_profile(folder, small_config, **CALIBRATED_FIXTURE)
    out = folder / "out"
    assert main(["calibrate", str(profile), "--data", str(history), "--out", str(out)]) == 0
    return out
