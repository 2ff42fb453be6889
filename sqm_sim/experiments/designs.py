"""Designs of experiments over declared parameters: full factorial and Latin hypercube.

A *factor* is a dotted config key (any key listed by ``sqm-sim params``) with either
``levels`` (full factorial: every combination of levels) or bounds ``low`` and ``high``
(Latin hypercube: ``samples`` points from :class:`scipy.stats.qmc.LatinHypercube`, each
factor's range cut into ``samples`` equal strata, one point per stratum; ``integer``
factors are rounded down onto whole numbers, ``log`` factors are sampled uniformly in the
logarithm). Each design point becomes one cell per scenario, labelled with the point's
number and every factor's value; each point's config is validated before anything runs.

Analysis on common random numbers: the *main effect* of a factorial factor at a level is
the KPI averaged over every cell at that level, seed by seed; its interval and its
difference from the first level are t intervals over seeds (paired). For a Latin
hypercube, the Spearman rank correlation of each factor with the cell means says which
factors move the KPI and in which direction (a screening, not a variance decomposition:
see the sensitivity module for that).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats
from scipy.stats import qmc

from ..config import Config, ConfigError
from .intervals import paired_interval, t_interval
from .plan import Cell
from .summaries import seed_matrix

LevelValue = float | int | str | bool


@dataclass(frozen=True)
class Factor:
    """A design parameter: dotted config ``key``; ``levels`` for a factorial design;
    ``low``/``high`` (in the key's unit) for a Latin hypercube, ``integer`` to sample whole
    numbers, ``log`` to sample uniformly in log space (needs ``low > 0``)."""

    key: str
    levels: tuple[LevelValue, ...] | None = None
    low: float | None = None
    high: float | None = None
    integer: bool = False
    log: bool = False

    def scale(self, unit: np.ndarray) -> list[LevelValue]:
        """Map points in [0, 1) onto the factor's range."""
        assert self.low is not None
        assert self.high is not None
        if self.integer:
            span = math.floor(self.high) - math.ceil(self.low) + 1
            values = np.minimum(np.floor(math.ceil(self.low) + unit * span), math.floor(self.high))
            return [int(v) for v in values]
        if self.log:
            logs = math.log(self.low) + unit * (math.log(self.high) - math.log(self.low))
            return [float(v) for v in np.exp(logs)]
        return [float(v) for v in self.low + unit * (self.high - self.low)]


def factorial_points(factors: Sequence[Factor]) -> list[dict[str, LevelValue]]:
    """Every combination of the factors' levels (the first factor varies slowest)."""
    if not factors:
        raise ConfigError("the design declares no parameters (empty design)")
    for factor in factors:
        if not factor.levels:
            raise ConfigError(f"design parameter '{factor.key}' has no levels (empty design)")
    keys = [factor.key for factor in factors]
    return [
        dict(zip(keys, combination, strict=True))
        for combination in itertools.product(*(factor.levels or () for factor in factors))
    ]


def latin_hypercube_points(
    factors: Sequence[Factor], samples: int, seed: int = 0
) -> list[dict[str, LevelValue]]:
    """``samples`` Latin hypercube points over the factors' ranges (reproducible by
    ``seed``)."""
    if not factors:
        raise ConfigError("the design declares no parameters (empty design)")
    if samples < 1:
        raise ConfigError(f"samples = {samples}: at least 1 design point is needed")
    for factor in factors:
        if factor.low is None or factor.high is None:
            raise ConfigError(f"design parameter '{factor.key}' needs low and high bounds")
        if not factor.low < factor.high:
            raise ConfigError(
                f"design parameter '{factor.key}': low ({factor.low}) must be below high "
                f"({factor.high})"
            )
        if factor.log and factor.low <= 0:
            raise ConfigError(f"design parameter '{factor.key}': a log scale needs low > 0")
    unit = qmc.LatinHypercube(d=len(factors), seed=seed).random(samples)
    columns = [factor.scale(unit[:, j]) for j, factor in enumerate(factors)]
    return [{factor.key: columns[j][i] for j, factor in enumerate(factors)} for i in range(samples)]


def design_cells(
    bases: Sequence[tuple[str, Config]], points: Sequence[Mapping[str, LevelValue]]
) -> list[Cell]:
    """One cell per (scenario, design point): the scenario's config with the point's values.
    Named ``p000, p001, ...`` (prefixed ``scenario|`` when there are several scenarios) and
    labelled ``scenario``, ``point`` and every factor's key."""
    if not points:
        raise ConfigError("the design has no points (empty design)")
    cells = []
    for scenario, base in bases:
        for number, point in enumerate(points):
            try:
                config = base.with_overrides(dict(point))
            except ConfigError as exc:
                values = ", ".join(f"{k}={v!r}" for k, v in point.items())
                raise ConfigError(
                    f"design point {number} ({values}) in '{scenario}': {exc}"
                ) from None
            name = f"p{number:03d}" if len(bases) == 1 else f"{scenario}|p{number:03d}"
            labels: dict[str, Any] = {"scenario": scenario, "point": number, **point}
            cells.append(Cell(name, labels, config))
    return cells


def main_effects(
    runs: pd.DataFrame, kpi: str, factors: Sequence[Factor], confidence: float = 0.95
) -> pd.DataFrame:
    """Per factor and level: the KPI averaged over the cells at that level, seed by seed,
    with its t interval, and the paired difference from the factor's first level."""
    rows = []
    cells_by_value = runs.drop_duplicates("cell")
    matrix = seed_matrix(runs, kpi)
    for factor in factors:
        averages = {}
        for level in factor.levels or ():
            cells = cells_by_value.loc[cells_by_value[factor.key] == level, "cell"]
            averages[level] = matrix[list(cells)].mean(axis=1, skipna=False)
        first = next(iter(averages.values()), None)
        for level, per_seed in averages.items():
            interval = t_interval(per_seed, confidence)
            assert first is not None
            effect = paired_interval(per_seed, first, confidence)
            rows.append(
                {
                    "parameter": factor.key,
                    "level": level,
                    "kpi": kpi,
                    "cells": int((cells_by_value[factor.key] == level).sum()),
                    "mean": interval.mean,
                    "ci_low": interval.low,
                    "ci_high": interval.high,
                    "effect_vs_first_level": effect.mean,
                    "effect_ci_low": effect.low,
                    "effect_ci_high": effect.high,
                    "significant": effect.excludes_zero,
                }
            )
    return pd.DataFrame(rows)


def rank_correlations(summary: pd.DataFrame, kpi: str, keys: Sequence[str]) -> pd.DataFrame:
    """Spearman rank correlation of each factor with the KPI's cell means (with p-value),
    strongest first."""
    table = summary[summary["kpi"] == kpi]
    rows = []
    for key in keys:
        usable = table[[key, "mean"]].dropna()
        if len(usable) < 3 or usable[key].nunique() < 2:
            rho, p_value = math.nan, math.nan
        else:
            result = stats.spearmanr(usable[key].astype(float), usable["mean"])
            rho, p_value = float(result.statistic), float(result.pvalue)
        rows.append({"parameter": key, "kpi": kpi, "spearman_rho": rho, "p_value": p_value})
    frame = pd.DataFrame(rows)
    order = frame["spearman_rho"].abs().fillna(-1.0).sort_values(ascending=False).index
    return frame.loc[order].reset_index(drop=True)
