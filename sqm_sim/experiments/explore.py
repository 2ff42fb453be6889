"""Exploration: candidate portfolios over many drawn futures, where each fails, which is robust.

An exploration file (``sqm-sim explore FILE``) is TOML data::

    name = "explore_baseline"
    description = "..."
    scenario = "baseline"            # shipped name or TOML path
    size = "quick"                   # full | quick (sqm_sim.scenarios.sizes)
    overrides = { "simulation.horizon_months" = 12 }   # every future, before the factors
    portfolios = ["none", "process_first", "balanced"] # candidates (shipped names, paths)
    samples = 40                     # futures drawn (Latin hypercube)
    sample_seed = 1
    replications = 2                 # common seeds per future and portfolio
    first_seed = 1
    kpi = "npv"                      # the KPI the goal and the robust views judge
    confidence = 0.95

    [goal]                           # a portfolio *fails* in a future when ...
    metric = "incremental"           # ... its KPI minus the reference's is below threshold,
    threshold = 0.0                  #     or ("regret") its regret exceeds threshold
    reference = "none"               # the "incremental" reference (added if not listed)
    portfolios = ["balanced"]        # whose failures to explain (default: all candidates
                                     # but the reference)

    [prim]                           # optional: PRIM settings (sqm_sim.experiments.discovery)
    peel_alpha = 0.05
    paste_alpha = 0.05
    mass_min = 0.05
    min_density = 0.8

    [[factors]]                      # the uncertain factors: dotted keys with ranges
    key = "environment.competitor_quality_trend_per_year"
    low = 0.0
    high = 0.06
    [[factors]]
    key = "portfolio.capability_project.cpk_gain"      # an initiative's field, by name:
    low = 0.0                                          # set in every candidate holding
    high = 0.3                                         # that initiative
    [execution]                      # optional: backend, workers, chunk_size

Futures are a Latin hypercube over the factors (:func:`~sqm_sim.experiments.designs.
latin_hypercube_points`; ``integer`` and ``log`` as in experiment files); each is applied
to every candidate after the size and the overrides, so factor values are those of the run
(a money factor is not scaled by the ``quick`` size). Every cell (future x portfolio) runs
the same seeds (common random numbers) through :func:`~sqm_sim.experiments.engine.run_plan`
into a results folder (resume, backends, the folder's lock). The analysis averages the KPI
over the seeds per cell, decides per future whether each portfolio fails, and runs
:mod:`~sqm_sim.experiments.discovery` (PRIM, CART) and :mod:`~sqm_sim.experiments.robust`.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import Field, ValidationError, field_validator

from ..config import Config, ConfigError
from ..config.errors import problem_list
from ..config.files import read_toml
from ..config.keys import initiative_field, parameter_info
from ..run import simulate
from ..run.posterior import uncertainty_note
from ..scenarios import load_scenario
from ..scenarios.sizes import at_size
from .backends import Backend
from .comparison import NO_PORTFOLIO, PortfolioChoice, apply_portfolio
from .designs import Factor, latin_hypercube_points
from .discovery import cart_rules, prim_box
from .engine import run_plan
from .plan import Cell, Plan, check_run_count, seed_range
from .robust import choices, robust_table
from .spec import Execution, StrictSpec, check_folder_name, suggest_fields, validation_problems
from .store import Store, open_store
from .summaries import Direction, check_kpis, default_direction, seed_matrix
from .worker import RunFunction

RESULTS_KIND = "exploration"
"""``kind`` written into the manifest of an exploration's results folder."""


class FactorSpec(StrictSpec):
    """An uncertain factor: a dotted config key (or ``portfolio.<initiative>.<field>``)
    with the range its futures are drawn from, in the key's unit."""

    key: str
    low: float
    high: float
    integer: bool = False
    log: bool = False
    label: str | None = None


class GoalSpec(StrictSpec):
    """When a portfolio fails in a future (see the module docstring)."""

    metric: Literal["incremental", "regret"] = "incremental"
    threshold: float = 0.0
    reference: str = NO_PORTFOLIO
    portfolios: list[str] | None = None


class PrimSpec(StrictSpec):
    """PRIM's settings (see :func:`~sqm_sim.experiments.discovery.prim_box`)."""

    peel_alpha: float = Field(0.05, gt=0.0, lt=0.5)
    paste_alpha: float = Field(0.05, gt=0.0, lt=0.5)
    mass_min: float = Field(0.05, gt=0.0, lt=1.0)
    min_density: float = Field(0.8, gt=0.0, le=1.0)
    cart_depth: int = Field(3, ge=1, le=8)


