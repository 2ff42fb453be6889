"""Fitting a company profile's unobservable parameters to its monthly history (ABC-SMC).

Approximate Bayesian computation with sequential Monte Carlo (Toni et al. 2009; Beaumont
et al. 2009) as pyabc implements it (Schälte et al. 2022): parameter sets are drawn from
the priors, the company is simulated over the months of history, and a set is kept when
its simulated history lies close to the observed one; each generation tightens the
tolerance and proposes around the sets kept before, with importance weights, so the last
generation is a weighted sample of the approximate posterior. The distance compares block
means (:attr:`~sqm_sim.config.calibration.CalibrationSettings.block_months`) of every
observed series, each scaled by its spread across the generation's simulations (pyabc's
adaptive p-norm distance, Prangle 2017), so counts, ppm and money weigh alike.

pyabc is imported only here, and only when a calibration runs (the ``calibrate`` extra).
The simulations run on pyabc's samplers: one process (the only bit-reproducible one:
the sampler draws from numpy's global generator, seeded here), local processes, or a Dask
cluster (:func:`abc_sampler`).
"""

from __future__ import annotations

import contextlib
import logging
import math
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..config import Config, ConfigError
from ..config.calibration import CalibrationSettings, PriorSettings
from ..run import RunResult, simulate
from .history import OBSERVED, History
from .start_state import (
    START_TABLE_ROWS,
    StartValue,
    end_medians,
    run_end,
    start_state,
    surviving_customers,
)

PINNED_RATIO = 0.5
"""A parameter whose credible interval is at most this share of its prior's is pinned down
by the data."""

UNIDENTIFIED_RATIO = 0.75
"""A parameter whose credible interval is at least this share of its prior's is not pinned
down: the data leave it about where the prior put it."""


def verdict(width_ratio: float) -> str:
    """Words for a posterior/prior interval width ratio (see :data:`PINNED_RATIO`)."""
    if width_ratio <= PINNED_RATIO:
        return "pinned down"
    if width_ratio >= UNIDENTIFIED_RATIO:
        return "not pinned down"
    return "partly pinned down"


def block_statistics(
    series: Mapping[str, np.ndarray],
    block_months: int,
    observed: Mapping[str, np.ndarray] | None = None,
) -> dict[str, float]:
    """Means of each series over consecutive blocks of ``block_months`` (the last block
    may be shorter), keyed ``column:block``; a missing value (no units shipped: no ppm)
    counts as 0. ``observed`` (per column, a boolean per month; default all True) keeps
    only the months the history observed: a block mean is taken over its observed months,
    and a block without any is no statistic, so an unobserved month weighs nothing in the
    distance, in the history's statistics and in every simulation's alike."""
    stats = {}
    for column, values in series.items():
        clean = np.nan_to_num(np.asarray(values, dtype=float), nan=0.0)
        seen = np.ones(len(clean), bool) if observed is None else np.asarray(observed[column])
        for block, start in enumerate(range(0, len(clean), block_months)):
            months = slice(start, start + block_months)
            if seen[months].any():
                stats[f"{column}:{block}"] = float(clean[months][seen[months]].mean())
    return stats


def observed_statistics(history: History, block_months: int) -> dict[str, float]:
    """The summary statistics of the observed history (its blank cells left out)."""
    return block_statistics(
        {name: history.table[name].to_numpy() for name in history.columns},
        block_months,
        history.observed(),
    )


def simulated_series(timeseries: pd.DataFrame, history: History) -> dict[str, np.ndarray]:
    """The model's columns that the history's columns are compared with, by history name."""
    return {name: timeseries[OBSERVED[name].model_column].to_numpy() for name in history.columns}


def parameter_names(priors: Mapping[str, PriorSettings]) -> dict[str, str]:
    """pyabc's parameter names (``p0``, ``p1``, ...) for the dotted keys, by key."""
    return {key: f"p{index}" for index, key in enumerate(priors)}


@dataclass
class SimulatedHistory:
    """pyabc's model: one run of ``config`` with a parameter set, as summary statistics.
    The run's seed comes from numpy's global generator (which pyabc's samplers seed)."""

    config: Config
    keys: dict[str, str]
    history: History
    block_months: int

    def __call__(self, parameters: Mapping[str, float]) -> dict[str, float]:
        overrides = {key: float(parameters[name]) for key, name in self.keys.items()}
        seed = int(np.random.randint(0, 2**31 - 1))
        result = simulate(self.config.with_overrides(overrides), seed)
        return block_statistics(
            simulated_series(result.timeseries, self.history),
            self.block_months,
            self.history.observed(),
        )


def history_config(config: Config, history: History) -> Config:
    """``config`` over the months of ``history`` (monthly periods, no posterior); its
    scheduled events after the history (technology shocks, the switching cost's change)
    do not happen within it and are left out."""
    plain = config.model_copy(update={"posterior": None})
    months, env = history.months, config.environment
    overrides: dict[str, Any] = {
        "simulation.horizon_months": months,
        "simulation.report_period_months": 1,
        "environment.technology_shock_months": [
            m for m in env.technology_shock_months if m <= months
        ],
    }
    if env.switching_cost_change_month > months:
        overrides["environment.switching_cost_change_month"] = 0
    return plain.with_overrides(overrides)


