"""Reading the runs of a design: outputs per point, simulation noise, convergence, OAT.

- :func:`point_outputs`: the KPI at each design point, averaged over the point's seeds
  (common to all points), in design order.
- :func:`noise_table`: how much of the analysed outputs' variance is simulation noise.
  Every point runs the same seeds (common random numbers), so part of the noise is shared
  by all points (a seed that brings an early technology shock brings it everywhere) and
  does not move the indices; the rest, specific to each point, does. On the noise points
  (several points x several seeds) a two-way decomposition separates the two; the noise
  share is the point-specific noise variance of a point's mean over R seeds, ``s_e^2 /
  R``, over the variance of the analysed outputs across points.
- :func:`convergence_table`: whether every main index's interval is narrow enough, and the
  ``n`` that would make it so (interval half-widths shrink like ``1 / sqrt(n)``).
- :func:`tornado_table`: one-at-a-time effects with paired intervals over seeds.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..experiments.intervals import paired_interval, t_interval
from ..experiments.summaries import ok_only, seed_matrix
from .design import BASE_POINT, Design
from .methods import MAIN_INDEX
from .space import ParameterSpace


class IncompleteDesignError(RuntimeError):
    """Some design points have no successful run: the indices cannot be computed."""


def point_outputs(design: Design, runs: pd.DataFrame, kpis: Sequence[str]) -> pd.DataFrame:
    """One row per design point (in design order): ``cell``, ``replications`` (ok runs)
    and the mean of each KPI over the point's seeds. Raises
    :class:`IncompleteDesignError` naming the points without a successful run."""
    names = [cell.name for cell in design.cells]
    ok = ok_only(runs)
    grouped = ok.groupby("cell", sort=False) if not ok.empty else None
    table = pd.DataFrame({"cell": names})
    counts = grouped.size() if grouped is not None else pd.Series(dtype=int)
    table["replications"] = table["cell"].map(counts).fillna(0).astype(int)
    missing = table.loc[table["replications"] == 0, "cell"].tolist()
    if missing:
        shown = ", ".join(missing[:5]) + (" ..." if len(missing) > 5 else "")
        raise IncompleteDesignError(
            f"{len(missing)} of {len(names)} design points have no successful run ({shown}); "
            "see the failures table, fix the cause and rerun (finished runs are kept)"
        )
    assert grouped is not None
    means = grouped[list(kpis)].mean()
    for kpi in kpis:
        table[kpi] = table["cell"].map(means[kpi]).astype(float)
    return table


def _noise_components(matrix: pd.DataFrame) -> tuple[float, float, float]:
    """(within-point, seed-common, point-specific) variances of a seeds x points matrix.

    Two-way decomposition ``y[s, p] = mu + a[p] + b[s] + e[s, p]``: ``b`` is the part of
    the noise every point shares (a lucky seed is lucky everywhere: common random numbers),
    ``e`` the part specific to the point. Only ``e`` moves the indices, which compare
    points at the same seeds.
    """
    values = matrix.dropna(axis=0, how="any").to_numpy(dtype=float)
    seeds, points = values.shape
    if seeds < 2 or points < 1:
        return math.nan, math.nan, math.nan
    within = float(values.var(axis=0, ddof=1).mean())
    if points < 2:
        return within, math.nan, within
    residual = (
        values - values.mean(axis=1, keepdims=True) - values.mean(axis=0, keepdims=True)
    ) + values.mean()
    specific = float((residual**2).sum() / ((seeds - 1) * (points - 1)))
    common = max(0.0, float(values.mean(axis=1).var(ddof=1)) - specific / points)
    return within, common, specific


def noise_table(
    points: pd.DataFrame,
    noise_runs: pd.DataFrame,
    kpis: Sequence[str],
    replications: int,
) -> pd.DataFrame:
    """Per KPI: variance across points of the analysed outputs, the noise variances of the
    noise points (see :func:`_noise_components`) and the noise share: the point-specific
    noise variance of a point's mean over ``replications`` seeds over the variance across
    points. NaN where no noise points were run."""
    rows = []
    for kpi in kpis:
        total = float(points[kpi].var(ddof=1)) if len(points) > 1 else math.nan
        within = common = specific = math.nan
        if not noise_runs.empty:
            within, common, specific = _noise_components(seed_matrix(noise_runs, kpi))
        noise = specific / replications if not math.isnan(specific) else math.nan
        share = math.nan
        if not math.isnan(noise) and total > 0:
            share = min(1.0, noise / total)
        rows.append(
            {
                "kpi": kpi,
                "variance_across_points": total,
                "within_point_variance": within,
                "seed_common_variance": common,
                "point_specific_variance": specific,
                "replications": replications,
                "noise_variance": noise,
                "noise_share": share,
                "parameter_share": 1.0 - share if not math.isnan(share) else math.nan,
            }
        )
    return pd.DataFrame(rows)


def _next_size(method: str, n: int, widest: float, target: float) -> int:
    """The ``n`` at which the widest half-width is expected to reach ``target``."""
    if widest <= target or not math.isfinite(widest):
        return n
    needed = math.ceil(n * (widest / target) ** 2)
    if method == "sobol":
        return 1 << max(needed - 1, 1).bit_length()  # next power of 2
    return needed


def convergence_table(
    indices: pd.DataFrame, method: str, n: int, target: float, kpis: Sequence[str]
) -> pd.DataFrame:
    """Per KPI: the widest interval half-width of the main index (relative to the largest
    mu* for Morris), whether it is within ``target``, whether the top parameter's interval
    clears the runner-up's, and the suggested ``n``."""
    main = MAIN_INDEX[method]
    rows = []
    for kpi in kpis:
        part = indices[(indices["kpi"] == kpi) & (indices["index"] == main)]
        half = ((part["ci_high"] - part["ci_low"]) / 2).to_numpy(dtype=float)
        widest = float(np.nanmax(half)) if len(half) else math.nan
        if method == "morris":
            largest = float(part["value"].abs().max()) if len(part) else 0.0
            widest = widest / largest if largest > 0 else 0.0
        ordered = part.sort_values("value", ascending=False)
        separated = (
            bool(ordered["ci_low"].iloc[0] > ordered["ci_high"].iloc[1])
            if len(ordered) > 1
            else True
        )
        rows.append(
            {
                "kpi": kpi,
                "index": main,
                "widest_half_width": widest,
                "target": target,
                "converged": bool(widest <= target),
                "top_parameter": ordered["parameter"].iloc[0] if len(ordered) else "",
                "top_separated": separated,
                "n": n,
                "suggested_n": _next_size(method, n, widest, target),
            }
        )
    return pd.DataFrame(rows)


