"""Experiment files: TOML data describing what to run, validated before anything runs.

An experiment file has a few top-level keys and one ``[design]`` table whose ``type``
selects the kind of experiment::

    name = "quick_compare"              # default: the file name
    description = "..."
    replications = 5                    # or a table for sequential replication (below)
    first_seed = 1                      # seeds first_seed, first_seed + 1, ... (CRN)
    confidence = 0.95
    kpi = "npv"                         # main KPI: ranking, search objective, stopping rule
    kpis = ["npv", "mean_satisfaction"] # KPIs summarised (default: a headline set)
    direction = "max"                   # is more of `kpi` better? default: by KPI
    adjust = "bonferroni"               # ranking: widen intervals for multiple comparisons
    rank_by = "cvar"                    # grid: mean | p5 | p50 | cvar | regret (risk ranking)
    cvar_level = 0.1                    # grid: CVaR = mean of the worst 10 % of replications
    overrides = { "simulation.horizon_months" = 12 }   # applied to every config

    [execution]                         # optional; the command line overrides it
    backend = "processes"               # serial | processes | dask
    workers = 2
    chunk_size = 4

    [design]
    type = "grid"                       # grid | factorial | latin_hypercube | search | replications
    ...

Sequential replication: ``replications = { initial = 10, batch = 5, max = 60,
relative_precision = 0.05 }`` (optionally ``kpi``): replications are added to every cell
until the main KPI's CI half-width is within 5 % of its mean in every cell, or the cap.

Design types:

- ``grid``: ``scenarios`` (names, paths, or tables ``{scenario, label, overrides}``) x
  ``portfolios`` (names, paths, ``"none"``, ``"scenario"`` or inline tables with
  ``initiatives``); ``reference`` (a portfolio, or ``"scenario:portfolio"``).
- ``factorial``: ``parameters = [{ key, levels = [...] }, ...]``; ``scenarios`` (default
  baseline) and an optional ``portfolio``.
- ``latin_hypercube``: ``samples``, ``sample_seed``, ``parameters = [{ key, low, high,
  integer, log }, ...]``; ``scenarios``, ``portfolio`` as above.
- ``search``: ``scenario``, ``budget_per_year``, ``menu = [{ kind, name, ... }, ...]``
  and/or ``menu_portfolios = ["balanced", ...]`` (their initiatives join the menu),
  ``max_evaluations``, ``max_enumerate``, ``search_seed``.
- ``replications``: one ``scenario`` with an optional ``portfolio``.

Relative file paths are read from the experiment file's folder.
"""

from __future__ import annotations

import difflib
import hashlib
import json
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from ..config import ConfigError
from ..config.errors import problem_list
from ..config.files import read_toml
from ..run.catalogue import experiment_defaults
from .manifest import recorded_experiment
from .plan import MAX_RUNS

DEFAULT_KPIS = experiment_defaults()
"""KPIs summarised when an experiment does not name its own (``experiment_default`` in the
KPI catalogue, :mod:`sqm_sim.run.catalogue`)."""

EXPERIMENT_DIR = Path("experiments")
"""Where ``sqm-sim experiment run NAME`` looks for ``NAME.toml`` (relative to the current
folder)."""


def check_folder_name(name: str) -> str:
    """``name`` if it can be the folder ``results/NAME``; ValueError if it could lead
    anywhere else (a separator, ``..``, an absolute path, a drive) or is empty."""
    if not name.strip() or name in {".", ".."} or any(c in name for c in "/\\:\0"):
        raise ValueError(
            f"{name!r} cannot be a folder name (results/NAME): no '/', '\\', ':', "
            "and not empty, '.' or '..'"
        )
    return name


class StrictSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Execution(StrictSpec):
    """Where and how to run (the command line's ``--backend`` etc. take precedence)."""

    backend: Literal["serial", "processes", "dask"] = "processes"
    workers: int | None = Field(None, ge=1)
    scheduler: str | None = None
    chunk_size: int | None = Field(None, ge=1)

    @field_validator("scheduler")
    @classmethod
    def _no_scheduler_from_a_file(cls, value: str | None) -> None:
        # a Dask scheduler's workers can send back data that runs code in this process
        if value is not None:
            raise ValueError(
                f"{value!r}: a data file may not choose where code runs; "
                "give --scheduler ADDRESS on the command line"
            )
        return None


class SequentialSpec(StrictSpec):
    """Sequential replication: see :class:`sqm_sim.experiments.sequential.SequentialRule`."""

    relative_precision: float = Field(gt=0.0, lt=1.0)
    initial: int = Field(10, ge=2, le=MAX_RUNS)
    batch: int = Field(5, ge=1, le=MAX_RUNS)
    max: int = Field(100, ge=2, le=MAX_RUNS)
    kpi: str | None = None


class ScenarioSpec(StrictSpec):
    """A scenario with its own label and overrides."""

    scenario: str
    label: str | None = None
    overrides: dict[str, Any] = Field(default_factory=dict)


class PortfolioSpec(StrictSpec):
    """A portfolio: a shipped name or file (``portfolio``), or inline ``initiatives``."""

    portfolio: str | None = None
    label: str | None = None
    name: str | None = None
    budget_per_year: float | None = None
    initiatives: list[dict[str, Any]] | None = None


ScenarioItem = str | ScenarioSpec
PortfolioItem = str | PortfolioSpec


class FactorSpec(StrictSpec):
    """A design parameter (see :class:`sqm_sim.experiments.designs.Factor`)."""

    key: str
    levels: list[Any] | None = None
    low: float | None = None
    high: float | None = None
    integer: bool = False
    log: bool = False


def _not_empty(items: list[Any], what: str) -> list[Any]:
    if not items:
        raise ValueError(f"empty design: list at least one {what}")
    return items


class GridDesign(StrictSpec):
    """Scenarios x portfolios."""

    type: Literal["grid"]
    scenarios: list[ScenarioItem]
    portfolios: list[PortfolioItem] = Field(default_factory=lambda: ["scenario"])
    reference: str | None = None

    @field_validator("scenarios")
    @classmethod
    def _some_scenario(cls, value: list[Any]) -> list[Any]:
        return _not_empty(value, "scenario")

    @field_validator("portfolios")
    @classmethod
    def _some_portfolio(cls, value: list[Any]) -> list[Any]:
        return _not_empty(value, "portfolio")


class _ParameterDesign(StrictSpec):
    scenarios: list[ScenarioItem] = Field(default_factory=lambda: ["baseline"])
    portfolio: PortfolioItem | None = None
    parameters: list[FactorSpec]

    @field_validator("parameters")
    @classmethod
    def _some_parameter(cls, value: list[Any]) -> list[Any]:
        return _not_empty(value, "parameter")

    @field_validator("scenarios")
    @classmethod
    def _some_scenario(cls, value: list[Any]) -> list[Any]:
        return _not_empty(value, "scenario")


class FactorialDesign(_ParameterDesign):
    """Every combination of the parameters' levels."""

    type: Literal["factorial"]

    @field_validator("parameters")
    @classmethod
    def _levels_given(cls, value: list[FactorSpec]) -> list[FactorSpec]:
        for factor in value:
            if not factor.levels:
                raise ValueError(f"empty design: parameter '{factor.key}' needs levels")
        return value


class LatinHypercubeDesign(_ParameterDesign):
    """``samples`` Latin hypercube points within the parameters' bounds."""

    type: Literal["latin_hypercube"]
    samples: int = Field(ge=1)
    sample_seed: int = Field(0, ge=0)


class SearchDesign(StrictSpec):
    """Portfolio search over a menu of initiatives under a yearly budget."""

    type: Literal["search"]
    scenario: ScenarioItem = "baseline"
    budget_per_year: float | None = Field(None, ge=0.0)
    menu: list[dict[str, Any]] = Field(default_factory=list)
    menu_portfolios: list[str] = Field(default_factory=list)
    max_evaluations: int = Field(64, ge=1)
    max_enumerate: int = Field(4096, ge=1)
    search_seed: int = Field(0, ge=0)


