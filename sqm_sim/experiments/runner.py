"""Running an experiment end to end: prepare, execute on a backend into a store, analyse.

:func:`run_experiment` is what ``sqm-sim experiment run``, ``compare`` and ``search``
call. It validates everything first (:func:`~sqm_sim.experiments.prepare.prepare`), then
starts the backend, runs the plan (sequentially adding replications if asked; through the
portfolio search for a search) and analyses the runs. It returns data: with an output
folder the runs are in the results store, and :func:`sqm_sim.report.experiment_files.
write_outputs` (called by the command line) writes the tables, ``results.json`` and
``report.md`` beside it.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ..config import Config
from ..run import simulate
from ..run.posterior import uncertainty_note
from .backends import Backend, make_backend
from .comparison import (
    paired_differences,
    rank_cells,
    resolve_reference,
    robustness,
    scenario_groups,
)
from .designs import main_effects, rank_correlations
from .engine import BatchResult, run_plan
from .plan import Plan
from .prepare import Prepared, prepare
from .replications import run_until_precise
from .risk import risk_tables
from .search import search_portfolios
from .sequential import SequentialRule
from .spec import ExperimentSpec, GridDesign
from .store import Store, open_store
from .summaries import failure_counts, kpi_summary
from .tables import label_columns
from .worker import RunFunction, RunRecord


@dataclass
class ExperimentOutcome:
    """Results of an experiment: the runs table, analysis ``tables`` by name (``summary``,
    ``differences``, ``ranking``, ``robustness``, ``main_effects``, ``correlations``,
    ``candidates``, ``frontier``, ``sequential``, ``failures`` as they apply) and ``facts``
    (counts, settings, headline findings)."""

    name: str
    kind: str
    runs: pd.DataFrame
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    facts: dict[str, Any] = field(default_factory=dict)
    out: Path | None = None

    @property
    def failed(self) -> int:
        """Number of failed runs."""
        return int(self.facts.get("failed", 0))


def _store(out: Path | None, spec: ExperimentSpec, base_dir: Path | None) -> Store:
    return open_store(out, spec, base_dir)


def _sequential(
    prepared: Prepared, execute: Callable[[Plan], BatchResult]
) -> tuple[BatchResult, pd.DataFrame, dict[str, Any]]:
    spec = prepared.spec
    rule_spec = spec.sequential
    assert rule_spec is not None
    assert prepared.plan is not None
    kpi = rule_spec.kpi or spec.kpi
    rule = SequentialRule(
        kpi,
        rule_spec.relative_precision,
        rule_spec.initial,
        rule_spec.batch,
        rule_spec.max,
        spec.confidence,
    )
    outcome, last = run_until_precise(prepared.plan, spec.first_seed, rule, execute)
    history = pd.DataFrame(outcome.history)
    facts = {
        "sequential_kpi": kpi,
        "target_relative_half_width": rule.relative_precision,
        "precision_reached": outcome.reached,
        "replications": outcome.replications,
        "max_replications": rule.max_replications,
    }
    return last, history, facts


def analyse(
    prepared: Prepared, runs: pd.DataFrame, timeseries: pd.DataFrame | None = None
) -> dict[str, pd.DataFrame]:
    """The analysis tables for a non-search experiment's runs (``timeseries``: the runs'
    time series, for the worst month of cumulative cash of a comparison)."""
    spec, plan = prepared.spec, prepared.plan
    assert plan is not None
    tables = {"summary": kpi_summary(runs, prepared.kpis, spec.confidence, plan.label_names)}
    if isinstance(spec.design, GridDesign):
        reference_of = resolve_reference(spec.design.reference, plan.cells)
        tables["differences"] = paired_differences(
            runs, prepared.kpis, reference_of, spec.confidence, prepared.directions
        )
        tables.update(risk_tables(prepared, runs, timeseries))
        scenarios = {c.labels["scenario"] for c in plan.cells}
        portfolios = {c.labels["portfolio"] for c in plan.cells}
        if len(scenarios) > 1 and len(portfolios) > 1:
            tables["robustness"] = robustness(tables["summary"], spec.kpi, prepared.direction)
    elif prepared.kind == "factorial":
        tables["main_effects"] = pd.concat(
            [main_effects(runs, kpi, prepared.factors, spec.confidence) for kpi in prepared.kpis],
            ignore_index=True,
        )
    elif prepared.kind == "latin_hypercube":
        keys = [factor.key for factor in prepared.factors]
        tables["correlations"] = pd.concat(
            [rank_correlations(tables["summary"], kpi, keys) for kpi in prepared.kpis],
            ignore_index=True,
        )
    groups = scenario_groups(plan.cells)
    if any(len(cells) > 1 for cells in groups.values()):
        tables["ranking"] = rank_cells(
            runs, spec.kpi, groups, spec.confidence, prepared.direction, spec.adjust
        )
    return tables


def _configs(prepared: Prepared) -> list[Config]:
    """The configurations an experiment runs: its cells', or a search's base (every
    portfolio of a menu shares the base's parameters)."""
    if prepared.plan is not None:
        return [cell.config for cell in prepared.plan.cells]
    return [prepared.menu.base] if prepared.menu is not None else []


def _headline(prepared: Prepared, tables: dict[str, pd.DataFrame]) -> dict[str, Any]:
    facts: dict[str, Any] = {}
    if "ranking" in tables:
        top = tables["ranking"][tables["ranking"]["rank"] == 1]
        facts["best_by_group"] = {
            row.group: {
                "cell": row.cell,
                "mean": row.mean,
                "ci_low": row.ci_low,
                "ci_high": row.ci_high,
            }
            for row in top.itertuples()
        }
    if "robustness" in tables:
        facts["minimax_regret_portfolio"] = str(tables["robustness"].iloc[0]["portfolio"])
    return facts


def run_experiment(
    spec: ExperimentSpec,
    *,
    prepared: Prepared | None = None,
    base_dir: Path | None = None,
    out: str | Path | None = None,
    backend: Backend | None = None,
    chunk_size: int | None = None,
    quiet: bool = False,
    run: RunFunction = simulate,
    on_chunk: Callable[[list[RunRecord]], Any] | None = None,
) -> ExperimentOutcome:
    """Validate, run and analyse ``spec``; see the module docstring.

    ``prepared``: the spec already prepared (else it is prepared here); ``out``: results
    folder (resumable; None keeps everything in memory); ``backend``: a backend to use
    (started and stopped by the caller); without one, the spec's ``[execution]`` decides
    and the backend lives for this call; ``chunk_size``: runs per chunk (default: the
    spec's, else automatic); ``run``, ``on_chunk``: see
    :func:`~sqm_sim.experiments.engine.run_plan`.
    """
    clock = time.perf_counter()
    prepared = prepared or prepare(spec, base_dir)
    if isinstance(spec.design, GridDesign) and prepared.plan is not None:
        resolve_reference(spec.design.reference, prepared.plan.cells)  # fail before running
    out_path = Path(out) if out is not None else None
    store = _store(out_path, spec, base_dir)
    execution = spec.execution
    with contextlib.ExitStack() as stack:
        stack.enter_context(store.locked())
        if backend is None:
            backend = stack.enter_context(
                make_backend(execution.backend, execution.workers, execution.scheduler)
            )

        def execute(plan: Plan) -> BatchResult:
            return run_plan(
                plan,
                backend=backend,
                store=store,
                chunk_size=chunk_size or execution.chunk_size,
                run=run,
                keep_timeseries=spec.keep_timeseries,
                quiet=quiet,
                description=spec.name,
                on_chunk=on_chunk,
            )

        facts: dict[str, Any] = {
            "experiment": spec.name,
            "kind": prepared.kind,
            "description": spec.description,
            "kpi": spec.kpi,
            "direction": prepared.direction,
            "confidence": spec.confidence,
            "rank_by": spec.rank_by,
            "cvar_level": spec.cvar_level,
            "adjust": spec.adjust,
        }
        tables: dict[str, pd.DataFrame]
        if prepared.menu is not None:
            found = search_portfolios(
                prepared.menu,
                prepared.seeds,
                execute,
                kpi=spec.kpi,
                direction=prepared.direction,
                confidence=spec.confidence,
                max_evaluations=spec.design.max_evaluations,  # type: ignore[union-attr]
                max_enumerate=spec.design.max_enumerate,  # type: ignore[union-attr]
                search_seed=spec.design.search_seed,  # type: ignore[union-attr]
            )
            runs = found.runs
            tables = {
                "candidates": found.table,
                "frontier": found.table[found.table["on_frontier"]].sort_values("pv_spend"),
            }
            facts.update(
                search_method=found.method,
                menu=prepared.menu.names,
                budget_per_year=prepared.menu.budget_per_year,
                feasible_portfolios=found.feasible,
                evaluated_portfolios=len(found.table),
                infeasible_subsets=found.infeasible,
                best=found.best,
                replications=len(prepared.seeds),
            )
        else:
            assert prepared.plan is not None
            if spec.sequential:
                batch, history, sequential_facts = _sequential(prepared, execute)
                facts.update(sequential_facts)
            else:
                batch = execute(prepared.plan)
                history = None
                facts["replications"] = len(prepared.seeds)
            runs = batch.runs
            series = batch.timeseries() if spec.keep_timeseries else None
            tables = analyse(prepared, runs, series)
            if history is not None:
                tables["sequential"] = history
            facts.update(_headline(prepared, tables))
        counts = failure_counts(runs)
        facts.update(counts, cells=int(runs["cell"].nunique()) if not runs.empty else 0)
        facts["seeds"] = sorted(int(s) for s in runs["seed"].unique()) if not runs.empty else []
        facts["parameter_uncertainty"] = uncertainty_note(_configs(prepared), facts["seeds"])
        if counts["failed"]:
            failed = runs[runs["status"] == "failed"]
            columns = [
                "run_id",
                "cell",
                *label_columns(runs),
                "seed",
                "config_hash",
                "error",
                "traceback",
            ]
            tables["failures"] = failed[columns].reset_index(drop=True)
        facts["wall_time_s"] = round(time.perf_counter() - clock, 3)
        outcome = ExperimentOutcome(spec.name, prepared.kind, runs, tables, facts, out_path)
        if store.path is not None:
            store.compact()
            store.finish("complete" if not counts["failed"] else "complete with failures")
    return outcome