@contextmanager
def abc_sampler(backend: str, workers: int | None, scheduler: str | None) -> Iterator[Any]:
    """pyabc's sampler for a backend name: ``serial`` (one process, reproducible),
    ``processes`` (local processes) or ``dask`` (a scheduler address, or a LocalCluster
    of ``workers``); the Dask client (and a cluster started here) close on the way out."""
    from pyabc import sampler

    if backend == "serial":
        yield sampler.SingleCoreSampler()
        return
    if backend == "processes":
        yield sampler.MulticoreEvalParallelSampler(n_procs=workers)
        return
    from distributed import Client, LocalCluster

    with contextlib.ExitStack() as stack:
        if scheduler:
            client = stack.enter_context(Client(scheduler))
        else:
            cluster = stack.enter_context(
                LocalCluster(n_workers=workers or 2, threads_per_worker=1, processes=True)
            )
            client = stack.enter_context(Client(cluster))
        yield sampler.DaskDistributedSampler(dask_client=client)


def weighted_quantile(values: np.ndarray, weights: np.ndarray, q: float) -> float:
    """The ``q`` quantile of a weighted sample (inverse of the weighted empirical CDF,
    interpolated between the mid-points of each value's weight)."""
    kept = weights > 0  # a set without weight is no part of the sample
    values, weights = values[kept], weights[kept]
    order = np.argsort(values)
    sorted_values, sorted_weights = values[order], weights[order] / weights.sum()
    midpoints = np.cumsum(sorted_weights) - 0.5 * sorted_weights
    return float(np.interp(q, midpoints, sorted_values))


def credible_intervals(
    posterior: pd.DataFrame, priors: Mapping[str, PriorSettings], level: float
) -> pd.DataFrame:
    """Per parameter: prior range, posterior mean, median and central ``level`` interval,
    the width ratio of that interval to the prior's central ``level`` interval, and the
    verdict (:func:`verdict`); the effective sample size of the weights too."""
    weights = posterior["weight"].to_numpy()
    ess = float(weights.sum() ** 2 / (weights**2).sum())
    tail = (1 - level) / 2
    rows = []
    for key, prior in priors.items():
        values = posterior[key].to_numpy()
        lower, upper = (weighted_quantile(values, weights, q) for q in (tail, 1 - tail))
        ratio = (upper - lower) / (level * (prior.high - prior.low))
        rows.append(
            {
                "parameter": key,
                "prior_low": prior.low,
                "prior_high": prior.high,
                "mean": float(np.average(values, weights=weights)),
                "median": weighted_quantile(values, weights, 0.5),
                "lower": lower,
                "upper": upper,
                "width_ratio": ratio,
                "verdict": verdict(ratio),
                "effective_sample_size": ess,
            }
        )
    return pd.DataFrame(rows)


def check_draws(posterior: pd.DataFrame, count: int, seed: int) -> list[int]:
    """Rows of the posterior (by weight) simulated for the fitted-vs-observed bands."""
    weights = posterior["weight"].to_numpy()
    rng = np.random.default_rng([seed, 1])
    return [int(i) for i in rng.choice(len(weights), size=count, p=weights / weights.sum())]


def check_runs(
    config: Config, posterior: pd.DataFrame, keys: list[str], settings: CalibrationSettings
) -> list[RunResult]:
    """``check_draws`` posterior sets simulated over the history (seeds 1, 2, ...): the
    posterior predictive simulations behind the fit bands and the start state."""
    rows = check_draws(posterior, settings.check_draws, settings.seed)
    return [
        simulate(
            config.with_overrides({key: float(posterior.iloc[row][key]) for key in keys}),
            replication,
        )
        for replication, row in enumerate(rows, start=1)
    ]


def fit_bands(
    history: History, series: list[pd.DataFrame], settings: CalibrationSettings
) -> pd.DataFrame:
    """Posterior predictive check over the simulations ``series`` (:func:`check_runs`):
    per column and month the observed value, the median and the central
    ``credible_level`` band of the simulations, and whether the observation is inside
    (None for a month the history did not observe)."""
    runs = [simulated_series(frame, history) for frame in series]
    tail = (1 - settings.credible_level) / 2
    records = []
    for column in history.columns:
        stacked = np.nan_to_num(np.vstack([run[column] for run in runs]), nan=0.0)
        low, median, high = np.quantile(stacked, [tail, 0.5, 1 - tail], axis=0)
        observed = history.table[column].to_numpy()
        for month in range(history.months):
            records.append(
                {
                    "column": column,
                    "month": month + 1,
                    "observed": float(observed[month]),
                    "median": float(median[month]),
                    "lower": float(low[month]),
                    "upper": float(high[month]),
                    "inside": bool(low[month] <= observed[month] <= high[month])
                    if not math.isnan(observed[month])
                    else None,
                }
            )
    return pd.DataFrame(records)


