"""Sensitivity methods: how many points each needs, how to sample them, how to analyse.

Every method samples the unit hypercube of a :class:`~.space.ParameterSpace` with SALib
and analyses the outputs with SALib; this module only adapts the calls and returns one
tidy table (one row per KPI x parameter x index) with a confidence interval per index:

========  ===========================================  =====================================
method    indices                                       size ``n`` means
========  ===========================================  =====================================
morris    mu* (mean |elementary effect|), mu, sigma     trajectories; runs = n (D + 1)
sobol     S1, ST (and S2 with ``second_order``)         base samples, a power of 2;
                                                        runs = n (D + 2), or n (2D + 2)
fast      S1, ST (extended FAST)                        samples per parameter (> 4 M^2 = 64);
                                                        runs = n D
delta     delta (moment-independent), S1                Latin hypercube points; runs = n
========  ===========================================  =====================================

Morris elementary effects are computed on the unit scale, so mu* and sigma are in KPI
units per full range of the parameter and comparable across parameters. SALib gives a
bootstrap interval for mu* only; sigma's interval is a percentile bootstrap over
trajectories computed here with the same SALib estimator.

Confidence intervals are ``value +- half-width`` from SALib's bootstrap at ``conf_level``
(``ci_low``, ``ci_high`` columns). SALib itself calls the eFAST bootstrap intervals
indicative only (SALib issue #649): judge convergence of FAST by rerunning with a larger
``n``. The delta method uses SALib's ``raw`` bootstrap (Borgonovo's estimator on a Latin
hypercube, resampled with replacement).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from SALib.analyze import delta as delta_analyze
from SALib.analyze import fast as fast_analyze
from SALib.analyze import morris as morris_analyze
from SALib.analyze import sobol as sobol_analyze
from SALib.sample import fast_sampler, latin
from SALib.sample import morris as morris_sample
from SALib.sample import sobol as sobol_sample

from ..config import ConfigError
from .names import METHODS

FAST_INTERFERENCE = 4
"""eFAST interference factor M (SALib's default)."""

MAIN_INDEX = {"morris": "mu_star", "sobol": "ST", "fast": "ST", "delta": "delta"}
"""The index each method ranks parameters by."""

INDEXES: dict[str, tuple[str, str, str]] = {
    "mu_star": ("Morris μ*", "mean absolute elementary effect", "KPI units per full range"),
    "mu": ("Morris μ", "mean elementary effect", "the sign shows the direction"),
    "sigma": ("Morris σ", "spread of the elementary effects", "non-linearity, interactions"),  # noqa: RUF001
    "S1": ("first-order index S1", "share of variance due to the parameter alone", ""),
    "ST": (
        "total-order index ST",
        "share of variance involving the parameter",
        "incl. interactions",
    ),
    "S2": ("second-order index S2", "share of variance due to a pair's interaction", ""),
    "delta": ("Borgonovo's δ", "moment-independent importance", "0 = none, 1 = all"),
}
"""Each index once: its name, its meaning and a detail for the reader of a chart."""

INDEX_NAMES = {key: f"{name} ({meaning})" for key, (name, meaning, _) in INDEXES.items()}
"""Each index by its meaning, as sentences name it (tables and files keep the keys)."""

INDEX_DOCS = {
    key: f"{name}: {meaning}" + (f" ({detail})" if detail else "")
    for key, (name, meaning, detail) in INDEXES.items()
}
"""Each index explained above its chart: name, meaning and detail."""


@dataclass(frozen=True)
class MethodOptions:
    """Method settings. ``second_order``: Sobol S2 indices (doubles the runs);
    ``num_levels``: Morris grid levels (even); ``conf_level``: CI level;
    ``num_resamples``: bootstrap resamples."""

    second_order: bool = False
    num_levels: int = 4
    conf_level: float = 0.95
    num_resamples: int = 1000


def _is_power_of_two(n: int) -> bool:
    return n > 0 and n & (n - 1) == 0


def check_size(method: str, n: int, dimensions: int, options: MethodOptions) -> None:
    """Raise :class:`ConfigError` when ``n`` (or an option) is not valid for ``method``."""
    if method not in METHODS:
        raise ConfigError(f"method = {method!r}: unknown (allowed: {', '.join(METHODS)})")
    if not isinstance(n, int | np.integer) or isinstance(n, bool):
        raise ConfigError(f"n = {n!r}: must be an integer")
    if method == "sobol" and not (_is_power_of_two(n) and n >= 8):
        raise ConfigError(
            f"n = {n}: Sobol needs a power of 2, at least 8 (e.g. 64, 128, 256, 512); "
            "Saltelli's scheme loses its convergence properties otherwise"
        )
    if method == "morris":
        if n < 2:
            raise ConfigError(f"n = {n}: Morris needs at least 2 trajectories (10-50 usual)")
        if options.num_levels < 2 or options.num_levels % 2:
            raise ConfigError(
                f"num_levels = {options.num_levels}: Morris needs an even number of "
                "levels, at least 2 (4 is usual)"
            )
    if method == "fast" and n <= 4 * FAST_INTERFERENCE**2:
        raise ConfigError(
            f"n = {n}: eFAST needs more than 4 M^2 = {4 * FAST_INTERFERENCE**2} samples per "
            "parameter (M = 4); 128 or more is usual"
        )
    if method == "delta" and n < 50:
        raise ConfigError(f"n = {n}: the delta method needs at least 50 points (500+ usual)")
    if not 0.5 <= options.conf_level < 1:
        raise ConfigError(f"conf_level = {options.conf_level}: must be in [0.5, 1)")
    if options.num_resamples < 10:
        raise ConfigError(f"num_resamples = {options.num_resamples}: at least 10 are needed")
    if dimensions < 1:
        raise ConfigError("the parameter space is empty")


def runs_per_replication(method: str, n: int, dimensions: int, options: MethodOptions) -> int:
    """Number of model evaluations (design points) the method needs."""
    if method == "morris":
        return n * (dimensions + 1)
    if method == "sobol":
        return n * (2 * dimensions + 2 if options.second_order else dimensions + 2)
    if method == "fast":
        return n * dimensions
    return n


def sample(
    method: str, problem: dict[str, Any], n: int, seed: int, options: MethodOptions
) -> np.ndarray:
    """The method's design on the unit hypercube: one row per point."""
    check_size(method, n, problem["num_vars"], options)
    if method == "morris":
        return morris_sample.sample(problem, n, num_levels=options.num_levels, seed=seed)
    if method == "sobol":
        return sobol_sample.sample(
            problem, n, calc_second_order=options.second_order, scramble=True, seed=seed
        )
    if method == "fast":
        return fast_sampler.sample(problem, n, M=FAST_INTERFERENCE, seed=seed)
    return latin.sample(problem, n, seed=seed)


def _rows(kpi: str, names: list[str], index: str, values: Any, half: Any = None) -> list[dict]:
    values = np.asarray(values, dtype=float)
    half_widths = np.full(len(values), np.nan) if half is None else np.asarray(half, float)
    return [
        {
            "kpi": kpi,
            "parameter": name,
            "index": index,
            "value": value,
            "ci_low": value - width,
            "ci_high": value + width,
        }
        for name, value, width in zip(names, values, half_widths, strict=True)
    ]


def _morris_sigma_interval(
    problem: dict[str, Any], unit_x: np.ndarray, y: np.ndarray, options: MethodOptions, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """Percentile bootstrap of Morris sigma over whole trajectories."""
    steps = problem["num_vars"] + 1
    trajectories = len(y) // steps
    rng = np.random.default_rng(seed)
    draws = []
    for _ in range(min(options.num_resamples, 200)):
        pick = rng.integers(0, trajectories, trajectories)
        rows = (pick[:, None] * steps + np.arange(steps)).ravel()
        result = morris_analyze.analyze(
            problem, unit_x[rows], y[rows], num_resamples=10, num_levels=options.num_levels
        )
        draws.append(np.asarray(result["sigma"], dtype=float))
    tail = (1 - options.conf_level) / 2 * 100
    return np.nanpercentile(draws, tail, axis=0), np.nanpercentile(draws, 100 - tail, axis=0)


def analyse(
    method: str,
    problem: dict[str, Any],
    unit_x: np.ndarray,
    outputs: dict[str, np.ndarray],
    options: MethodOptions,
    seed: int = 0,
) -> pd.DataFrame:
    """Indices of every KPI in ``outputs`` (KPI -> one value per design point).

    Columns: ``kpi``, ``parameter``, ``index``, ``value``, ``ci_low``, ``ci_high``; S2 rows
    name the pair as ``"a x b"``. A KPI that does not vary at all gets zero indices.
    """
    names = list(problem["names"])
    rows: list[dict] = []
    for kpi, y in outputs.items():
        y = np.asarray(y, dtype=float)
        if not np.all(np.isfinite(y)):
            raise ValueError(f"KPI '{kpi}' has missing or infinite values at some points")
        if np.ptp(y) == 0:  # constant output: no variance to apportion
            for index in _index_names(method, options):
                rows.extend(_rows(kpi, names, index, np.zeros(len(names)), np.zeros(len(names))))
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            # SALib warns that eFAST bootstrap intervals are indicative only (SALib #649);
            # the module docstring and the reports say so once, not per KPI
            warnings.filterwarnings("ignore", message="FAST confidence intervals")
            rows.extend(_analyse_one(method, problem, unit_x, y, kpi, options, seed))
    return pd.DataFrame(rows)


def _index_names(method: str, options: MethodOptions) -> list[str]:
    if method == "morris":
        return ["mu_star", "mu", "sigma"]
    if method in {"sobol", "fast"}:
        return ["S1", "ST"]
    return ["delta", "S1"]


def _analyse_one(
    method: str,
    problem: dict[str, Any],
    unit_x: np.ndarray,
    y: np.ndarray,
    kpi: str,
    options: MethodOptions,
    seed: int,
) -> list[dict]:
    names = list(problem["names"])
    level, resamples = options.conf_level, options.num_resamples
    if method == "morris":
        result = morris_analyze.analyze(
            problem,
            unit_x,
            y,
            num_resamples=resamples,
            conf_level=level,
            num_levels=options.num_levels,
            seed=seed,
        )
        low, high = _morris_sigma_interval(problem, unit_x, y, options, seed)
        sigma = _rows(kpi, names, "sigma", result["sigma"])
        for row, lo, hi in zip(sigma, low, high, strict=True):
            row["ci_low"], row["ci_high"] = float(lo), float(hi)
        return [
            *_rows(kpi, names, "mu_star", result["mu_star"], result["mu_star_conf"]),
            *_rows(kpi, names, "mu", result["mu"]),
            *sigma,
        ]
    if method == "sobol":
        result = sobol_analyze.analyze(
            problem,
            y,
            calc_second_order=options.second_order,
            num_resamples=resamples,
            conf_level=level,
            seed=seed,
        )
        rows = [
            *_rows(kpi, names, "S1", result["S1"], result["S1_conf"]),
            *_rows(kpi, names, "ST", result["ST"], result["ST_conf"]),
        ]
        if options.second_order:
            for i, first in enumerate(names):
                for j in range(i + 1, len(names)):
                    value, half = result["S2"][i, j], result["S2_conf"][i, j]
                    rows.extend(_rows(kpi, [f"{first} x {names[j]}"], "S2", [value], [half]))
        return rows
    if method == "fast":
        result = fast_analyze.analyze(
            problem, y, M=FAST_INTERFERENCE, num_resamples=resamples, conf_level=level, seed=seed
        )
        return [
            *_rows(kpi, names, "S1", result["S1"], result["S1_conf"]),
            *_rows(kpi, names, "ST", result["ST"], result["ST_conf"]),
        ]
    format_warning = warnings.formatwarning  # SALib's delta replaces it globally
    try:
        result = delta_analyze.analyze(
            problem, unit_x, y, num_resamples=resamples, conf_level=level, seed=seed
        )
    finally:
        warnings.formatwarning = format_warning
    return [
        *_rows(kpi, names, "delta", result["delta_raw"], result["delta_raw_conf"]),
        *_rows(kpi, names, "S1", result["S1"], result["S1_conf"]),
    ]
