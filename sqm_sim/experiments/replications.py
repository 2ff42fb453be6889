"""Replications of one configuration: per-KPI mean, standard deviation and t interval.

:func:`replicate` runs a fixed number of replications (seeds ``first_seed, first_seed + 1,
...``); :func:`replicate_until` adds replications in batches until the chosen KPI's CI
half-width is within a relative precision of its mean, or a cap is reached (see
:mod:`sqm_sim.experiments.sequential`). Both run through the experiment engine, so any
backend and results store can be used.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pandas as pd

from ..config import Config
from ..run import simulate
from .backends import Backend
from .engine import BatchResult, run_plan
from .plan import Cell, Plan, seed_range
from .sequential import SequentialOutcome, SequentialRule, run_sequential
from .spec import DEFAULT_KPIS
from .store import MemoryStore, Store
from .summaries import check_kpis, kpi_summary, seed_matrix
from .worker import RunFunction


@dataclass
class Replications:
    """Replications of one config: ``table`` (one row per KPI: n, mean, sd, ci_low,
    ci_high, half_width, relative_half_width), the ``batch`` of runs, and, for sequential
    replication, the ``sequential`` outcome."""

    table: pd.DataFrame
    batch: BatchResult
    sequential: SequentialOutcome | None = None


def _plan(config: Config, seeds: Sequence[int]) -> Plan:
    return Plan([Cell(config.name, {"scenario": config.name}, config)], seeds)


def _table(batch: BatchResult, kpis: Sequence[str], confidence: float) -> pd.DataFrame:
    table = kpi_summary(batch.runs, kpis, confidence)
    return table.drop(columns=["cell"]).reset_index(drop=True)


def run_until_precise(
    plan: Plan,
    first_seed: int,
    rule: SequentialRule,
    execute: Callable[[Plan], BatchResult],
) -> tuple[SequentialOutcome, BatchResult]:
    """Run ``plan``'s cells on ``rule.initial`` seeds from ``first_seed``, then ``rule.batch``
    more at a time, until ``rule`` is met or its cap is reached; ``execute`` runs a plan
    (finished runs are skipped by the store). Returns the outcome and the last batch."""
    batches: list[BatchResult] = []

    def evaluate(replications: int) -> dict[str, object]:
        seeded = plan.with_seeds(seed_range(first_seed, replications))
        batches.append(execute(seeded))
        matrix = seed_matrix(batches[-1].runs, rule.kpi, [c.name for c in seeded.cells])
        return {cell: matrix[cell].to_numpy() for cell in matrix.columns}

    outcome = run_sequential(evaluate, rule)
    return outcome, batches[-1]


def replicate(
    config: Config,
    replications: int = 10,
    *,
    first_seed: int = 1,
    kpis: Sequence[str] = DEFAULT_KPIS,
    confidence: float = 0.95,
    backend: Backend | None = None,
    store: Store | None = None,
    quiet: bool = True,
    run: RunFunction = simulate,
) -> Replications:
    """Run ``replications`` replications of ``config`` and summarise ``kpis``."""
    kpis = check_kpis(list(kpis))
    batch = run_plan(
        _plan(config, seed_range(first_seed, replications)),
        backend=backend,
        store=store,
        quiet=quiet,
        run=run,
    )
    return Replications(_table(batch, kpis, confidence), batch)


def replicate_until(
    config: Config,
    kpi: str,
    relative_precision: float,
    *,
    initial: int = 10,
    batch: int = 5,
    max_replications: int = 100,
    first_seed: int = 1,
    kpis: Sequence[str] = DEFAULT_KPIS,
    confidence: float = 0.95,
    backend: Backend | None = None,
    store: Store | None = None,
    quiet: bool = True,
    run: RunFunction = simulate,
) -> Replications:
    """Add replications of ``config`` (``initial``, then ``batch`` at a time, at most
    ``max_replications``) until ``kpi``'s CI half-width is at most ``relative_precision``
    times its mean's magnitude."""
    kpis = check_kpis(list(dict.fromkeys([kpi, *kpis])))
    rule = SequentialRule(kpi, relative_precision, initial, batch, max_replications, confidence)
    store = store if store is not None else MemoryStore()

    def execute(plan: Plan) -> BatchResult:
        return run_plan(plan, backend=backend, store=store, quiet=quiet, run=run)

    outcome, last = run_until_precise(_plan(config, [first_seed]), first_seed, rule, execute)
    return Replications(_table(last, kpis, confidence), last, outcome)