def fit_coverage(fit: pd.DataFrame) -> float:
    """Share of the observed months (blank months left out) inside their band."""
    inside = fit["inside"].dropna() if len(fit) else pd.Series(dtype=bool)
    return float(inside.astype(bool).mean()) if len(inside) else math.nan


@dataclass
class CalibrationOutcome:
    """What a calibration found: the ``priors``; the ``posterior`` (one row per accepted
    parameter set of the last generation: the keys and ``weight``, summing to 1); the
    ``intervals`` per parameter; the ``fit`` bands; the ``generations`` (tolerance,
    acceptance rate, simulations), ``facts`` (settings, counts, timing) and the ``start``
    values of forward runs (the end of the history, :mod:`.start_state`) with the
    ``start_customers`` (the customers active at the end of the posterior simulations,
    written beside the calibrated profile; None when no simulation kept one)."""

    priors: dict[str, PriorSettings]
    posterior: pd.DataFrame
    intervals: pd.DataFrame
    fit: pd.DataFrame
    generations: pd.DataFrame
    facts: dict[str, Any] = field(default_factory=dict)
    start: list[StartValue] = field(default_factory=list)
    start_customers: pd.DataFrame | None = None


def _generations(history: Any) -> pd.DataFrame:
    populations = history.get_all_populations()
    populations = populations[populations["t"] >= 0].reset_index(drop=True)
    table = pd.DataFrame(
        {
            "generation": populations["t"].astype(int),
            "tolerance": populations["epsilon"].astype(float),
            "simulations": populations["samples"].astype(int),
            "population": [history.get_nr_particles_per_population()[t] for t in populations["t"]],
        }
    )
    table["acceptance_rate"] = table["population"] / table["simulations"]
    return table


def run_abc(
    config: Config,
    history: History,
    priors: Mapping[str, PriorSettings],
    settings: CalibrationSettings,
    sampler: Any,
    database: Path,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Run ABC-SMC; the last generation's weighted parameter sets (columns: the keys and
    ``weight``) and the generations table."""
    import pyabc

    logging.getLogger("ABC").setLevel(logging.WARNING)
    logging.getLogger("pyabc").setLevel(logging.WARNING)
    names = parameter_names(priors)
    prior = pyabc.Distribution(
        **{names[key]: pyabc.RV("uniform", p.low, p.high - p.low) for key, p in priors.items()}
    )
    model = SimulatedHistory(config, names, history, settings.block_months)
    abc = pyabc.ABCSMC(
        model,
        prior,
        pyabc.AdaptivePNormDistance(p=2),
        population_size=settings.population,
        sampler=sampler,
    )
    np.random.seed(settings.seed)  # pyabc's samplers draw from numpy's global generator
    abc.new(f"sqlite:///{database}", observed_statistics(history, settings.block_months))
    result = abc.run(
        max_nr_populations=settings.generations,
        min_acceptance_rate=settings.min_acceptance_rate,
    )
    frame, weights = result.get_distribution(m=0, t=result.max_t)
    posterior = pd.DataFrame({key: frame[names[key]].to_numpy() for key in priors})
    posterior["weight"] = np.asarray(weights, dtype=float) / float(np.sum(weights))
    return posterior, _generations(result)


def calibrate(
    config: Config,
    history: History,
    priors: Mapping[str, PriorSettings],
    settings: CalibrationSettings,
    *,
    sampler: Any = None,
    database: Path | None = None,
) -> CalibrationOutcome:
    """Fit ``priors``' keys of ``config`` to ``history`` (see the module docstring).
    ``sampler``: a pyabc sampler (default one process); ``database``: pyabc's SQLite file
    (default a temporary one)."""
    import time

    if not priors:
        raise ConfigError("nothing to calibrate: no parameter has a prior")
    from pyabc import sampler as samplers

    base = history_config(config, history)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as scratch:
        target = database if database is not None else Path(scratch) / "abc.db"
        posterior, generations = run_abc(
            base, history, priors, settings, sampler or samplers.SingleCoreSampler(), target
        )
    intervals = credible_intervals(posterior, priors, settings.credible_level)
    runs = check_runs(base, posterior, list(priors), settings)
    fit = fit_bands(history, [run.timeseries for run in runs], settings)
    ends = end_medians([run_end(run) for run in runs])
    limit = max(START_TABLE_ROWS, config.market.initial_customers)
    customers = surviving_customers(runs, limit, settings.seed)
    start = start_state(config, history, ends, list(priors), customers, len(runs))
    facts = {
        "months": history.months,
        "columns": history.columns,
        "population": settings.population,
        "generations_run": len(generations),
        "simulations": int(generations["simulations"].sum()),
        "credible_level": settings.credible_level,
        "block_months": settings.block_months,
        "seed": settings.seed,
        "check_draws": settings.check_draws,
        "fit_coverage": fit_coverage(fit),
        "wall_time_s": round(time.perf_counter() - started, 3),
    }
    return CalibrationOutcome(
        dict(priors),
        posterior,
        intervals,
        fit,
        generations,
        facts,
        start,
        customers if len(customers) else None,
    )
