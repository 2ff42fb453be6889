"""Scenarios x portfolios on common random numbers: differences, ranking, robustness.

Every cell of a comparison runs the same seeds, so for each seed the cells share all their
random streams and the per-seed difference of a KPI between two cells isolates the effect
of what distinguishes them. Differences against a reference are paired t intervals; the
unpaired (Welch) half-width is reported beside them to show what common random numbers
gained. A ranking orders cells by a KPI's mean and says which ones are significantly worse
than the best (paired intervals, optionally Bonferroni-adjusted for the number of
comparisons). Robustness looks across scenarios: for each portfolio the mean and worst
cell mean, and its regret in each scenario (best mean in that scenario minus its own, for
a KPI to maximise), of which the largest decides the minimax-regret choice.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from ..config import Config, ConfigError
from ..portfolios import with_portfolio
from ..scenarios import load_scenario
from .intervals import paired_interval, t_interval, welch_interval
from .plan import Cell
from .summaries import Direction, seed_matrix
from .tables import label_columns

NO_PORTFOLIO = "none"
"""Portfolio name meaning: no initiatives at all."""

SCENARIO_PORTFOLIO = "scenario"
"""Portfolio name meaning: keep the scenario's own portfolio."""


@dataclass(frozen=True)
class ScenarioChoice:
    """A scenario of a comparison: ``source`` (shipped name or TOML path), the ``label``
    it gets in the results (default: the config's name) and overrides for it alone."""

    source: str
    label: str | None = None
    overrides: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class PortfolioChoice:
    """A portfolio of a comparison: a shipped name, a TOML path, ``"none"`` (no
    initiatives), ``"scenario"`` (the scenario's own) or inline ``data``."""

    source: str
    label: str | None = None
    data: Mapping[str, Any] | None = None


def apply_portfolio(config: Config, choice: PortfolioChoice) -> tuple[Config, str]:
    """``config`` with the chosen portfolio, and the portfolio's label."""
    if choice.data is not None:
        data = dict(choice.data)
        data.setdefault("name", choice.label or choice.source)
        return config.with_overrides({"portfolio": data}), choice.label or str(data["name"])
    if choice.source == SCENARIO_PORTFOLIO:
        return config, choice.label or config.portfolio.name
    if choice.source == NO_PORTFOLIO:
        empty = {"name": NO_PORTFOLIO, "initiatives": []}
        return config.with_overrides({"portfolio": empty}), choice.label or NO_PORTFOLIO
    configured = with_portfolio(config, choice.source)
    return configured, choice.label or configured.portfolio.name


def grid_cells(
    scenarios: Sequence[ScenarioChoice],
    portfolios: Sequence[PortfolioChoice],
    overrides: Mapping[str, Any] | None = None,
) -> list[Cell]:
    """Every scenario with every portfolio, then ``overrides`` and the scenario's own
    overrides. Cells are named ``"scenario|portfolio"`` and labelled ``scenario`` and
    ``portfolio``. Every config is validated here, before anything runs."""
    if not scenarios:
        raise ConfigError("the comparison names no scenario (empty design)")
    if not portfolios:
        raise ConfigError("the comparison names no portfolio (empty design)")
    cells = []
    for scenario in scenarios:
        base = load_scenario(scenario.source)
        scenario_label = scenario.label or base.name
        for portfolio in portfolios:
            try:
                config, portfolio_label = apply_portfolio(base, portfolio)
                combined = {**dict(overrides or {}), **dict(scenario.overrides)}
                if combined:
                    config = config.with_overrides(combined)
            except ConfigError as exc:
                raise ConfigError(
                    f"scenario '{scenario_label}' with portfolio "
                    f"'{portfolio.label or portfolio.source}': {exc}"
                ) from None
            labels = {"scenario": scenario_label, "portfolio": portfolio_label}
            cells.append(Cell(f"{scenario_label}|{portfolio_label}", labels, config))
    return cells


def resolve_reference(reference: str | None, cells: Sequence[Cell]) -> dict[str, str]:
    """Which cell each cell is compared with.

    ``reference`` is a cell name (``"scenario|portfolio"``, also written
    ``"scenario:portfolio"``): every cell against that one; or a portfolio label: each cell
    against that portfolio in the same scenario; or None: the first portfolio of each
    scenario.
    """
    by_name = {cell.name: cell for cell in cells}
    scenarios: dict[str, list[Cell]] = {}
    for cell in cells:
        scenarios.setdefault(str(cell.labels.get("scenario", "")), []).append(cell)
    if reference is None:
        return {c.name: group[0].name for group in scenarios.values() for c in group}
    as_cell = reference.replace(":", "|", 1)
    if as_cell in by_name:
        return {cell.name: as_cell for cell in cells}
    portfolios = {str(cell.labels.get("portfolio")) for cell in cells}
    if reference in portfolios:
        mapping = {}
        for scenario, group in scenarios.items():
            match = [c for c in group if c.labels.get("portfolio") == reference]
            if not match:
                raise ConfigError(f"reference portfolio '{reference}' is not run in '{scenario}'")
            mapping.update({c.name: match[0].name for c in group})
        return mapping
    raise ConfigError(
        f"reference {reference!r} is neither a cell ({', '.join(by_name)}) nor a portfolio "
        f"({', '.join(sorted(portfolios))})"
    )


