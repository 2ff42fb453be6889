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

The runs go through the experiment engine (:func:`~sqm_sim.experiments.engine.run_plan`):
any backend, a progress bar, and with a :class:`~sqm_sim.experiments.store.ResultsStore`
a resumable results folder. :func:`roi_plan` is the plan: the portfolio, the portfolio
without each initiative, and no initiative, each on the same seeds.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from ..config import Config, ConfigError
from ..models.initiatives import lever_schedule
from ..run.kpis import monthly_discount_factors
from .backends import Backend
from .engine import run_plan
from .plan import Cell, Plan
from .store import Store

FULL = "portfolio"
"""Cell of the whole portfolio."""

NONE = "no initiatives"
"""Cell of the portfolio without any initiative."""


def _without(config: Config, name: str | None) -> Config:
    """``config`` without the named initiative and the rules that act on it (or without
    any initiative or rule, for ``None``)."""
    kept = [
        initiative.model_dump()
        for initiative in config.portfolio.initiatives
        if name is not None and initiative.name != name
    ]
    rules = [
        rule.model_dump(exclude_none=True)
        for rule in config.portfolio.rules or ()
        if name is not None and rule.initiative != name
    ]
    if not config.portfolio.rules:
        return config.with_overrides({"portfolio.initiatives": kept})
    return config.with_overrides({"portfolio.initiatives": kept, "portfolio.rules": rules})


def _without_cell(name: str) -> str:
    return f"without {name}"


def check_roi_inputs(config: Config, confidence: float) -> None:
    """Every input problem of :func:`initiative_roi`, before any run (ConfigError)."""
    if not config.portfolio.initiatives:
        raise ConfigError("the configuration has no initiatives to value (use a portfolio)")
    if not 0.0 < confidence < 1.0:
        raise ConfigError(f"confidence = {confidence}: must be between 0 and 1")
    period = config.simulation.report_period_months
    if period != 1:
        raise ConfigError(
            f"simulation.report_period_months = {period}: initiative ROI needs monthly "
            "reporting (allowed: 1)"
        )


def roi_plan(config: Config, seeds: Sequence[int]) -> Plan:
    """The runs of :func:`initiative_roi`: the portfolio, the portfolio without each
    initiative, and none, on the same ``seeds`` (common random numbers)."""
    cells = [Cell(FULL, {"valuation": FULL}, config)]
    for initiative in config.portfolio.initiatives:
        name = _without_cell(initiative.name)
        cells.append(Cell(name, {"valuation": name}, _without(config, initiative.name)))
    cells.append(Cell(NONE, {"valuation": NONE}, _without(config, None)))
    return Plan(cells, list(seeds))


def _profits_by_cell(series: pd.DataFrame, seeds: Sequence[int]) -> dict[str, list[np.ndarray]]:
    """Monthly discounted profit of each run, by cell, in the order of ``seeds``."""
    runs: dict[str, dict[int, np.ndarray]] = {}
    for (cell, seed), run in series.groupby(["cell", "seed"], sort=False):
        runs.setdefault(str(cell), {})[int(seed)] = run["discounted_profit"].to_numpy()
    return {cell: [by_seed[seed] for seed in seeds] for cell, by_seed in runs.items()}


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


def initiative_roi(
    config: Config,
    seeds: Sequence[int],
    confidence: float = 0.95,
    *,
    backend: Backend | None = None,
    store: Store | None = None,
    chunk_size: int | None = None,
    quiet: bool = True,
) -> pd.DataFrame:
    """Incremental NPV, ROI and payback of every initiative of ``config.portfolio``.

    Runs ``(n_initiatives + 2) * len(seeds)`` simulations through the experiment engine
    (``backend``, ``store``, ``chunk_size``, ``quiet``: see
    :func:`~sqm_sim.experiments.engine.run_plan`); every input is checked first.
    """
    check_roi_inputs(config, confidence)
    seeds = list(seeds)
    batch = run_plan(
        roi_plan(config, seeds),
        backend=backend,
        store=store,
        chunk_size=chunk_size,
        quiet=quiet,
        description="roi runs",
    )
    if batch.failed:
        first = batch.failures.iloc[0]
        raise RuntimeError(
            f"{batch.failed} of {len(batch.runs)} runs failed; the first "
            f"({first['cell']}, seed {first['seed']}): {first['error']}"
        )
    profits = _profits_by_cell(batch.timeseries(), seeds)
    discount = monthly_discount_factors(config)
    full = profits[FULL]
    rows = []
    total_pv = 0.0
    schedule = lever_schedule(config)
    for initiative in config.portfolio.initiatives:
        spend = np.array([month.spend_of(initiative.name) for month in schedule])
        pv_spend = float((spend * discount).sum())
        total_pv += pv_spend
        without = profits[_without_cell(initiative.name)]
        rows.append(
            _valuation(initiative.name, initiative.kind, full, without, pv_spend, confidence)
        )
    rows.append(_valuation("portfolio", "all", full, profits[NONE], total_pv, confidence))
    return pd.DataFrame(rows)
