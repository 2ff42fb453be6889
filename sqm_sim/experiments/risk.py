"""Risk beyond the mean: the distribution of a KPI over replications, the chance of losing
money against doing nothing, the mean of the bad tail, and ranking by a chosen criterion.

Every cell of a comparison runs the same seeds (common random numbers), so for each seed
a portfolio's *incremental* value against the ``none`` portfolio of its scenario (no
initiatives) is the paired difference ``cell - none``. Per cell this module reports, for
the KPI (NPV unless told otherwise, in its unit), the incremental KPI and the worst month
of cumulative cash (the lowest cumulative profit over the months of a run, currency):

- percentiles 5, 25, 50, 75 and 95 of the replications (linear interpolation between
  order statistics, NumPy's default);
- ``cvar``: the conditional value at risk at level ``alpha``, the mean of the worst
  ``alpha`` share of the empirical distribution. With the values sorted from worst to best
  and ``k = alpha * n``, it is ``(x_1 + ... + x_floor(k) + (k - floor(k)) x_(floor(k)+1)) / k``
  (the exact lower-tail expectation of the empirical distribution; Rockafellar & Uryasev
  2002). "Worst" follows the KPI's direction: the low tail of a KPI to maximise;
- ``p_loss``: the share of seeds whose incremental KPI is below zero (worse than doing
  nothing), with a Wilson score interval (Wilson 1927; ``scipy.stats.binomtest``), which
  keeps its coverage for small ``n`` and shares near 0 or 1 better than the normal one.

Ranking by a criterion (``mean``, ``p5``, ``p50``, ``cvar`` or ``regret``): the mean uses
the paired t intervals of :func:`~sqm_sim.experiments.comparison.rank_cells`; the others
have no t interval, so each cell's difference from the best in the criterion is judged by
a *paired bootstrap* over the seeds (the seeds are resampled with replacement, the same
resample for every cell, so the pairing by common random numbers is kept; percentile
interval, :data:`BOOTSTRAP_RESAMPLES` resamples with a fixed seed), with the same
family-wise control as the mean ranking: ``adjust="bonferroni"`` widens every interval to
``1 - (1 - confidence) / (cells - 1)``. ``regret`` is the largest, over the scenarios, of
a portfolio's mean shortfall from the best portfolio of that scenario seed by seed; with
one scenario it orders the portfolios exactly as their means do.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd

from ..config import Config, ConfigError
from ..models.initiatives import lever_schedule
from ..run.kpis import monthly_discount_factors
from .comparison import NO_PORTFOLIO, rank_cells
from .intervals import wilson_interval
from .plan import Cell
from .summaries import Direction, ok_only, seed_matrix

if TYPE_CHECKING:
    from .prepare import Prepared

Criterion = Literal["mean", "p5", "p50", "cvar", "regret"]
CRITERIA: tuple[str, ...] = ("mean", "p5", "p50", "cvar", "regret")
"""The ranking criteria a user can pick (``--rank-by``)."""

PERCENTILES = (5, 25, 50, 75, 95)
"""Percentiles reported for every distribution."""

DEFAULT_CVAR_LEVEL = 0.1
"""Share of the worst outcomes CVaR averages when the user does not choose."""

BOOTSTRAP_RESAMPLES = 2000
"""Paired bootstrap resamples behind the intervals of the non-mean criteria."""

BOOTSTRAP_SEED = 20240
"""Seed of the bootstrap's resampling (results are reproducible)."""

INCREMENTAL = "incremental_"
"""Prefix of the quantity measured against the ``none`` portfolio."""

WORST_CASH = "worst_cumulative_cash"
"""Quantity: the lowest cumulative profit over a run's months (currency)."""


def check_cvar_level(level: float) -> float:
    """``level`` if it is a share strictly between 0 and 1; :class:`ConfigError` naming the
    value and what is allowed otherwise."""
    if isinstance(level, bool) or not isinstance(level, int | float) or not 0.0 < level < 1.0:
        raise ConfigError(f"cvar_level = {level!r}: must be a share strictly between 0 and 1")
    return float(level)