class ExploreSpec(StrictSpec):
    """A validated exploration (see the module docstring)."""

    name: str = "explore"
    description: str = ""
    scenario: str = "baseline"
    size: Literal["full", "quick"] = "quick"
    overrides: dict[str, Any] = Field(default_factory=dict)
    portfolios: list[str]
    samples: int = Field(40, ge=2, le=100_000)
    sample_seed: int = Field(0, ge=0)
    replications: int = Field(1, ge=1, le=1000)
    first_seed: int = Field(1, ge=0)
    kpi: str = "npv"
    direction: Literal["max", "min"] | None = None
    confidence: float = Field(0.95, gt=0.0, lt=1.0)
    goal: GoalSpec = Field(default_factory=GoalSpec)
    prim: PrimSpec = Field(default_factory=PrimSpec)
    factors: list[FactorSpec]
    keep_timeseries: bool = False
    execution: Execution = Field(default_factory=Execution)

    @field_validator("name")
    @classmethod
    def _name_is_a_folder_name(cls, value: str) -> str:
        return check_folder_name(value)

    @field_validator("portfolios")
    @classmethod
    def _some_portfolios(cls, value: list[str]) -> list[str]:
        if not value:
            raise ValueError("empty design: list at least one candidate portfolio")
        return value

    @field_validator("factors")
    @classmethod
    def _some_factors(cls, value: list[FactorSpec]) -> list[FactorSpec]:
        if not value:
            raise ValueError("empty design: list at least one [[factors]] table")
        return value

    def experiment_id(self) -> str:
        """What a results folder is bound to: name, scenario, size, overrides, factors and
        the sampler's seed (more samples, seeds or portfolios reuse the runs still valid)."""
        identity = [
            self.name,
            RESULTS_KIND,
            self.scenario,
            self.size,
            self.overrides,
            [f.model_dump() for f in self.factors],
            self.sample_seed,
        ]
        canonical = json.dumps(identity, sort_keys=True, default=str)
        return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def parse_explore(data: dict[str, Any], origin: str = "exploration") -> ExploreSpec:
    """Validate exploration data; :class:`ConfigError` listing every problem otherwise."""
    try:
        return ExploreSpec.model_validate(data)
    except ValidationError as exc:
        problems = suggest_fields(validation_problems(exc), list(ExploreSpec.model_fields))
        raise problem_list(f"invalid exploration ({origin}):", problems) from None


def load_explore(path: str | Path) -> tuple[ExploreSpec, Path]:
    """Read and validate an exploration file; the spec and its folder."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"exploration file not found: {path}")
    data = read_toml(path)
    data.setdefault("name", path.stem)
    return parse_explore(data, f"file {path}"), path.parent


@dataclass
class PreparedExplore:
    """An exploration ready to run: candidates' configs, factors, futures and the plan."""

    spec: ExploreSpec
    portfolios: list[str]
    goal_portfolios: list[str]
    factors: list[Factor]
    units: dict[str, str]
    futures: pd.DataFrame
    plan: Plan
    direction: Direction

    @property
    def runs(self) -> int:
        """Number of runs of the plan."""
        return self.plan.size


def _local(source: str, base_dir: Path | None) -> str:
    if base_dir is None or Path(source).is_absolute():
        return source
    candidate = base_dir / source
    return str(candidate) if candidate.is_file() else source


