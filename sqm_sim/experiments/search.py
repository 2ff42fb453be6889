"""Portfolio search: which affordable set of initiatives from a menu pays best?

A *menu* is a list of candidate initiatives (tables as in a portfolio file) and a yearly
budget; :mod:`sqm_sim.experiments.menu` finds the feasible subsets without running
anything (within budget every model year, no overlapping initiatives of one kind, a valid
config).

Evaluation: every candidate portfolio runs the same seeds (common random numbers), and is
scored by the mean of one KPI (NPV by default). Cost is the present value of its spend
(discounted as the model discounts profit) and, for reference, its undiscounted total.

- **Exhaustive** when there are at most ``max_evaluations`` feasible subsets: all of them.
- **Heuristic** otherwise (documented, not guaranteed optimal), within ``max_evaluations``
  portfolios: (1) greedy ascent from the empty portfolio: evaluate every feasible
  one-initiative addition, move to the best if it improves the mean, until none does;
  (2) local search from there with drop-one and swap-one moves as well as additions;
  (3) random restarts: a random feasible portfolio (initiatives added in random order while
  feasible), then the same local search, until the evaluation budget is spent or three
  restarts in a row evaluate nothing new. Each round of
  neighbours is evaluated as one batch (in parallel). Randomness comes from ``search_seed``
  only, so a rerun makes the same moves and finds its evaluations in the results store.

The report: every evaluated portfolio with cost and the KPI's mean and CI, the Pareto
frontier (no other evaluated portfolio is both cheaper and better), and the best portfolio
with its CI and paired differences against no initiatives and against the runner-up.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..config import ConfigError
from .engine import BatchResult
from .intervals import paired_interval, t_interval
from .menu import EMPTY_NAME, Candidate, Menu
from .plan import Plan
from .summaries import Direction, seed_matrix

Evaluator = Callable[[list[Candidate]], Mapping[str, np.ndarray]]
"""Runs candidates on the common seeds; returns the KPI values per seed by candidate name."""


class Search:
    """Bookkeeping of evaluated candidates, and the heuristic moves."""

    def __init__(
        self,
        menu: Menu,
        evaluate: Evaluator,
        max_evaluations: int,
        direction: Direction,
        search_seed: int,
    ) -> None:
        if max_evaluations < 1:
            raise ConfigError(f"max_evaluations = {max_evaluations}: must be at least 1")
        self.menu = menu
        self.evaluate_batch = evaluate
        self.max_evaluations = max_evaluations
        self.sign = 1.0 if direction == "max" else -1.0
        self.rng = np.random.default_rng(search_seed)
        self.values: dict[str, np.ndarray] = {}
        self.candidates: dict[str, Candidate] = {}

    @property
    def remaining(self) -> int:
        """Evaluations left in the budget."""
        return self.max_evaluations - len(self.values)

    def score(self, candidate: Candidate) -> float:
        """Mean KPI, signed so that larger is better (-inf if every run failed)."""
        values = self.values[candidate.name]
        finite = values[~np.isnan(values)]
        return self.sign * float(finite.mean()) if len(finite) else -np.inf

    def evaluate(self, candidates: Sequence[Candidate]) -> None:
        """Evaluate the candidates not yet evaluated, within the remaining budget (a random
        selection of them if the budget is short)."""
        new = list({c.name: c for c in candidates if c.name not in self.values}.values())
        if len(new) > self.remaining:
            picked = self.rng.choice(len(new), size=max(self.remaining, 0), replace=False)
            new = [new[i] for i in sorted(picked)]
        if not new:
            return
        results = self.evaluate_batch(new)
        for candidate in new:
            self.candidates[candidate.name] = candidate
            self.values[candidate.name] = np.asarray(results[candidate.name], float)

    def neighbours(self, current: Candidate, swaps: bool) -> list[Candidate]:
        """Feasible portfolios one addition (and, with ``swaps``, one drop or one swap)
        away from ``current``."""
        inside = set(current.members)
        outside = [i for i in range(len(self.menu.items)) if i not in inside]
        moves = [(*current.members, i) for i in outside]
        if swaps:
            moves += [tuple(m for m in current.members if m != i) for i in inside]
            moves += [(*(m for m in current.members if m != i), j) for i in inside for j in outside]
        found = (self.menu.candidate(move) for move in moves)
        return [c for c in found if c is not None]

    def climb(self, start: Candidate, swaps: bool) -> Candidate:
        """Move to the best neighbour while it improves the mean."""
        self.evaluate([start])
        current = start
        if current.name not in self.values:  # the budget ran out
            return current
        while self.remaining > 0:
            options = self.neighbours(current, swaps)
            self.evaluate(options)
            scored = [c for c in options if c.name in self.values]
            if not scored:
                return current
            best = max(scored, key=self.score)
            if self.score(best) <= self.score(current):
                return current
            current = best
        return current

    def random_start(self) -> Candidate:
        """A random feasible portfolio: initiatives added in random order while feasible."""
        members: tuple[int, ...] = ()
        for position in self.rng.permutation(len(self.menu.items)):
            candidate = self.menu.candidate((*members, int(position)))
            if candidate is not None:
                members = candidate.members
        found = self.menu.candidate(members)
        assert found is not None
        return found

    def run_heuristic(self) -> None:
        """Greedy ascent, local search with swaps, random restarts (see module doc)."""
        empty = self.menu.candidate(())
        assert empty is not None
        greedy = self.climb(empty, swaps=False)
        self.climb(greedy, swaps=True)
        stale = 0
        while self.remaining > 0 and stale < 3:
            before = self.remaining
            self.climb(self.random_start(), swaps=True)
            stale = stale + 1 if self.remaining == before else 0


def pareto_frontier(cost: Sequence[float], value: Sequence[float]) -> np.ndarray:
    """Mask of the points no other point beats: cheaper-or-equal and better-or-equal with
    one strictly (``value`` larger is better)."""
    cost_a, value_a = np.asarray(cost, float), np.asarray(value, float)
    keep = np.ones(len(cost_a), bool)
    for i in range(len(cost_a)):
        dominated = (
            (cost_a <= cost_a[i])
            & (value_a >= value_a[i])
            & ((cost_a < cost_a[i]) | (value_a > value_a[i]))
        )
        keep[i] = not dominated.any() and not np.isnan(value_a[i])
    return keep


def candidates_table(search: Search, kpi: str, confidence: float) -> pd.DataFrame:
    """One row per evaluated portfolio: initiatives, cost, the KPI's mean and CI, whether
    it is on the cost-KPI frontier; best first."""
    rows = []
    for name, candidate in search.candidates.items():
        interval = t_interval(search.values[name], confidence)
        rows.append(
            {
                "portfolio": name,
                "initiatives": len(candidate.members),
                "total_spend": candidate.total_spend,
                "pv_spend": candidate.pv_spend,
                "kpi": kpi,
                "n": interval.n,
                "mean": interval.mean,
                "sd": interval.sd,
                "ci_low": interval.low,
                "ci_high": interval.high,
            }
        )
    table = pd.DataFrame(rows)
    signed = search.sign * table["mean"]
    table["on_frontier"] = pareto_frontier(table["pv_spend"], signed)
    table = table.assign(_score=signed).sort_values(
        ["_score", "pv_spend"], ascending=[False, True], na_position="last", kind="stable"
    )
    return table.drop(columns="_score").reset_index(drop=True)


def best_portfolio(search: Search, table: pd.DataFrame, confidence: float) -> dict[str, Any]:
    """The best evaluated portfolio with its CI, and paired differences (CRN) against no
    initiatives and against the runner-up."""
    best = table.iloc[0]
    members = search.candidates[best["portfolio"]].members
    result: dict[str, Any] = {
        "portfolio": best["portfolio"],
        "initiatives": [search.menu.names[i] for i in members],
        "pv_spend": float(best["pv_spend"]),
        "mean": float(best["mean"]),
        "ci_low": float(best["ci_low"]),
        "ci_high": float(best["ci_high"]),
        "n": int(best["n"]),
    }
    runner_up = table.iloc[1]["portfolio"] if len(table) > 1 else None
    for label, other in (("vs_none", EMPTY_NAME), ("vs_runner_up", runner_up)):
        if other is None or other == best["portfolio"] or other not in search.values:
            continue
        gap = paired_interval(search.values[best["portfolio"]], search.values[other], confidence)
        result[label] = {
            "other": other,
            "difference": gap.mean,
            "ci_low": gap.low,
            "ci_high": gap.high,
            "significant": gap.excludes_zero,
        }
    return result


@dataclass
class SearchResult:
    """What a search found. ``method``: ``"exhaustive"`` or ``"heuristic"``; ``feasible``:
    number of feasible portfolios (None when there were too many to enumerate);
    ``table``: every evaluated portfolio (see :func:`candidates_table`); ``best``: see
    :func:`best_portfolio`; ``infeasible``: subsets rejected, by reason; ``runs``: the
    runs table of all evaluations."""

    method: str
    feasible: int | None
    table: pd.DataFrame
    best: dict[str, Any]
    infeasible: dict[str, int]
    runs: pd.DataFrame


def search_portfolios(
    menu: Menu,
    seeds: Sequence[int],
    execute: Callable[[Plan], BatchResult],
    *,
    kpi: str = "npv",
    direction: Direction = "max",
    confidence: float = 0.95,
    max_evaluations: int = 64,
    max_enumerate: int = 4096,
    search_seed: int = 0,
) -> SearchResult:
    """Search the menu (see the module docstring). ``execute`` runs a plan (through the
    experiment engine, with its backend and store) and returns its batch result."""
    batches: list[pd.DataFrame] = []

    def evaluate(candidates: list[Candidate]) -> dict[str, np.ndarray]:
        batch = execute(Plan([c.cell() for c in candidates], list(seeds)))
        batches.append(batch.runs)
        matrix = seed_matrix(batch.runs, kpi, [c.name for c in candidates])
        return {name: matrix[name].to_numpy() for name in matrix.columns}

    feasible = menu.feasible_subsets(max(max_enumerate, max_evaluations))
    search = Search(menu, evaluate, max_evaluations, direction, search_seed)
    if feasible is not None and len(feasible) <= max_evaluations:
        method = "exhaustive"
        search.evaluate(feasible)
    else:
        method = "heuristic"
        search.run_heuristic()
    table = candidates_table(search, kpi, confidence)
    runs = pd.concat(batches, ignore_index=True) if batches else pd.DataFrame()
    return SearchResult(
        method=method,
        feasible=None if feasible is None else len(feasible),
        table=table,
        best=best_portfolio(search, table, confidence),
        infeasible=dict(menu.infeasible_reasons),
        runs=runs,
    )