def check_criterion(criterion: str) -> str:
    """``criterion`` if it is one of :data:`CRITERIA`; :class:`ConfigError` otherwise."""
    if criterion not in CRITERIA:
        raise ConfigError(f"rank_by = {criterion!r}: allowed: {', '.join(CRITERIA)}")
    return criterion


# -- statistics of one sample -------------------------------------------------------------


def cvar(values: Sequence[float] | np.ndarray, level: float, direction: Direction = "max") -> float:
    """Conditional value at risk: the mean of the worst ``level`` share of ``values`` (NaN
    left out; the low tail for ``direction="max"``, the high tail for ``"min"``)."""
    check_cvar_level(level)
    sample = np.asarray(values, float)
    sample = sample[~np.isnan(sample)]
    if len(sample) == 0:
        return math.nan
    ordered = np.sort(sample) if direction == "max" else -np.sort(-sample)
    k = level * len(ordered)
    whole = math.floor(k)
    total = float(ordered[:whole].sum())
    if whole < len(ordered):
        total += (k - whole) * float(ordered[whole])
    return total / k


def percentiles(values: Sequence[float] | np.ndarray) -> dict[str, float]:
    """``{"p5": ..., "p25": ..., ...}`` of ``values`` (NaN left out; NaN if empty)."""
    sample = np.asarray(values, float)
    sample = sample[~np.isnan(sample)]
    if len(sample) == 0:
        return {f"p{q}": math.nan for q in PERCENTILES}
    found = np.percentile(sample, PERCENTILES)
    return {f"p{q}": float(v) for q, v in zip(PERCENTILES, found, strict=True)}


def loss_probability(
    differences: Sequence[float] | np.ndarray, confidence: float = 0.95
) -> tuple[float, float, float, int]:
    """(share of ``differences`` below zero, Wilson interval low, high, n) (NaN left out)."""
    sample = np.asarray(differences, float)
    sample = sample[~np.isnan(sample)]
    n = len(sample)
    if n == 0:
        return math.nan, math.nan, math.nan, 0
    losses = int((sample < 0.0).sum())
    low, high = wilson_interval(losses, n, confidence)
    return losses / n, low, high, n


def criterion_value(
    values: np.ndarray, criterion: str, level: float, direction: Direction = "max"
) -> float:
    """``mean``, ``p5``, ``p50`` or ``cvar`` of one sample (NaN left out); ``p5`` is the bad
    tail's percentile (the 95th for a KPI to minimise)."""
    sample = values[~np.isnan(values)]
    if len(sample) == 0:
        return math.nan
    if criterion == "mean":
        return float(sample.mean())
    if criterion == "p50":
        return float(np.percentile(sample, 50))
    if criterion == "p5":
        return float(np.percentile(sample, 5 if direction == "max" else 95))
    if criterion == "cvar":
        return cvar(sample, level, direction)
    raise ConfigError(f"rank_by = {criterion!r}: allowed: {', '.join(CRITERIA)}")


# -- per-run quantities ---------------------------------------------------------------------


def none_reference(cells: Sequence[Cell]) -> dict[str, str]:
    """Each cell's ``none`` portfolio in the same scenario (cells of scenarios without one
    are left out)."""
    by_scenario: dict[str, str] = {}
    for cell in cells:
        if cell.labels.get("portfolio") == NO_PORTFOLIO:
            by_scenario[str(cell.labels.get("scenario"))] = cell.name
    return {
        cell.name: by_scenario[str(cell.labels.get("scenario"))]
        for cell in cells
        if str(cell.labels.get("scenario")) in by_scenario
    }


