"""Sensitivity-analysis files and options: what to analyse, validated before any run.

A sensitivity file is TOML data (``sqm-sim sensitivity FILE``); the command line's options
say the same things and take precedence::

    name = "sobol_baseline"
    description = "..."
    scenario = "baseline"            # shipped name or TOML path
    portfolio = "balanced"           # optional: shipped name or TOML path
    size = "quick"                   # full | quick (see sqm_sim.scenarios.sizes)
    overrides = { "simulation.horizon_months" = 12 }   # applied before the space
    space = "default"                # "default", a TOML path, or inline [[parameters]]
    method = "sobol"                 # morris | sobol | fast | delta | oat
    n = 256                          # method's size (see sqm_sim.sensitivity.methods)
    kpis = ["npv", "retention_rate_annual", "mean_satisfaction"]
    replications = 1                 # seeds averaged per point (common to all points)
    first_seed = 1
    sample_seed = 2024               # seed of the sampler
    second_order = false             # Sobol S2
    num_levels = 4                   # Morris grid levels
    confidence = 0.95
    bootstrap = 1000                 # bootstrap resamples of the intervals
    ci_target = 0.05                 # converged when every main index's CI half-width <= this
    noise_points = 8                 # points replicated to measure simulation noise
    noise_replications = 5           # seeds per noise point
    [execution]                      # optional: backend, workers, scheduler, chunk_size

``oat`` (one at a time) runs the base configuration and each parameter at its ``low`` and
``high`` with the others at the base, ``replications`` seeds each: the tornado chart.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError, field_validator

from ..config import ConfigError
from ..config.errors import problem_list
from ..config.files import read_toml
from ..experiments.spec import (
    Execution,
    StrictSpec,
    check_folder_name,
    suggest_fields,
    validation_problems,
)
from ..run.catalogue import sensitivity_defaults
from ..scenarios.sizes import SIZES
from .methods import MethodOptions
from .names import SENSITIVITY_METHODS
from .space import UncertainParameter

DEFAULT_SENSITIVITY_KPIS = sensitivity_defaults()
"""KPIs analysed when none are named: profit, loyalty and satisfaction (declared in the KPI
catalogue, :mod:`sqm_sim.run.catalogue`)."""

DEFAULT_N = {"morris": 20, "sobol": 256, "fast": 256, "delta": 1000, "oat": 1}


class SensitivitySpec(StrictSpec):
    """A validated sensitivity analysis (see the module docstring)."""

    name: str = "sensitivity"
    description: str = ""
    scenario: str = "baseline"
    portfolio: str | None = None
    size: Literal["full", "quick"] = "quick"
    overrides: dict[str, Any] = Field(default_factory=dict)
    space: str | list[UncertainParameter] = "default"
    method: Literal["morris", "sobol", "fast", "delta", "oat"] = "sobol"
    n: int | None = None
    kpis: list[str] = Field(default_factory=lambda: list(DEFAULT_SENSITIVITY_KPIS))
    replications: int = Field(1, ge=1, le=1000)
    first_seed: int = Field(1, ge=0)
    sample_seed: int = Field(2024, ge=0)
    second_order: bool = False
    num_levels: int = 4
    confidence: float = Field(0.95, ge=0.5, lt=1.0)
    bootstrap: int = Field(1000, ge=10, le=100_000)
    ci_target: float = Field(0.05, gt=0.0, le=1.0)
    noise_points: int = Field(8, ge=0, le=1000)
    noise_replications: int = Field(5, ge=2, le=1000)
    keep_timeseries: bool = False
    execution: Execution = Field(default_factory=Execution)

    @field_validator("name")
    @classmethod
    def _name_is_a_folder_name(cls, value: str) -> str:
        """The same rule as an experiment's name: the name may become ``results/NAME``
        (and names the analysis in its manifest and report)."""
        return check_folder_name(value)

    @field_validator("kpis")
    @classmethod
    def _some_kpi(cls, value: list[str]) -> list[str]:
        if not value:
            raise ValueError("name at least one KPI")
        return value

    @property
    def size_n(self) -> int:
        """The method's size: ``n`` or the method's default."""
        return self.n if self.n is not None else DEFAULT_N[self.method]

    def method_options(self) -> MethodOptions:
        """Settings passed to the SALib wrappers."""
        return MethodOptions(
            second_order=self.second_order,
            num_levels=self.num_levels,
            conf_level=self.confidence,
            num_resamples=self.bootstrap,
        )

    def experiment_id(self) -> str:
        """What a results folder is bound to: name, method, scenario, portfolio, size,
        space, sampler seed and seeds' start. ``n``, ``replications``, KPIs and intervals
        may change (a larger ``n`` reruns only the new points: runs are keyed by config
        fingerprint and seed, so nothing is reused that does not match exactly)."""
        space = self.space if isinstance(self.space, str) else [p.model_dump() for p in self.space]
        identity = [
            self.name,
            "sensitivity",
            self.method,
            self.scenario,
            self.portfolio,
            self.size,
            self.overrides,
            space,
            self.sample_seed,
            self.first_seed,
        ]
        canonical = json.dumps(identity, sort_keys=True, default=str)
        return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def parse_sensitivity(data: dict[str, Any], origin: str = "sensitivity") -> SensitivitySpec:
    """Validate sensitivity data; :class:`ConfigError` listing every problem otherwise."""
    try:
        return SensitivitySpec.model_validate(data)
    except ValidationError as exc:
        problems = suggest_fields(validation_problems(exc), list(SensitivitySpec.model_fields))
        raise problem_list(f"invalid sensitivity analysis ({origin}):", problems) from None


def load_sensitivity(path: str | Path) -> tuple[SensitivitySpec, Path]:
    """Read and validate a sensitivity file; returns the spec and its folder (relative
    paths in the file are read from there)."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"sensitivity file not found: {path}")
    data = read_toml(path)
    data.setdefault("name", path.stem)
    return parse_sensitivity(data, f"file {path}"), path.parent


__all__ = [
    "DEFAULT_N",
    "DEFAULT_SENSITIVITY_KPIS",
    "SENSITIVITY_METHODS",
    "SIZES",
    "SensitivitySpec",
    "load_sensitivity",
    "parse_sensitivity",
]