def _check_factor(factor: FactorSpec, bases: dict[str, Config]) -> str:
    """The factor's unit; :class:`ConfigError` naming the key, the value and what is
    allowed for an unknown key, a non-numeric one, or an empty range."""
    if not factor.low < factor.high:
        raise ConfigError(
            f"factor '{factor.key}': low = {factor.low:g} must be below high = "
            f"{factor.high:g} (empty or inverted range)"
        )
    if factor.key.startswith("portfolio."):
        holders = []
        problems = []
        for name, config in bases.items():
            data = config.portfolio.model_dump(mode="json", exclude_none=True)
            try:
                if initiative_field(data, factor.key) is not None:
                    holders.append(name)
            except ConfigError as exc:
                problems.append(str(exc))
        if not holders:
            names = sorted({i.name for c in bases.values() for i in c.portfolio.initiatives})
            raise ConfigError(
                f"factor '{factor.key}': no candidate portfolio holds that initiative field "
                f"(their initiatives: {', '.join(names) or 'none'}; keys "
                "portfolio.<initiative name>.<field>)"
                + (f"; {problems[0]}" if problems and "has no numeric field" in problems[0] else "")
            )
        holder = bases[holders[0]]
    else:
        holder = next(iter(bases.values()))
        try:
            holder.with_overrides({factor.key: factor.low})
        except ConfigError as exc:
            if "unknown key" in str(exc) or "drawn from the posterior" in str(exc):
                raise ConfigError(f"factor {str(exc).removeprefix('invalid override: ')}") from None
    info = parameter_info(holder, factor.key)
    if info is None or info.type_name not in {"float", "int"}:
        shown = "a list" if info is not None and "Ellipsis" in info.type_name else None
        kind = "unknown" if info is None else shown or f"of type {info.type_name}"
        raise ConfigError(
            f"factor '{factor.key}' is {kind}: only numeric keys (float or int) can be "
            "uncertain factors (`sqm-sim params` lists them)"
        )
    for which, value in (("low", factor.low), ("high", factor.high)):
        if not _within(info, value):
            raise ConfigError(
                f"factor '{factor.key}': {which} = {value:g} is outside the key's range "
                f"({info.range_text()}, unit: {info.unit})"
            )
    return info.unit


def _within(info: Any, value: float) -> bool:
    """Whether ``value`` lies in the schema's range of a parameter."""
    lower_ok = info.lower is None or (
        value >= info.lower if info.lower_inclusive else value > info.lower
    )
    upper_ok = info.upper is None or (
        value <= info.upper if info.upper_inclusive else value < info.upper
    )
    return bool(lower_ok and upper_ok)


def prepare_explore(spec: ExploreSpec, base_dir: Path | None = None) -> PreparedExplore:
    """Check everything and build the plan before any run (unknown scenario, portfolio,
    factor key, empty range, goal portfolio, KPI, any future's invalid config)."""
    check_kpis([spec.kpi], "kpi")
    direction: Direction = spec.direction or default_direction(spec.kpi)
    base = load_scenario(_local(spec.scenario, base_dir))
    names = list(dict.fromkeys(spec.portfolios))
    if spec.goal.metric == "incremental" and spec.goal.reference not in names:
        names.append(spec.goal.reference)
    bases: dict[str, Config] = {}
    for source in names:
        config, label = apply_portfolio(base, PortfolioChoice(_local(source, base_dir)))
        config = at_size(config, spec.size)  # after the portfolio: its costs scale too
        if spec.overrides:
            try:
                config = config.with_overrides(spec.overrides)
            except ConfigError as exc:
                raise ConfigError(f"overrides with portfolio '{label}': {exc}") from None
        bases[label] = config
    labels = list(bases)
    goal = spec.goal.portfolios
    if goal is None:
        goal = [p for p in labels if spec.goal.metric != "incremental" or p != spec.goal.reference]
    unknown = [p for p in goal if p not in labels]
    if unknown:
        raise ConfigError(
            f"goal.portfolios: unknown portfolio {unknown[0]!r} (allowed: the candidates "
            f"{', '.join(labels)})"
        )
    keys = [f.key for f in spec.factors]
    twice = sorted({k for k in keys if keys.count(k) > 1})
    if twice:
        raise ConfigError(f"factors: key(s) listed more than once: {twice}")
    units = {f.key: _check_factor(f, bases) for f in spec.factors}
    factors = [Factor(f.key, None, f.low, f.high, f.integer, f.log) for f in spec.factors]
    points = latin_hypercube_points(factors, spec.samples, spec.sample_seed)
    check_run_count(
        len(points) * len(bases) * spec.replications,
        f"{len(points)} futures x {len(bases)} portfolios x {spec.replications} replications",
    )
    cells = []
    for number, point in enumerate(points):
        for portfolio, config in bases.items():
            own = {
                key: value
                for key, value in point.items()
                if not key.startswith("portfolio.")
                or any(
                    i.name == key.split(".", 1)[1].rsplit(".", 1)[0]
                    for i in config.portfolio.initiatives
                )
            }
            try:
                future = config.with_overrides(own)
            except ConfigError as exc:
                values = ", ".join(f"{k}={v!r}" for k, v in own.items())
                raise ConfigError(f"future {number} ({values}) with '{portfolio}': {exc}") from None
            cell_labels = {"future": number, "portfolio": portfolio, **point}
            cells.append(Cell(f"f{number:04d}|{portfolio}", cell_labels, future))
    futures = pd.DataFrame(points)
    futures.insert(0, "future", np.arange(len(points)))
    plan = Plan(cells, seed_range(spec.first_seed, spec.replications))
    return PreparedExplore(spec, labels, goal, factors, units, futures, plan, direction)