def worst_cash(timeseries: pd.DataFrame) -> pd.DataFrame:
    """Per run (``run_id``): the lowest cumulative profit over its months (currency) and
    the month (1-based) it is reached."""
    if timeseries.empty or "profit" not in timeseries:
        return pd.DataFrame(columns=["run_id", WORST_CASH, "worst_month"])
    rows = []
    for run_id, run in timeseries.sort_values(["run_id", "period"]).groupby("run_id", sort=False):
        cumulative = run["profit"].to_numpy(float).cumsum()
        worst = int(np.argmin(cumulative))
        rows.append(
            {"run_id": run_id, WORST_CASH: float(cumulative[worst]), "worst_month": worst + 1}
        )
    return pd.DataFrame(rows)


def outcomes(
    runs: pd.DataFrame,
    kpi: str,
    reference_of: Mapping[str, str],
    timeseries: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One row per successful run: cell, labels, seed, the KPI, its paired difference from
    the cell's ``none`` (``incremental_<kpi>``, NaN without one) and, with time series, the
    worst month of cumulative cash. The tidy table behind every risk figure."""
    ok = ok_only(runs)
    labels = [c for c in ("scenario", "portfolio") if c in ok]
    table = ok[["run_id", "cell", *labels, "seed", kpi]].reset_index(drop=True)
    values = ok.set_index(["cell", "seed"])[kpi]
    reference = table["cell"].map(reference_of)
    reference = reference.where(reference != table["cell"])  # none against itself: no row
    base = [
        values.get((ref, seed), math.nan) if isinstance(ref, str) else math.nan
        for ref, seed in zip(reference, table["seed"], strict=True)
    ]
    table[INCREMENTAL + kpi] = table[kpi].to_numpy(float) - np.asarray(base, float)
    if timeseries is not None and not timeseries.empty:
        table = table.merge(worst_cash(timeseries), on="run_id", how="left")
    return table


def risk_table(
    outcome_rows: pd.DataFrame,
    kpi: str,
    level: float = DEFAULT_CVAR_LEVEL,
    confidence: float = 0.95,
    direction: Direction = "max",
) -> pd.DataFrame:
    """One row per cell and quantity (the KPI, the incremental KPI, the worst cumulative
    cash): n, mean, sd, percentiles, CVaR at ``level``; for the incremental KPI also the
    probability of doing worse than ``none`` with its Wilson interval."""
    quantities = [kpi, INCREMENTAL + kpi, WORST_CASH]
    labels = [c for c in ("scenario", "portfolio") if c in outcome_rows]
    rows = []
    for cell, group in outcome_rows.groupby("cell", sort=False):
        for quantity in quantities:
            if quantity not in group:
                continue
            values = group[quantity].to_numpy(float)
            finite = values[~np.isnan(values)]
            if len(finite) == 0:
                continue
            sense = "max" if quantity == WORST_CASH else direction
            row = {
                "cell": cell,
                **{label: group[label].iloc[0] for label in labels},
                "quantity": quantity,
                "n": len(finite),
                "mean": float(finite.mean()),
                "sd": float(finite.std(ddof=1)) if len(finite) > 1 else math.nan,
                **percentiles(finite),
                "cvar_level": level,
                "cvar": cvar(finite, level, sense),
            }
            if quantity == INCREMENTAL + kpi:
                signed = finite if direction == "max" else -finite
                share, low, high, _ = loss_probability(signed, confidence)
                row.update(p_loss=share, p_loss_low=low, p_loss_high=high)
            rows.append(row)
    return pd.DataFrame(rows)


# -- spend and return ------------------------------------------------------------------------


def initiative_spend(config: Config) -> pd.DataFrame:
    """Each initiative of ``config``'s portfolio: name, kind, total spend over the horizon
    and its present value (discounted as the model discounts profit; currency)."""
    schedule = lever_schedule(config)
    discount = monthly_discount_factors(config)
    rows = []
    for initiative in config.portfolio.initiatives:
        spend = np.array([month.spend_of(initiative.name) for month in schedule])
        rows.append(
            {
                "initiative": initiative.name,
                "kind": initiative.kind,
                "start_month": initiative.start_month,
                "total_spend": float(spend.sum()),
                "pv_spend": float((spend * discount).sum()),
            }
        )
    return pd.DataFrame(
        rows, columns=["initiative", "kind", "start_month", "total_spend", "pv_spend"]
    )


def spend_and_return(
    cells: Sequence[Cell], risk: pd.DataFrame, kpi: str = "npv", confidence: float = 0.95
) -> pd.DataFrame:
    """Per cell: its initiatives, their total and discounted spend, the mean incremental KPI
    against ``none`` and the return on the spend (incremental KPI / PV of spend; NaN with no
    spend or no ``none`` to compare with)."""
    incremental = risk[risk["quantity"] == INCREMENTAL + kpi].set_index("cell")
    rows = []
    for cell in cells:
        spend = initiative_spend(cell.config)
        pv = float(spend["pv_spend"].sum())
        gain = float(incremental["mean"].get(cell.name, math.nan))
        rows.append(
            {
                "cell": cell.name,
                "scenario": cell.labels.get("scenario"),
                "portfolio": cell.labels.get("portfolio"),
                "initiatives": ", ".join(spend["initiative"]) or "-",
                "total_spend": float(spend["total_spend"].sum()),
                "pv_spend": pv,
                f"incremental_{kpi}": gain,
                "roi": gain / pv if pv > 0 and not math.isnan(gain) else math.nan,
            }
        )
    return pd.DataFrame(rows)


# -- ranking by a criterion -------------------------------------------------------------------


def _bootstrap_indices(n: int, resamples: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, n, size=(resamples, n))


def _criterion_columns(
    matrix: np.ndarray, criterion: str, level: float, direction: Direction
) -> np.ndarray:
    return np.array(
        [criterion_value(matrix[:, j], criterion, level, direction) for j in range(matrix.shape[1])]
    )


def _regret_matrices(
    runs: pd.DataFrame, kpi: str, groups: Mapping[str, Sequence[str]], direction: Direction
) -> tuple[list[str], np.ndarray, list[str]]:
    """(portfolios, regret array seeds x scenarios x portfolios, cell names by portfolio of
    the first scenario) for the regret criterion."""
    portfolio_of = runs.drop_duplicates("cell").set_index("cell")["portfolio"].astype(str)
    portfolios: list[str] = []
    for cells in groups.values():
        for cell in cells:
            name = portfolio_of[cell]
            if name not in portfolios:
                portfolios.append(name)
    layers = []
    for cells in groups.values():
        by_portfolio = {portfolio_of[c]: c for c in cells}
        missing = [p for p in portfolios if p not in by_portfolio]
        if missing:
            raise ConfigError(
                f"rank_by = 'regret' needs every portfolio in every scenario; missing: {missing}"
            )
        matrix = seed_matrix(runs, kpi, [by_portfolio[p] for p in portfolios]).to_numpy(float)
        signed = matrix if direction == "max" else -matrix
        layers.append(np.nanmax(signed, axis=1, keepdims=True) - signed)
    return portfolios, np.stack(layers, axis=1), portfolios


def rank_by_criterion(
    runs: pd.DataFrame,
    kpi: str,
    groups: Mapping[str, Sequence[str]],
    criterion: str = "mean",
    *,
    level: float = DEFAULT_CVAR_LEVEL,
    confidence: float = 0.95,
    direction: Direction = "max",
    adjust: Literal["none", "bonferroni"] = "none",
    resamples: int = BOOTSTRAP_RESAMPLES,
    seed: int = BOOTSTRAP_SEED,
) -> pd.DataFrame:
    """Cells (portfolios, for ``regret``) ordered by ``criterion``, best first, each with
    its difference from the best and whether that difference is significant (see the module
    docstring for the control of the error rate). Columns as
    :func:`~sqm_sim.experiments.comparison.rank_cells`, with ``criterion``, ``value`` (the
    criterion's value, in the KPI's unit) and ``method``."""
    check_criterion(criterion)
    check_cvar_level(level)
    if criterion == "mean":
        table = rank_cells(runs, kpi, groups, confidence, direction, adjust)
        table.insert(3, "criterion", "mean")
        table["value"] = table["mean"]
        table["method"] = "paired t interval"
        return table
    rows = []
    if criterion == "regret":
        names, regret, _ = _regret_matrices(runs, kpi, groups, direction)
        per_seed_ok = ~np.isnan(regret).any(axis=(1, 2))
        regret = regret[per_seed_ok]

        def measure(sample: np.ndarray) -> np.ndarray:  # worst scenario's mean regret
            return np.nanmax(np.nanmean(sample, axis=0), axis=0)

        families = {"across scenarios": (names, regret, measure, "min")}
    else:
        families = {}
        for group, cells in groups.items():
            matrix = seed_matrix(runs, kpi, cells).to_numpy(float)
            matrix = matrix[~np.isnan(matrix).any(axis=1)]

            def measure(sample: np.ndarray) -> np.ndarray:
                return _criterion_columns(sample, criterion, level, direction)

            families[group] = (list(cells), matrix, measure, direction)
    for group, (names, sample, measure, sense) in families.items():
        values = measure(sample)
        order = np.argsort(-values if sense == "max" else values, kind="stable")
        best = int(order[0])
        comparisons = max(1, len(names) - 1)
        alpha = (1 - confidence) / comparisons if adjust == "bonferroni" else 1 - confidence
        draws = _bootstrap_indices(len(sample), resamples, seed) if len(sample) > 1 else None
        gaps = (
            np.array([measure(sample[index]) for index in draws])
            if draws is not None
            else np.full((1, len(names)), math.nan)
        )
        for rank, j in enumerate(order, start=1):
            difference = float(values[j] - values[best])
            if j == best:
                low = high = 0.0
            elif draws is None:
                low = high = math.nan
            else:
                spread = gaps[:, j] - gaps[:, best]
                low, high = (float(q) for q in np.quantile(spread, [alpha / 2, 1 - alpha / 2]))
            significant = bool(j != best and (low > 0.0 or high < 0.0))
            rows.append(
                {
                    "group": group,
                    "rank": rank,
                    "cell": names[j],
                    "criterion": criterion,
                    "kpi": kpi,
                    "value": float(values[j]),
                    "difference_to_best": difference,
                    "difference_ci_low": low,
                    "difference_ci_high": high,
                    "significantly_worse_than_best": significant,
                    "comparison_confidence": 1 - alpha,
                    "method": f"paired bootstrap over seeds ({resamples} resamples, percentile)",
                }
            )
    return pd.DataFrame(rows)


RISK_TABLES = ("outcomes", "risk", "spend", "risk_ranking")
"""The tables a comparison gains from this module (also written as Parquet)."""


def risk_tables(
    prepared: Prepared, runs: pd.DataFrame, timeseries: pd.DataFrame | None = None
) -> dict[str, pd.DataFrame]:
    """The risk tables of a comparison (a grid design): ``outcomes`` (one row per run),
    ``risk`` (distribution per cell), ``spend`` (initiatives, spend and return per cell)
    and, when the spec ranks by another criterion than the mean, ``risk_ranking``."""
    spec, plan = prepared.spec, prepared.plan
    assert plan is not None
    kpi, direction = spec.kpi, prepared.direction
    reference = none_reference(plan.cells)
    rows = outcomes(runs, kpi, reference, timeseries)
    risk = risk_table(rows, kpi, spec.cvar_level, spec.confidence, direction)
    tables = {
        "outcomes": rows,
        "risk": risk,
        "spend": spend_and_return(plan.cells, risk, kpi),
    }
    if spec.rank_by != "mean" and len(plan.cells) > 1:
        groups: dict[str, list[str]] = {}
        for cell in plan.cells:
            groups.setdefault(str(cell.labels.get("scenario", "all")), []).append(cell.name)
        tables["risk_ranking"] = rank_by_criterion(
            runs,
            kpi,
            groups,
            spec.rank_by,
            level=spec.cvar_level,
            confidence=spec.confidence,
            direction=direction,
            adjust=spec.adjust,
        )
    return tables
