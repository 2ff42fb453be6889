"""Does the calibration find what it should? Coverage of its intervals on synthetic history.

Each synthetic dataset draws "true" parameter values from the priors, simulates the company
with them (a seed of its own) and calibrates to the simulated history as if it were a
company's. When the posterior is right, a central ``level`` credible interval covers the
true value in a share ``level`` of such datasets (averaged over the prior, not for every
true value: near a prior's edge a central interval leaves the truth out more often); ABC's
approximation (tolerance, finite population) can move coverage either way, which is what
this measures.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from ..config import Config
from ..config.calibration import CalibrationSettings, PriorSettings
from ..run import simulate
from .calibration import calibrate, history_config
from .history import OBSERVED, History

STUDY_SCALE = 0.1
"""The coverage study's company: the baseline at this share of its size."""

STUDY_MONTHS = 12
"""Months of synthetic history in the coverage study."""

STUDY_COLUMNS = ("customers_lost", "active_customers", "customers_acquired", "shipped_ppm")
"""The history columns of the coverage study."""

STUDY_PRIORS = {
    "segments.quality_driven.loyalty_intercept": PriorSettings(low=1.3, high=5.3),
    "acquisition.referral_rate_per_year": PriorSettings(low=0.05, high=1.0),
}
"""The coverage study's fitted parameters: loyalty and word of mouth."""

STUDY_SETTINGS = CalibrationSettings(population=30, generations=3, check_draws=2)
"""The coverage study's ABC-SMC size."""

SYNTHETIC_SEED_BASE = 100_000
"""Seeds of the synthetic histories: this plus the dataset's number (apart from the seeds
the calibration itself uses)."""


def study_config() -> Config:
    """The baseline company at :data:`STUDY_SCALE` of its size."""
    from ..scenarios import load_scenario
    from ..scenarios.sizes import scale_overrides

    baseline = load_scenario("baseline")
    return baseline.with_overrides(scale_overrides(baseline, STUDY_SCALE))


def synthetic_history(
    config: Config, truth: Mapping[str, float], columns: Sequence[str], months: int, seed: int
) -> History:
    """The history ``config`` with ``truth`` applied shows over ``months`` with ``seed``."""
    base = config.with_overrides({"simulation.horizon_months": months})
    series = simulate(base.with_overrides(dict(truth)), seed).timeseries
    table = pd.DataFrame(
        {name: series[OBSERVED[name].model_column].fillna(0.0).to_numpy() for name in columns},
        index=pd.Index(np.arange(1, months + 1), name="period"),
    )
    return History(table, f"synthetic (seed {seed})")


def coverage_study(
    config: Config,
    priors: Mapping[str, PriorSettings],
    columns: Sequence[str],
    months: int,
    settings: CalibrationSettings,
    datasets: int,
    seed: int = 0,
) -> pd.DataFrame:
    """One row per dataset and parameter: the true value, the credible interval, whether
    it covers the truth, the width ratio and the verdict."""
    rng = np.random.default_rng(seed)
    rows = []
    for dataset in range(datasets):
        truth = {key: float(rng.uniform(p.low, p.high)) for key, p in priors.items()}
        history = synthetic_history(
            config, truth, columns, months, SYNTHETIC_SEED_BASE + seed * 1000 + dataset
        )
        history_config(config, history)
        outcome = calibrate(config, history, priors, settings.model_copy(update={"seed": dataset}))
        for row in outcome.intervals.to_dict("records"):
            value = truth[row["parameter"]]
            rows.append(
                {
                    "dataset": dataset,
                    "parameter": row["parameter"],
                    "truth": value,
                    "lower": row["lower"],
                    "upper": row["upper"],
                    "covered": bool(row["lower"] <= value <= row["upper"]),
                    "width_ratio": row["width_ratio"],
                    "verdict": row["verdict"],
                }
            )
    return pd.DataFrame(rows)