@dataclass
class ExploreOutcome:
    """What an exploration produced: the runs, ``tables`` by name (``futures``, ``values``,
    ``failures``, ``trajectory``, ``boxes``, ``cart``, ``robust``, ``failed_runs``) and
    ``facts`` (settings, counts, each portfolio's box and the robust choices)."""

    prepared: PreparedExplore
    runs: pd.DataFrame
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    facts: dict[str, Any] = field(default_factory=dict)
    out: Path | None = None

    @property
    def failed(self) -> int:
        """Number of failed runs."""
        if self.runs.empty:
            return 0
        return int((self.runs["status"] == "failed").sum())


def _store(prepared: PreparedExplore, out: Path | None, base_dir: Path | None) -> Store:
    factors = [{**f.model_dump(), "unit": prepared.units[f.key]} for f in prepared.spec.factors]
    return open_store(out, prepared.spec, base_dir, RESULTS_KIND, factors=factors)


def run_explore(
    spec: ExploreSpec,
    *,
    prepared: PreparedExplore | None = None,
    base_dir: Path | None = None,
    out: str | Path | None = None,
    backend: Backend | None = None,
    chunk_size: int | None = None,
    quiet: bool = True,
    run: RunFunction = simulate,
    on_chunk: Callable[[list[Any]], Any] | None = None,
) -> ExploreOutcome:
    """Run and analyse ``spec`` (see the module docstring). ``out``: results folder (locked
    while written; rerun to resume)."""
    clock = time.perf_counter()
    prepared = prepared or prepare_explore(spec, base_dir)
    out_path = Path(out) if out is not None else None
    store = _store(prepared, out_path, base_dir)
    with store.locked():
        batch = run_plan(
            prepared.plan,
            backend=backend,
            store=store,
            chunk_size=chunk_size or spec.execution.chunk_size,
            run=run,
            keep_timeseries=spec.keep_timeseries,
            quiet=quiet,
            description=f"{spec.name} futures",
            on_chunk=on_chunk,
        )
        if store.path is not None:
            store.compact()
        store.finish("complete" if not batch.failed else "complete with failures")
    outcome = ExploreOutcome(prepared, batch.runs, out=out_path)
    outcome.tables, outcome.facts = analyse_explore(prepared, batch.runs)
    outcome.facts.update(
        ran=batch.ran,
        skipped=batch.skipped,
        wall_time_s=round(time.perf_counter() - clock, 3),
        run_time_s=round(batch.wall_time_s, 3),
    )
    return outcome


def cell_values(prepared: PreparedExplore, runs: pd.DataFrame) -> pd.DataFrame:
    """The KPI's mean over the seeds per future (rows) and portfolio (columns)."""
    kpi = prepared.spec.kpi
    matrix = seed_matrix(runs, kpi, [cell.name for cell in prepared.plan.cells])
    means = matrix.mean(axis=0, skipna=True)
    table = pd.DataFrame(index=prepared.futures["future"], columns=prepared.portfolios, dtype=float)
    for cell in prepared.plan.cells:
        table.loc[cell.labels["future"], cell.labels["portfolio"]] = means[cell.name]
    return table


def failure_flags(prepared: PreparedExplore, values: pd.DataFrame) -> pd.DataFrame:
    """Per future and portfolio: True where it misses the goal (NaN where not judged: the
    reference itself under the incremental goal, or a future without a value)."""
    goal = prepared.spec.goal
    sign = 1.0 if prepared.direction == "max" else -1.0
    signed = sign * values
    if goal.metric == "incremental":
        margin = signed.sub(signed[goal.reference], axis=0)
        flags = margin < goal.threshold
        flags = flags.astype(object).where(margin.notna())
        flags[goal.reference] = np.nan
    else:
        regret = -signed.sub(signed.max(axis=1), axis=0)
        flags = (regret > goal.threshold).astype(object).where(regret.notna())
    return flags