class ReplicationsDesign(StrictSpec):
    """Replications of one configuration."""

    type: Literal["replications"]
    scenario: ScenarioItem = "baseline"
    portfolio: PortfolioItem | None = None


Design = Annotated[
    GridDesign | FactorialDesign | LatinHypercubeDesign | SearchDesign | ReplicationsDesign,
    Field(discriminator="type"),
]

DESIGN_TYPES = ("grid", "factorial", "latin_hypercube", "search", "replications")


class ExperimentSpec(StrictSpec):
    """A validated experiment file (see the module docstring)."""

    name: str = "experiment"
    description: str = ""
    replications: int | SequentialSpec = 10

    @field_validator("name")
    @classmethod
    def _name_is_a_folder_name(cls, value: str) -> str:
        return check_folder_name(value)

    first_seed: int = Field(1, ge=0)
    confidence: float = Field(0.95, gt=0.0, lt=1.0)
    kpi: str = "npv"
    kpis: list[str] = Field(default_factory=lambda: list(DEFAULT_KPIS))
    direction: Literal["max", "min"] | None = None
    adjust: Literal["none", "bonferroni"] = "none"
    rank_by: Literal["mean", "p5", "p50", "cvar", "regret"] = "mean"
    cvar_level: float = Field(0.1, gt=0.0, lt=1.0)
    overrides: dict[str, Any] = Field(default_factory=dict)
    keep_timeseries: bool = True
    execution: Execution = Field(default_factory=Execution)
    design: Design

    @field_validator("replications", mode="before")
    @classmethod
    def _positive_replications(cls, value: Any) -> Any:
        if isinstance(value, int) and not isinstance(value, bool):
            if value < 1:
                raise ValueError(f"must be at least 1 replication, got {value}")
            if value > MAX_RUNS:
                raise ValueError(f"must be at most {MAX_RUNS:,} replications, got {value}")
        return value

    @model_validator(mode="after")
    def _risk_options_need_a_grid(self) -> ExperimentSpec:
        if self.design.type != "grid":  # a recorded spec holds the defaults: those pass
            for name in ("rank_by", "cvar_level"):
                if getattr(self, name) != type(self).model_fields[name].default:
                    raise ValueError(
                        f"{name} = {getattr(self, name)!r} applies to comparisons only "
                        f"(design type grid), not to {self.design.type}"
                    )
        return self

    @property
    def sequential(self) -> SequentialSpec | None:
        """The sequential rule, if replications are sequential."""
        return self.replications if isinstance(self.replications, SequentialSpec) else None

    @property
    def fixed_replications(self) -> int:
        """Replications per cell (the initial number, when sequential)."""
        sequential = self.sequential
        return sequential.initial if sequential else int(self.replications)  # type: ignore[arg-type]

    def experiment_id(self) -> str:
        """Identifies the experiment by name and design type: a results folder refuses the
        results of an experiment with another id. Other changes (more replications, another
        KPI, a new portfolio in the grid) keep the folder: runs are keyed by cell, config
        fingerprint and seed, so the runs still valid are reused and the rest are run."""
        canonical = json.dumps([self.name, self.design.type])
        return hashlib.sha256(canonical.encode()).hexdigest()[:16]


_UNION_TAGS = {"int", "str", "float", "bool", "ScenarioSpec", "PortfolioSpec", "SequentialSpec"}


def _location(loc: tuple[Any, ...]) -> str:
    """A dotted location without pydantic's union and discriminator tags."""
    parts: list[str] = []
    for part in map(str, loc):
        if part.startswith("function-") or part in _UNION_TAGS:
            continue
        if parts == ["design"] and part in DESIGN_TYPES:
            continue
        parts.append(part)
    return ".".join(parts)