def paired_differences(
    runs: pd.DataFrame,
    kpis: Sequence[str],
    reference_of: Mapping[str, str],
    confidence: float = 0.95,
    directions: Mapping[str, Direction] | None = None,
) -> pd.DataFrame:
    """One row per cell (other than its reference) and KPI: the mean per-seed difference
    ``cell - reference`` with its paired t interval, whether it is significant, whether it
    is an improvement, and the Welch half-width of the same difference without pairing."""
    rows = []
    cells = list(dict.fromkeys([*reference_of, *reference_of.values()]))
    for kpi in kpis:
        matrix = seed_matrix(runs, kpi, cells)
        direction = (directions or {}).get(kpi, "max")
        for cell, reference in reference_of.items():
            if cell == reference:
                continue
            paired = paired_interval(matrix[cell], matrix[reference], confidence)
            unpaired = welch_interval(matrix[cell], matrix[reference], confidence)
            reference_mean = float(np.nanmean(matrix[reference])) if paired.n else np.nan
            sign = 1.0 if direction == "max" else -1.0
            rows.append(
                {
                    "cell": cell,
                    "reference": reference,
                    "kpi": kpi,
                    "n_pairs": paired.n,
                    "difference": paired.mean,
                    "ci_low": paired.low,
                    "ci_high": paired.high,
                    "half_width": paired.half_width,
                    "relative_difference": paired.mean / abs(reference_mean)
                    if reference_mean
                    else np.nan,
                    "significant": paired.excludes_zero,
                    "better": bool(sign * paired.mean > 0 and paired.excludes_zero),
                    "worse": bool(sign * paired.mean < 0 and paired.excludes_zero),
                    "unpaired_half_width": unpaired.half_width,
                }
            )
    return pd.DataFrame(rows)


def rank_cells(
    runs: pd.DataFrame,
    kpi: str,
    groups: Mapping[str, Sequence[str]],
    confidence: float = 0.95,
    direction: Direction = "max",
    adjust: Literal["none", "bonferroni"] = "none",
) -> pd.DataFrame:
    """Within each group of cells (e.g. the portfolios of one scenario), cells ordered by
    the KPI's mean, best first, each with its paired difference from the best and whether
    that difference is significant (``adjust="bonferroni"`` widens every interval for the
    group's number of comparisons)."""
    rows = []
    for group, cells in groups.items():
        matrix = seed_matrix(runs, kpi, cells)
        means = matrix.mean(skipna=True)
        ordered = means.sort_values(ascending=direction == "min", kind="stable")
        best = ordered.index[0]
        comparisons = max(1, len(cells) - 1)
        level = 1 - (1 - confidence) / comparisons if adjust == "bonferroni" else confidence
        for rank, cell in enumerate(ordered.index, start=1):
            own = t_interval(matrix[cell], confidence)
            gap = paired_interval(matrix[cell], matrix[best], level)
            rows.append(
                {
                    "group": group,
                    "rank": rank,
                    "cell": cell,
                    "kpi": kpi,
                    "mean": own.mean,
                    "ci_low": own.low,
                    "ci_high": own.high,
                    "difference_to_best": gap.mean if cell != best else 0.0,
                    "difference_ci_low": gap.low if cell != best else 0.0,
                    "difference_ci_high": gap.high if cell != best else 0.0,
                    "significantly_worse_than_best": bool(cell != best and gap.excludes_zero),
                    "comparison_confidence": level,
                }
            )
    ranking = pd.DataFrame(rows)
    labels = [c for c in label_columns(runs) if c not in ("scenario", "portfolio", "point")]
    if labels and not ranking.empty:
        values = runs[["cell", *labels]].drop_duplicates("cell")
        ranking = ranking.merge(values, on="cell", how="left")
        order = ["group", "rank", "cell", *labels]
        ranking = ranking[order + [c for c in ranking.columns if c not in order]]
    return ranking


def robustness(summary: pd.DataFrame, kpi: str, direction: Direction = "max") -> pd.DataFrame:
    """Per portfolio across scenarios, from the cell means in ``summary`` (the output of
    :func:`~sqm_sim.experiments.summaries.kpi_summary` with ``scenario`` and ``portfolio``
    labels): ``mean``, ``worst`` and ``best`` cell mean, ``max_regret`` and
    ``mean_regret`` (regret in a scenario = best portfolio's mean there minus this one's,
    for a KPI to maximise; the reverse to minimise), ``times_best`` and the rank by
    maximum regret (1 = the minimax-regret choice)."""
    table = summary[summary["kpi"] == kpi].pivot_table(
        index="portfolio", columns="scenario", values="mean", aggfunc="first", sort=False
    )
    if direction == "max":
        best_per_scenario = table.max(axis=0)
        regret = best_per_scenario - table
        worst, best = table.min(axis=1), table.max(axis=1)
    else:
        best_per_scenario = table.min(axis=0)
        regret = table - best_per_scenario
        worst, best = table.max(axis=1), table.min(axis=1)
    result = pd.DataFrame(
        {
            "portfolio": table.index,
            "kpi": kpi,
            "scenarios": table.notna().sum(axis=1).to_numpy(),
            "mean": table.mean(axis=1).to_numpy(),
            "worst": worst.to_numpy(),
            "best": best.to_numpy(),
            "max_regret": regret.max(axis=1).to_numpy(),
            "mean_regret": regret.mean(axis=1).to_numpy(),
            "times_best": (regret == 0).sum(axis=1).to_numpy(),
        }
    )
    result["rank_by_max_regret"] = result["max_regret"].rank(method="min").astype(int)
    return result.sort_values(["rank_by_max_regret", "portfolio"]).reset_index(drop=True)


def scenario_groups(cells: Sequence[Cell]) -> dict[str, list[str]]:
    """Cell names grouped by their ``scenario`` label (one group if there is none)."""
    groups: dict[str, list[str]] = {}
    for cell in cells:
        groups.setdefault(str(cell.labels.get("scenario", "all")), []).append(cell.name)
    return groups
