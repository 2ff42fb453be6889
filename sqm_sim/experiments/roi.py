"""Return on quality, initiative by initiative (Rust, Zahorik & Keiningham 1995).

Each initiative is valued against the same portfolio without it, on common random numbers:
for every seed both runs share all random streams, so the paired difference isolates the
initiative's effect. Reported per initiative:

- ``incremental_npv``: mean NPV difference with a t confidence interval over the seeds;
- ``pv_spend``: present value of the initiative's own spend;
- ``roi``: incremental NPV / PV of spend (0 = breaks even, 1 = returns its cost twice);
- ``payback_month``: first month from which the mean cumulative incremental discounted
  profit stays at or above zero (NaN if it never does within the horizon);
- ``worst_month``: month of the deepest cumulative shortfall ("worse before better").

A last row, ``portfolio``, values the whole portfolio against running none.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from ..config import Config
from ..run import simulate
from ..run.kpis import monthly_discount_factors


def _without(config: Config, name: str | None) -> Config:
    """``config`` without the named initiative (or without any, for ``None``)."""
    kept = [
        initiative.model_dump()
        for initiative in config.portfolio.initiatives
        if name is not None and initiative.name != name
    ]
    return config.with_overrides({"portfolio.initiatives": kept})


def _monthly_discounted_profit(config: Config, seed: int) -> np.ndarray:
    series = simulate(config, seed).timeseries
    if config.simulation.report_period_months != 1:
        raise ValueError("initiative_roi needs monthly reporting (report_period_months = 1)")
    return series["discounted_profit"].to_numpy()


def _valuation(
    label: str,
    kind: str,
    with_it: list[np.ndarray],
    without: list[np.ndarray],
    pv_spend: float,
    confidence: float,
) -> dict[str, float | str | bool]:
    differences = np.array([a - b for a, b in zip(with_it, without, strict=True)])
    npv_gain = differences.sum(axis=1)
    mean = float(npv_gain.mean())
    if len(npv_gain) > 1:
        half = float(stats.t.ppf(0.5 + confidence / 2, len(npv_gain) - 1) * stats.sem(npv_gain))
    else:
        half = float("nan")
    cumulative = differences.mean(axis=0).cumsum()
    below = np.flatnonzero(cumulative < 0.0)
    if len(below) == 0:
        payback = 0.0
    elif below[-1] == len(cumulative) - 1:
        payback = float("nan")
    else:
        payback = float(below[-1] + 1)
    return {
        "initiative": label,
        "kind": kind,
        "pv_spend": pv_spend,
        "incremental_npv": mean,
        "ci_low": mean - half,
        "ci_high": mean + half,
        "significant": bool(mean - half > 0.0 or mean + half < 0.0),
        "roi": mean / pv_spend if pv_spend > 0 else float("nan"),
        "payback_month": payback,
        "worst_month": float(np.argmin(cumulative)),
        "worst_cumulative": float(cumulative.min()),
    }


def initiative_roi(config: Config, seeds: Sequence[int], confidence: float = 0.95) -> pd.DataFrame:
    """Incremental NPV, ROI and payback of every initiative of ``config.portfolio``.

    Runs ``(n_initiatives + 2) * len(seeds)`` simulations.
    """
    if not config.portfolio.initiatives:
        raise ValueError("the configuration has no initiatives to value (use a portfolio)")
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence = {confidence}: must be between 0 and 1")
    horizon = config.simulation.horizon_months
    discount = monthly_discount_factors(config)
    full = [_monthly_discounted_profit(config, seed) for seed in seeds]
    rows = []
    total_pv = 0.0
    for initiative in config.portfolio.initiatives:
        spend = np.array(initiative.spend_by_month(horizon, config.workforce))
        pv_spend = float((spend * discount).sum())
        total_pv += pv_spend
        reduced = _without(config, initiative.name)
        without = [_monthly_discounted_profit(reduced, seed) for seed in seeds]
        rows.append(
            _valuation(initiative.name, initiative.kind, full, without, pv_spend, confidence)
        )
    nothing = [_monthly_discounted_profit(_without(config, None), seed) for seed in seeds]
    rows.append(_valuation("portfolio", "all", full, nothing, total_pv, confidence))
    return pd.DataFrame(rows)