def _describe(error: Any) -> str:
    location = _location(error["loc"])
    message = str(error["msg"]).removeprefix("Value error, ")
    if error["type"] == "extra_forbidden":
        return f"unknown key '{location}'"
    if error["type"] == "union_tag_invalid":
        return f"{location or 'design'}: type must be one of {', '.join(DESIGN_TYPES)}"
    shown = error.get("input")
    if isinstance(shown, dict | list):
        return f"{location}: {message}"
    return f"{location} = {shown!r}: {message}"


def suggest_fields(problems: list[str], known: list[str]) -> list[str]:
    """``problems`` with "did you mean" added to unknown top-level keys close to ``known``."""
    out = []
    for problem in problems:
        if problem.startswith("unknown key '") and "." not in problem:
            key = problem.split("'")[1]
            close = difflib.get_close_matches(key, known, n=1)
            problem += f"; did you mean '{close[0]}'?" if close else ""
        out.append(problem)
    return out


_TYPE_ERRORS = {
    "int_type",
    "string_type",
    "model_type",
    "dict_type",
    "model_attributes_type",
    "int_parsing",
    "float_type",
    "bool_type",
}


def _without_union_noise(errors: list[Any]) -> list[Any]:
    """Drop the "wrong type" complaints of the union alternatives that did not apply: a
    type error at a location is dropped when another error lies deeper below it; several
    type errors at one location become one."""
    located = [(_location(e["loc"]), e) for e in errors]
    kept: list[Any] = []
    typed: dict[str, list[str]] = {}
    for where, error in located:
        if error["type"] in _TYPE_ERRORS:
            deeper = any(
                other is not error and o_where.startswith(f"{where}.") for o_where, other in located
            )
            if not deeper:
                typed.setdefault(where, []).append(str(error["msg"]))
                if len(typed[where]) == 1:
                    kept.append(error)
            continue
        kept.append(error)
    for error in kept:
        where = _location(error["loc"])
        if len(typed.get(where, [])) > 1:
            error["msg"] = "Input should be " + " or ".join(
                dict.fromkeys(m.removeprefix("Input should be ") for m in typed[where])
            )
    return kept


def validation_problems(exc: ValidationError) -> list[str]:
    """One line per distinct problem of a spec's validation error (location, value and
    what is wrong), without the noise of union alternatives."""
    seen: dict[str, None] = {}
    for error in _without_union_noise(exc.errors()):
        seen.setdefault(_describe(error))
    return list(seen)


def parse_experiment(data: dict[str, Any], origin: str = "experiment") -> ExperimentSpec:
    """Validate experiment data; :class:`ConfigError` listing every problem otherwise."""
    try:
        return ExperimentSpec.model_validate(data)
    except ValidationError as exc:
        problems = suggest_fields(validation_problems(exc), list(ExperimentSpec.model_fields))
        raise problem_list(f"invalid experiment ({origin}):", problems) from None


def find_experiment_file(name_or_path: str | Path) -> Path:
    """The file: a path, or ``experiments/NAME.toml`` for a bare name."""
    path = Path(name_or_path)
    if path.is_file() or path.is_dir():
        return path
    shipped = EXPERIMENT_DIR / f"{name_or_path}.toml"
    if path.suffix != ".toml" and shipped.is_file():
        return shipped
    raise ConfigError(f"experiment file not found: {name_or_path}")


def load_experiment(name_or_path: str | Path) -> tuple[ExperimentSpec, Path]:
    """Read and validate an experiment file; returns the spec and the folder relative
    paths in it are read from. A results folder (or its ``manifest.json``) also works: it
    holds the validated experiment and the folder of its file, so the same experiment
    reruns."""
    path = find_experiment_file(name_or_path)
    if path.is_dir() or path.suffix == ".json":
        data, folder, _ = recorded_experiment(path)
        return parse_experiment(data, f"manifest {path}"), folder
    data = read_toml(path)
    data.setdefault("name", path.stem)
    return parse_experiment(data, f"file {path}"), path.parent
