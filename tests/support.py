"""Helpers shared by the tests: configuration fragments with a known meaning."""

from __future__ import annotations

import math
from typing import Any

from sqm_sim import Config


def fixed_loyalty(repurchase_probability: float) -> dict[str, Any]:
    """Overrides that make every repurchase decision a coin with the given probability:
    every segment's logistic loyalty has zero slopes and intercept logit(p); +-40 for the
    certain cases (the logistic of 40 is exactly 1.0 in double precision, that of -40 is
    4e-18, so a decision to stay never happens in practice)."""
    p = repurchase_probability
    intercept = 40.0 if p >= 1.0 else -40.0 if p <= 0.0 else math.log(p / (1.0 - p))
    overrides: dict[str, Any] = {}
    for segment in Config().segments:
        overrides[f"segments.{segment}.loyalty_intercept"] = intercept
        for weight in ("satisfaction_weight", "switching_cost_weight", "price_weight"):
            overrides[f"segments.{segment}.{weight}"] = 0.0
    return overrides


NO_ACQUISITION: dict[str, Any] = {
    "acquisition.marketing_rate_per_year": 0.0,
    "acquisition.referral_rate_per_year": 0.0,
    "environment.competitor_churn_per_year": 0.0,
}
"""Overrides that switch off every inflow of new customers."""


def mean_interval(values: Any, confidence: float = 0.99) -> tuple[float, float]:
    """Two-sided t confidence interval for the mean of independent observations."""
    import numpy as np
    from scipy import stats

    sample = np.asarray(values, dtype=float)
    half = stats.t.ppf(0.5 + confidence / 2, len(sample) - 1) * stats.sem(sample)
    return float(sample.mean() - half), float(sample.mean() + half)


_RUNS: dict[tuple[str, int], Any] = {}


def simulate_cached(config: Config, seed: int) -> Any:
    """``simulate`` memoised on (config fingerprint, seed): runs are pure functions of both,
    so tests that look at several KPIs of the same runs simulate them once."""
    from sqm_sim import simulate

    key = (config.fingerprint(), seed)
    if key not in _RUNS:
        _RUNS[key] = simulate(config, seed)
    return _RUNS[key]


def paired_runs(config_a: Config, config_b: Config, seeds: range, kpi: str) -> list[float]:
    """KPI differences a - b over the same seeds (common random numbers)."""
    return [
        simulate_cached(config_a, seed).summary[kpi] - simulate_cached(config_b, seed).summary[kpi]
        for seed in seeds
    ]
