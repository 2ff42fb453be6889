"""Test functions with known sensitivity indices, as run functions of a config.

The sensitivity pipeline varies config keys; these functions read three keys whose
schema range is [0, 1] (the unit coordinates of the test functions' inputs) and return
the function's value as the ``y`` KPI, in place of a simulation.
"""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
import pandas as pd

from sqm_sim.config import Config

INPUT_KEYS = (
    "environment.switching_cost",
    "service.recovery_quality",
    "customers.satisfaction_memory_negative",
)
"""Config keys standing for the inputs x1, x2, x3 (each on [0, 1] in the schema)."""

ISHIGAMI_A = 7.0
ISHIGAMI_B = 0.1

# Analytic indices of Ishigami (a = 7, b = 0.1; Saltelli et al. 2008, Global Sensitivity
# Analysis: The Primer, section 4.4): V = a^2/8 + b pi^4/5 + b^2 pi^8/18 + 1/2.
_V = ISHIGAMI_A**2 / 8 + ISHIGAMI_B * math.pi**4 / 5 + ISHIGAMI_B**2 * math.pi**8 / 18 + 0.5
_V1 = 0.5 * (1 + ISHIGAMI_B * math.pi**4 / 5) ** 2
_V2 = ISHIGAMI_A**2 / 8
_V13 = ISHIGAMI_B**2 * math.pi**8 * (1 / 18 - 1 / 50)
ISHIGAMI_S1 = (_V1 / _V, _V2 / _V, 0.0)
ISHIGAMI_ST = ((_V1 + _V13) / _V, _V2 / _V, _V13 / _V)


def inputs(config: Config) -> tuple[float, float, float]:
    """The three unit-scale inputs a config carries."""
    return (
        config.environment.switching_cost,
        config.service.recovery_quality,
        config.customers.satisfaction_memory_negative,
    )


def ishigami(u1: float, u2: float, u3: float) -> float:
    """Ishigami's function with inputs mapped from [0, 1] to [-pi, pi]."""
    x1, x2, x3 = (-math.pi + 2 * math.pi * u for u in (u1, u2, u3))
    return math.sin(x1) + ISHIGAMI_A * math.sin(x2) ** 2 + ISHIGAMI_B * x3**4 * math.sin(x1)


LINEAR_COEFFICIENTS = (5.0, 2.0, 0.0)
"""Slopes of the linear test function per unit-scale input (x3 unused)."""


def ishigami_run(config: Config, seed: int) -> SimpleNamespace:
    """A run function standing in for ``simulate``. KPIs must be names the pipeline knows,
    so Ishigami's value is reported as ``npv`` and the linear function
    ``5 u1 + 2 u2 + 0 u3`` as ``profit``."""
    u = inputs(config)
    linear = sum(c * x for c, x in zip(LINEAR_COEFFICIENTS, u, strict=True))
    summary = {"npv": ishigami(*u), "profit": linear}
    return SimpleNamespace(summary=summary, timeseries=pd.DataFrame())


NOISE_SD = math.sqrt(1.0 / 12.0)
"""Standard deviation of the noise of :func:`noisy_run`: the variance of u1 (uniform on
[0, 1]), so that with one seed per point half the variance across points is noise."""


def noisy_run(config: Config, seed: int) -> SimpleNamespace:
    """``npv = u1 + noise``: the noise depends on the seed *and* the point, as a
    simulation's does when a parameter shifts its event times (common seeds do not make it
    common to all points)."""
    u1 = config.environment.switching_cost
    rng = np.random.default_rng([seed, int(u1 * 1e9)])
    summary = {"npv": u1 + NOISE_SD * rng.standard_normal(), "profit": u1}
    return SimpleNamespace(summary=summary, timeseries=pd.DataFrame())


class FailingRun:
    """A run function that raises for points with u1 above ``threshold``."""

    def __init__(self, threshold: float) -> None:
        self.threshold = threshold

    def __call__(self, config: Config, seed: int) -> SimpleNamespace:
        if config.environment.switching_cost > self.threshold:
            raise RuntimeError("injected failure at a high switching cost")
        return ishigami_run(config, seed)


def seed_shifted_run(config: Config, seed: int) -> SimpleNamespace:
    """``npv = u1 + noise(seed)``: noise that every point shares at a given seed, as common
    random numbers make much of a simulation's noise."""
    u1 = config.environment.switching_cost
    shift = NOISE_SD * np.random.default_rng(seed).standard_normal()
    summary = {"npv": u1 + shift, "profit": u1}
    return SimpleNamespace(summary=summary, timeseries=pd.DataFrame())
