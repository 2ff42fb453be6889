"""Robust choice over drawn futures: minimax regret, satisficing, best in most futures.

Input: the KPI's mean per future (rows) and portfolio (columns), one future being one
draw of the uncertain factors, averaged over the common seeds. Three views, side by side:

- **minimax regret** (Savage 1951): a portfolio's regret in a future is the best
  portfolio's value there minus its own (for a KPI to maximise); the choice with the
  smallest largest regret over the futures;
- **satisficing** (Simon 1955): the share of futures in which a portfolio meets the goal,
  with a Wilson score interval (the futures are independent draws);
- **best in most futures**: the share of futures in which a portfolio has the best value.

Each view ranks the portfolios (1 = its choice).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .intervals import wilson_interval
from .summaries import Direction


def robust_table(
    values: pd.DataFrame,
    meets_goal: pd.DataFrame,
    direction: Direction = "max",
    confidence: float = 0.95,
) -> pd.DataFrame:
    """One row per portfolio (a column of ``values``): ``mean`` and ``worst`` over the
    futures, ``max_regret``, ``mean_regret``, ``satisficing`` (share of futures where
    ``meets_goal`` is true; NaN for a portfolio with no goal, e.g. the reference itself)
    with its Wilson interval, ``best_share`` and the rank of each view."""
    signed = values if direction == "max" else -values
    regret = signed.max(axis=1).to_numpy()[:, None] - signed.to_numpy()
    regret = pd.DataFrame(regret, index=values.index, columns=values.columns)
    best = regret.eq(0.0)
    rows = []
    for portfolio in values.columns:
        goal = meets_goal.get(portfolio)
        if goal is None or goal.isna().all():
            share = low = high = float("nan")
        else:
            flags = goal.dropna().astype(bool)
            share = float(flags.mean())
            low, high = wilson_interval(int(flags.sum()), len(flags), confidence)
        column = values[portfolio]
        rows.append(
            {
                "portfolio": portfolio,
                "futures": int(column.notna().sum()),
                "mean": float(column.mean()),
                "worst": float(column.min() if direction == "max" else column.max()),
                "max_regret": float(regret[portfolio].max()),
                "mean_regret": float(regret[portfolio].mean()),
                "satisficing": share,
                "satisficing_low": low,
                "satisficing_high": high,
                "best_share": float(best[portfolio].mean()),
            }
        )
    table = pd.DataFrame(rows)
    table["rank_minimax_regret"] = table["max_regret"].rank(method="min").astype(int)
    table["rank_satisficing"] = (
        table["satisficing"].rank(method="min", ascending=False).astype("Int64")
    )
    table["rank_best_share"] = table["best_share"].rank(method="min", ascending=False).astype(int)
    return table.sort_values(["rank_minimax_regret", "portfolio"]).reset_index(drop=True)


def choices(table: pd.DataFrame) -> dict[str, list[str]]:
    """The portfolio(s) each view chooses (ties kept): ``minimax_regret``, ``satisficing``,
    ``best_in_most_futures``."""
    views = {
        "minimax_regret": "rank_minimax_regret",
        "satisficing": "rank_satisficing",
        "best_in_most_futures": "rank_best_share",
    }
    return {
        view: [str(p) for p in table.loc[table[column] == 1, "portfolio"]]
        for view, column in views.items()
        if np.any(table[column] == 1)
    }
