"""Confidence intervals for means of replications and for differences between two configs.

Replications of a stochastic simulation with different seeds are independent, identically
distributed observations of a KPI, so the mean of ``n`` of them has the Student-t interval

    mean +- t(1 - alpha/2, n - 1) * sd / sqrt(n)

(Law & Kelton, *Simulation Modeling and Analysis*, ch. 9). Two configs run on common random
numbers (the same seeds) are compared by the t interval of the per-seed differences (paired);
without pairing, by Welch's interval with Satterthwaite's degrees of freedom. Values that
are NaN (a ratio KPI with a zero denominator, a failed run) are left out and ``n`` counts
only the values used.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import asdict, dataclass

import numpy as np
from scipy import stats


@dataclass(frozen=True)
class Interval:
    """A mean (or mean difference) with its two-sided t confidence interval.

    ``n`` is the number of observations used, ``sd`` their standard deviation (of the
    differences, for a paired interval), ``half_width`` the distance from the mean to either
    bound (NaN when ``n < 2``), ``confidence`` the level (e.g. 0.95), ``df`` the degrees of
    freedom of the t quantile. All in the unit of the KPI.
    """

    mean: float
    sd: float
    n: int
    half_width: float
    confidence: float
    df: float

    @property
    def low(self) -> float:
        """Lower bound of the interval."""
        return self.mean - self.half_width

    @property
    def high(self) -> float:
        """Upper bound of the interval."""
        return self.mean + self.half_width

    @property
    def relative_half_width(self) -> float:
        """``half_width / |mean|``: the relative precision (inf for a zero mean)."""
        if math.isnan(self.half_width):
            return math.nan
        if self.mean == 0.0:
            return 0.0 if self.half_width == 0.0 else math.inf
        return self.half_width / abs(self.mean)

    @property
    def excludes_zero(self) -> bool:
        """True if the interval lies wholly above or below zero (a significant difference)."""
        return bool(self.low > 0.0 or self.high < 0.0)

    def as_dict(self, prefix: str = "") -> dict[str, float]:
        """The fields and bounds as a flat dict, keys prefixed with ``prefix``."""
        values = {**asdict(self), "low": self.low, "high": self.high}
        return {f"{prefix}{key}": value for key, value in values.items()}


def check_confidence(confidence: float) -> float:
    """``confidence`` if it is a level strictly between 0 and 1; ValueError otherwise."""
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence = {confidence}: must be strictly between 0 and 1")
    return float(confidence)


def _finite(values: Iterable[float]) -> np.ndarray:
    array = np.asarray(list(values) if not isinstance(values, np.ndarray) else values, float)
    return array[~np.isnan(array)]


def wilson_interval(successes: int, trials: int, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval (Wilson 1927) of a share ``successes / trials`` (trials >= 1)."""
    interval = stats.binomtest(successes, trials).proportion_ci(confidence, method="wilson")
    return float(interval.low), float(interval.high)


def t_interval(values: Iterable[float], confidence: float = 0.95) -> Interval:
    """The t interval of the mean of independent observations (NaN left out)."""
    check_confidence(confidence)
    sample = _finite(values)
    n = len(sample)
    if n == 0:
        return Interval(math.nan, math.nan, 0, math.nan, confidence, math.nan)
    mean = float(sample.mean())
    if n == 1:
        return Interval(mean, math.nan, 1, math.nan, confidence, 0.0)
    sd = float(sample.std(ddof=1))
    quantile = float(stats.t.ppf(0.5 + confidence / 2.0, n - 1))
    return Interval(mean, sd, n, quantile * sd / math.sqrt(n), confidence, float(n - 1))


def paired_interval(
    first: Iterable[float], second: Iterable[float], confidence: float = 0.95
) -> Interval:
    """The t interval of the mean of ``first - second``, observation by observation.

    ``first`` and ``second`` must be aligned (the same seeds in the same order); pairs where
    either value is NaN are left out.
    """
    a = np.asarray(list(first), float)
    b = np.asarray(list(second), float)
    if a.shape != b.shape:
        raise ValueError(f"paired samples differ in length: {len(a)} and {len(b)}")
    return t_interval(a - b, confidence)


def welch_interval(
    first: Iterable[float], second: Iterable[float], confidence: float = 0.95
) -> Interval:
    """Welch's t interval of ``mean(first) - mean(second)`` for independent samples.

    Degrees of freedom by the Welch-Satterthwaite approximation; ``sd`` is the standard
    error of the difference times sqrt(n) with ``n`` the smaller sample size, so that
    ``sd / sqrt(n)`` is that standard error.
    """
    check_confidence(confidence)
    a, b = _finite(first), _finite(second)
    if len(a) < 2 or len(b) < 2:
        mean = float(a.mean() - b.mean()) if len(a) and len(b) else math.nan
        return Interval(mean, math.nan, min(len(a), len(b)), math.nan, confidence, math.nan)
    va, vb = a.var(ddof=1) / len(a), b.var(ddof=1) / len(b)
    se = math.sqrt(va + vb)
    mean = float(a.mean() - b.mean())
    if se == 0.0:
        return Interval(mean, 0.0, min(len(a), len(b)), 0.0, confidence, math.inf)
    df = (va + vb) ** 2 / (va**2 / (len(a) - 1) + vb**2 / (len(b) - 1))
    quantile = float(stats.t.ppf(0.5 + confidence / 2.0, df))
    n = min(len(a), len(b))
    return Interval(mean, se * math.sqrt(n), n, quantile * se, confidence, float(df))