def ranking(indices: pd.DataFrame, method: str) -> pd.DataFrame:
    """Parameters ranked per KPI by the method's main index (1 = most influential)."""
    main = indices[indices["index"] == MAIN_INDEX[method]].copy()
    main["rank"] = main.groupby("kpi")["value"].rank(ascending=False, method="min").astype(int)
    return main.sort_values(["kpi", "rank"]).reset_index(drop=True)


def tornado_table(
    design: Design,
    space: ParameterSpace,
    runs: pd.DataFrame,
    kpis: Sequence[str],
    confidence: float,
) -> pd.DataFrame:
    """One-at-a-time effects: per KPI and parameter, the KPI at the base point and with the
    parameter at ``low`` / ``high``, the effects (paired over seeds) with t intervals, and
    the swing ``|effect_high - effect_low|``; sorted by swing within each KPI."""
    rows = []
    base_row = design.values[0]
    for kpi in kpis:
        matrix = seed_matrix(runs, kpi, [cell.name for cell in design.cells])
        base = matrix[BASE_POINT]
        for i, parameter in enumerate(space.parameters):
            low = matrix[f"low:{parameter.key}"]
            high = matrix[f"high:{parameter.key}"]
            effect_low = paired_interval(low, base, confidence)
            effect_high = paired_interval(high, base, confidence)
            rows.append(
                {
                    "kpi": kpi,
                    "parameter": parameter.key,
                    "label": parameter.name,
                    "unit": parameter.unit,
                    "base_value": float(base_row[i]),
                    "low": parameter.low,
                    "high": parameter.high,
                    "kpi_base": t_interval(base, confidence).mean,
                    "effect_low": effect_low.mean,
                    "effect_low_ci_low": effect_low.low,
                    "effect_low_ci_high": effect_low.high,
                    "effect_high": effect_high.mean,
                    "effect_high_ci_low": effect_high.low,
                    "effect_high_ci_high": effect_high.high,
                    "swing": abs(effect_high.mean - effect_low.mean),
                }
            )
    table = pd.DataFrame(rows)
    return table.sort_values(["kpi", "swing"], ascending=[True, False]).reset_index(drop=True)
