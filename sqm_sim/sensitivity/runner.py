"""Running a sensitivity analysis: prepare, run through the experiment engine, analyse.

:func:`prepare_sensitivity` finds every input error before a run starts (scenario,
portfolio, size, overrides, parameter space, KPIs, method size, every design point's
config). :func:`run_sensitivity` then runs the design with ``replications`` common seeds
per point, and the noise points with more seeds, through
:func:`sqm_sim.experiments.engine.run_plan` (same backends, results store, progress, resume
and failure records as every experiment), and analyses the stored runs with SALib.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..config import Config, ConfigError
from ..experiments.backends import Backend
from ..experiments.engine import run_plan
from ..experiments.plan import Plan, check_run_count, seed_range
from ..experiments.store import Store, open_store
from ..experiments.summaries import check_kpis
from ..experiments.worker import RunFunction
from ..portfolios import with_portfolio
from ..run import simulate
from ..scenarios import load_scenario
from ..scenarios.sizes import at_size
from . import methods
from .analysis import (
    IncompleteDesignError,
    convergence_table,
    noise_table,
    point_outputs,
    ranking,
    tornado_table,
)
from .design import Design, one_at_a_time_design, sampled_design
from .space import ParameterSpace, default_space, load_space
from .spec import SensitivitySpec

RESULTS_KIND = "sensitivity"
"""``kind`` written into the manifest of a sensitivity results folder."""


@dataclass
class PreparedSensitivity:
    """A sensitivity analysis ready to run: the base config, the space and the design."""

    spec: SensitivitySpec
    base: Config
    space: ParameterSpace
    design: Design
    kpis: list[str]
    left_out: list[str] = field(default_factory=list)
    """Keys of the default space left out because the base's posterior draws them."""

    @property
    def seeds(self) -> list[int]:
        """Seeds of every design point (common random numbers)."""
        return seed_range(self.spec.first_seed, self.spec.replications)

    @property
    def noise_cells(self) -> list:
        """Design points replicated to measure noise: evenly spread over the design."""
        if self.spec.method == "oat" or self.spec.noise_points == 0:
            return []
        count = min(self.spec.noise_points, self.design.size)
        picks = np.unique(np.linspace(0, self.design.size - 1, count).round().astype(int))
        return [self.design.cells[i] for i in picks]

    @property
    def noise_seeds(self) -> list[int]:
        """Seeds of the noise points (the first ones are the design's own)."""
        count = max(self.spec.noise_replications, self.spec.replications)
        return seed_range(self.spec.first_seed, count)

    @property
    def total_runs(self) -> int:
        """Runs of the design plus the extra runs of the noise points."""
        extra = len(self.noise_cells) * (len(self.noise_seeds) - len(self.seeds))
        return self.design.size * len(self.seeds) + extra


def _local(source: str, base_dir: Path | None) -> str:
    if base_dir is None or Path(source).is_absolute():
        return source
    candidate = base_dir / source
    return str(candidate) if candidate.is_file() else source


def _space(
    spec: SensitivitySpec, base_dir: Path | None, base: Config
) -> tuple[ParameterSpace, list[str]]:
    """The analysis' space and the keys of the default space left out because a
    calibrated base draws them from its posterior in every run (varying them would be
    overridden by the draw). A space the user gave that holds such a key is refused."""
    drawn = set(base.posterior.parameters) if base.posterior is not None else set()
    if spec.space == "default":
        space = default_space(base)
        left_out = [key for key in space.keys if key in drawn]
        return (space.without(left_out) if left_out else space), left_out
    if isinstance(spec.space, list):
        space = ParameterSpace(spec.space, base)
    else:
        space = load_space(_local(spec.space, base_dir), base)
    clash = [key for key in space.keys if key in drawn]
    if clash:
        verb = "is" if len(clash) == 1 else "are"
        raise ConfigError(
            f"parameter space: {', '.join(clash)} {verb} drawn from the posterior of the "
            f"calibrated scenario '{base.name}' in every run, so it cannot be varied; leave "
            "it out of the space (the posterior's spread is already in every run), or "
            "analyse the uncalibrated profile"
        )
    return space, []


def base_config(spec: SensitivitySpec, base_dir: Path | None = None) -> Config:
    """The scenario with its portfolio, at the run size, with the overrides."""
    config = load_scenario(_local(spec.scenario, base_dir))
    if spec.portfolio is not None:
        config = with_portfolio(config, _local(spec.portfolio, base_dir))
    config = at_size(config, spec.size)
    return config.with_overrides(spec.overrides) if spec.overrides else config


def prepare_sensitivity(spec: SensitivitySpec, base_dir: Path | None = None) -> PreparedSensitivity:
    """Check everything and build the design (see the module docstring)."""
    kpis = check_kpis(spec.kpis)
    base = base_config(spec, base_dir)
    space, left_out = _space(spec, base_dir, base)  # initiative keys name the base's
    options = spec.method_options()
    if spec.method != "oat":
        methods.check_size(spec.method, spec.size_n, len(space), options)
        points = methods.runs_per_replication(spec.method, spec.size_n, len(space), options)
        check_run_count(
            points * spec.replications,
            f"{spec.method} with n = {spec.size_n} over {len(space)} parameters "
            f"({points:,} design points x {spec.replications} replications)",
        )  # before the design is built: a huge n exhausted memory building it
    if spec.method == "oat":
        design = one_at_a_time_design(base, space)
    else:
        design = sampled_design(base, space, spec.method, spec.size_n, spec.sample_seed, options)
    return PreparedSensitivity(spec, base, space, design, kpis, left_out)