def noise_share(prepared: PreparedExplore, runs: pd.DataFrame, portfolio: str) -> float:
    """The share of the spread across futures of ``portfolio``'s goal margin (its KPI minus
    the reference's, averaged over the seeds) that replication noise alone would give: the
    mean within-future variance of the per-seed margin over the replications, divided by
    the variance of the future means. Near 1, the futures differ mostly by chance and no
    box can be trusted: raise ``replications``. NaN with one seed or another goal."""
    spec = prepared.spec
    if spec.replications < 2 or spec.goal.metric != "incremental":
        return float("nan")
    cells = {c.name: c.labels for c in prepared.plan.cells}
    matrix = seed_matrix(runs, spec.kpi, list(cells))
    sign = 1.0 if prepared.direction == "max" else -1.0
    margins = {}
    for name, labels in cells.items():
        if labels["portfolio"] == portfolio:
            reference = f"f{labels['future']:04d}|{spec.goal.reference}"
            margins[labels["future"]] = sign * (matrix[name] - matrix[reference])
    table = pd.DataFrame(margins)  # seeds x futures
    spread = float(table.mean(axis=0).var(ddof=1))
    within = float(table.var(axis=0, ddof=1).mean()) / spec.replications
    return within / spread if spread > 0 else float("nan")


def analyse_explore(
    prepared: PreparedExplore, runs: pd.DataFrame
) -> tuple[dict[str, pd.DataFrame], dict[str, Any]]:
    """The exploration's tables and facts from its runs."""
    spec = prepared.spec
    values = cell_values(prepared, runs)
    flags = failure_flags(prepared, values)
    x = prepared.futures.set_index("future")[[f.key for f in prepared.factors]]
    trajectories, boxes, trees = [], [], []
    box_facts: dict[str, Any] = {}
    for portfolio in prepared.goal_portfolios:
        judged = flags[portfolio].notna()
        fails = flags.loc[judged, portfolio].astype(bool).to_numpy()
        found = prim_box(
            x.loc[judged],
            fails,
            peel_alpha=spec.prim.peel_alpha,
            paste_alpha=spec.prim.paste_alpha,
            mass_min=spec.prim.mass_min,
            min_density=spec.prim.min_density,
        )
        if not found.trajectory.empty:
            trajectories.append(found.trajectory.assign(portfolio=portfolio))
        if found.found:
            boxes.append(found.limits.assign(portfolio=portfolio))
        rules, accuracy = cart_rules(x.loc[judged], fails, max_depth=spec.prim.cart_depth)
        trees.append(rules.assign(portfolio=portfolio))
        box_facts[portfolio] = {
            "found": found.found,
            "reason": found.reason,
            "futures": found.futures,
            "failures": found.failures,
            "step": found.step,
            "coverage": found.coverage,
            "density": found.density,
            "mass": found.mass,
            "cart_accuracy": accuracy,
            "noise_share": noise_share(prepared, runs, portfolio),
        }
    meets = flags.map(lambda v: v if v != v else not v)  # NaN stays NaN
    robust = robust_table(values, meets, prepared.direction, spec.confidence)
    long_values = values.reset_index().melt(
        id_vars="future", var_name="portfolio", value_name=spec.kpi
    )
    long_flags = flags.reset_index().melt(
        id_vars="future", var_name="portfolio", value_name="fails"
    )
    tables = {
        "futures": prepared.futures,
        "values": long_values.merge(long_flags, on=["future", "portfolio"]),
        "trajectory": pd.concat(trajectories, ignore_index=True)
        if trajectories
        else pd.DataFrame(),
        "boxes": pd.concat(boxes, ignore_index=True) if boxes else pd.DataFrame(),
        "cart": pd.concat(trees, ignore_index=True) if trees else pd.DataFrame(),
        "robust": robust,
    }
    ok = runs[runs["status"] == "ok"] if not runs.empty else runs
    if len(ok) < len(runs):
        tables["failed_runs"] = runs[runs["status"] == "failed"][["cell", "seed", "error"]]
    facts: dict[str, Any] = {
        "experiment": spec.name,
        "kind": RESULTS_KIND,
        "description": spec.description,
        "scenario": spec.scenario,
        "size": spec.size,
        "kpi": spec.kpi,
        "direction": prepared.direction,
        "confidence": spec.confidence,
        "goal": spec.goal.model_dump(),
        "prim": spec.prim.model_dump(),
        "portfolios": prepared.portfolios,
        "goal_portfolios": prepared.goal_portfolios,
        "factors": [{**f.model_dump(), "unit": prepared.units[f.key]} for f in spec.factors],
        "futures": len(prepared.futures),
        "replications": spec.replications,
        "seeds": prepared.plan.seeds,
        "parameter_uncertainty": uncertainty_note(
            [cell.config for cell in prepared.plan.cells[: len(prepared.portfolios)]],
            prepared.plan.seeds,
        ),
        "runs": len(runs),
        "failed": int(len(runs) - len(ok)),
        "boxes": box_facts,
        "choices": choices(robust),
    }
    return tables, facts