@dataclass
class SensitivityOutcome:
    """What a sensitivity analysis produced. ``indices`` (tidy: kpi, parameter, index,
    value, ci_low, ci_high), ``ranking``, ``convergence`` and ``noise`` are empty for a
    one-at-a-time design, which has ``tornado`` instead. ``error`` explains why no indices
    could be computed (failed runs); the runs are in the store either way."""

    prepared: PreparedSensitivity
    runs: pd.DataFrame
    points: pd.DataFrame = field(default_factory=pd.DataFrame)
    indices: pd.DataFrame = field(default_factory=pd.DataFrame)
    ranking: pd.DataFrame = field(default_factory=pd.DataFrame)
    convergence: pd.DataFrame = field(default_factory=pd.DataFrame)
    noise: pd.DataFrame = field(default_factory=pd.DataFrame)
    tornado: pd.DataFrame = field(default_factory=pd.DataFrame)
    ran: int = 0
    skipped: int = 0
    wall_time_s: float = 0.0
    out: Path | None = None
    error: str | None = None

    @property
    def spec(self) -> SensitivitySpec:
        """The analysis' spec."""
        return self.prepared.spec

    @property
    def failures(self) -> pd.DataFrame:
        """Failed runs (cell, labels, seed, error, traceback)."""
        if self.runs.empty:
            return self.runs
        return self.runs[self.runs["status"] == "failed"].reset_index(drop=True)

    @property
    def failed(self) -> int:
        """Number of failed runs."""
        return len(self.failures)


def _store(prepared: PreparedSensitivity, out: Path | None, base_dir: Path | None) -> Store:
    return open_store(out, prepared.spec, base_dir, RESULTS_KIND, space=prepared.space.describe())


def run_sensitivity(
    spec: SensitivitySpec,
    *,
    prepared: PreparedSensitivity | None = None,
    base_dir: Path | None = None,
    out: str | Path | None = None,
    backend: Backend | None = None,
    chunk_size: int | None = None,
    quiet: bool = True,
    run: RunFunction = simulate,
    on_chunk: Callable[[list[Any]], Any] | None = None,
) -> SensitivityOutcome:
    """Run and analyse ``spec`` (see the module docstring). ``out``: results folder (rerun
    to resume; a larger ``n`` reuses the runs whose point is unchanged); ``run``: the run
    function (``sqm_sim.simulate``; tests pass plain functions of the config). The results
    folder is locked while the runs are written: a second writer is refused with a
    :class:`ConfigError` before it runs anything."""
    clock = time.perf_counter()
    prepared = prepared or prepare_sensitivity(spec, base_dir)
    out_path = Path(out) if out is not None else None
    store = _store(prepared, out_path, base_dir)
    engine = {
        "backend": backend,
        "store": store,
        "chunk_size": chunk_size,
        "run": run,
        "keep_timeseries": spec.keep_timeseries,
        "quiet": quiet,
        "on_chunk": on_chunk,
    }
    with store.locked():  # one writer per results folder, as for every experiment
        design_plan = Plan(prepared.design.cells, prepared.seeds)
        batch = run_plan(design_plan, description=f"{spec.method} design", **engine)
        ran = batch.ran
        noise_runs = pd.DataFrame()
        if prepared.noise_cells:
            noise_plan = Plan(prepared.noise_cells, prepared.noise_seeds)
            noise_batch = run_plan(noise_plan, description="noise points", **engine)
            ran += noise_batch.ran
            noise_runs = noise_batch.runs
        store.finish("complete")
    reused = prepared.total_runs - ran  # found on disk (noise points reuse design runs)
    outcome = SensitivityOutcome(prepared, batch.runs, ran=ran, skipped=reused, out=out_path)
    try:
        analyse_outcome(outcome, noise_runs)
    except IncompleteDesignError as exc:
        outcome.error = str(exc)
    outcome.wall_time_s = time.perf_counter() - clock
    return outcome


def analyse_outcome(outcome: SensitivityOutcome, noise_runs: pd.DataFrame) -> None:
    """Fill the outcome's tables from its runs."""
    prepared, spec = outcome.prepared, outcome.spec
    points = point_outputs(prepared.design, outcome.runs, prepared.kpis)
    values = pd.DataFrame(prepared.design.values, columns=prepared.space.keys)
    outcome.points = pd.concat(
        [points[["cell", "replications"]], values, points[prepared.kpis]], axis=1
    )
    if spec.method == "oat":
        outcome.tornado = tornado_table(
            prepared.design, prepared.space, outcome.runs, prepared.kpis, spec.confidence
        )
        return
    outputs = {kpi: points[kpi].to_numpy() for kpi in prepared.kpis}
    problem = prepared.space.unit_problem()
    indices = methods.analyse(
        spec.method, problem, prepared.design.unit, outputs, spec.method_options(), spec.sample_seed
    )
    labels = dict(zip(prepared.space.keys, prepared.space.names, strict=True))
    indices.insert(2, "label", indices["parameter"].map(labels).fillna(indices["parameter"]))
    outcome.indices = indices
    outcome.ranking = ranking(indices, spec.method)
    outcome.convergence = convergence_table(
        indices, spec.method, spec.size_n, spec.ci_target, prepared.kpis
    )
    outcome.noise = noise_table(points, noise_runs, prepared.kpis, spec.replications)


def refined(spec: SensitivitySpec, convergence: pd.DataFrame) -> SensitivitySpec:
    """``spec`` with the ``n`` the convergence check suggests (the largest over KPIs), to be
    rerun into the same results folder: unchanged points are reused, new ones run."""
    if convergence.empty:
        raise ConfigError("nothing to refine: the analysis has no convergence table")
    suggested = int(convergence["suggested_n"].max())
    if suggested <= spec.size_n:
        suggested = spec.size_n * 2
    data = spec.model_dump()
    data["n"] = suggested
    return SensitivitySpec.model_validate(data)
