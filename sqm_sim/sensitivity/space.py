"""The uncertain parameters of a sensitivity analysis: dotted config keys with ranges.

A :class:`ParameterSpace` lists :class:`UncertainParameter` entries. Each names a numeric
leaf of the config schema by its dotted key (``environment.switching_cost``), or a numeric
field of an initiative of the base configuration's portfolio by the initiative's name
(``portfolio.capability_project.cpk_gain``: "what if the project delivers half?"), and gives the
range to explore (default: the schema's own bounds, when both are finite) and a
distribution over it: ``uniform`` (default), ``triangular`` (with a ``mode``), ``normal``
(``mean`` and ``sd``, truncated to the range) or ``loguniform`` (for ranges over orders of
magnitude; ``low`` > 0). Everything is checked against the schema when the space is built:
an unknown key, a non-numeric field, inverted bounds or bounds outside the schema's range
are :class:`~sqm_sim.config.ConfigError` naming the key, the value and what is allowed.

Samplers work on the unit hypercube; :meth:`ParameterSpace.values` maps unit coordinates
to parameter values through each distribution's quantile function (inverse transform), so
every SALib method sees the same space, whatever the distributions. Integer parameters
are rounded to the nearest integer.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Collection, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from scipy import stats

from ..config import Config, ConfigError
from ..config.errors import unknown_key_message
from ..config.files import read_toml
from ..config.keys import parameter_info
from ..config.schema import ParameterInfo, field_at

Distribution = Literal["uniform", "triangular", "normal", "loguniform"]

DEFAULT_SPACE_FILE = Path(__file__).with_name("default_space.toml")
"""The shipped parameter space: levers and external factors of the baseline company."""


class UncertainParameter(BaseModel):
    """One uncertain parameter: a dotted config key, its range and distribution.

    ``low``/``high``: range in the parameter's own unit (default: the schema's bounds);
    ``mode``: peak of a triangular distribution; ``mean``/``sd``: of a normal distribution
    truncated to the range; ``label``: short name for tables and plots (default: the key's
    last part with spaces).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    key: str
    low: float | None = None
    high: float | None = None
    distribution: Distribution = "uniform"
    mode: float | None = None
    mean: float | None = None
    sd: float | None = Field(default=None, gt=0)
    label: str | None = None

    @model_validator(mode="after")
    def _shape_parameters(self) -> UncertainParameter:
        if self.distribution == "triangular" and self.mode is None:
            raise ValueError("a triangular distribution needs a 'mode'")
        if self.distribution == "normal" and (self.mean is None or self.sd is None):
            raise ValueError("a normal distribution needs 'mean' and 'sd'")
        if self.distribution != "triangular" and self.mode is not None:
            raise ValueError(f"'mode' is only used by triangular, not {self.distribution}")
        return self

    @property
    def name(self) -> str:
        """Display name: the label, or the key's last part with spaces."""
        return self.label or self.key.rsplit(".", 1)[-1].replace("_", " ")


class ResolvedParameter:
    """An :class:`UncertainParameter` checked against the schema, with finite bounds."""

    def __init__(self, spec: UncertainParameter, info: ParameterInfo, is_integer: bool) -> None:
        self.spec = spec
        self.info = info
        self.is_integer = is_integer
        self.low = float(spec.low if spec.low is not None else info.lower)  # type: ignore[arg-type]
        self.high = float(spec.high if spec.high is not None else info.upper)  # type: ignore[arg-type]

    @property
    def key(self) -> str:
        """Dotted config key."""
        return self.spec.key

    @property
    def name(self) -> str:
        """Display name."""
        return self.spec.name

    @property
    def unit(self) -> str:
        """Unit of the parameter (from the schema)."""
        return self.info.unit

    def quantile(self, unit_values: np.ndarray) -> np.ndarray:
        """Parameter values at probabilities ``unit_values`` (inverse transform)."""
        spec, low, high = self.spec, self.low, self.high
        width = high - low
        if spec.distribution == "uniform":
            values = low + unit_values * width
        elif spec.distribution == "triangular":
            peak = (float(spec.mode) - low) / width  # type: ignore[arg-type]
            values = stats.triang.ppf(unit_values, peak, loc=low, scale=width)
        elif spec.distribution == "normal":
            mean, sd = float(spec.mean), float(spec.sd)  # type: ignore[arg-type]
            a, b = (low - mean) / sd, (high - mean) / sd
            values = stats.truncnorm.ppf(unit_values, a, b, loc=mean, scale=sd)
        else:
            values = stats.loguniform.ppf(unit_values, low, high)
        values = np.clip(values, low, high)  # ppf rounding at 0 and 1 only
        return np.rint(values) if self.is_integer else values

    def describe(self) -> dict[str, Any]:
        """Key, label, unit, range and distribution as plain data."""
        return {
            "key": self.key,
            "label": self.name,
            "unit": self.unit,
            "low": self.low,
            "high": self.high,
            "distribution": self.spec.distribution,
            **{
                name: getattr(self.spec, name)
                for name in ("mode", "mean", "sd")
                if getattr(self.spec, name) is not None
            },
        }


def _check_bound(spec: UncertainParameter, info: ParameterInfo, which: str, value: float) -> None:
    lower_ok = info.lower is None or (
        value >= info.lower if info.lower_inclusive else value > info.lower
    )
    upper_ok = info.upper is None or (
        value <= info.upper if info.upper_inclusive else value < info.upper
    )
    if not (lower_ok and upper_ok):
        raise ConfigError(
            f"parameter '{spec.key}': {which} = {value:g} is outside the schema's range "
            f"({info.range_text()}, unit: {info.unit})"
        )


def resolve_parameter(spec: UncertainParameter, config: Config | None = None) -> ResolvedParameter:
    """Check one parameter against the config schema (see the module docstring); an
    initiative key (``portfolio.<name>.<field>``) against the portfolio of ``config``."""
    config = config if config is not None else Config()
    try:
        info = parameter_info(config, spec.key)
    except ConfigError as exc:
        raise ConfigError(f"parameter space: {exc}") from None
    if info is None:
        raise ConfigError(f"parameter space: {unknown_key_message(Config, spec.key)}")
    found = field_at(Config, spec.key)
    if found is not None and found[1] is not None:
        raise ConfigError(
            f"parameter '{spec.key}' is a section, not a number: name one of its fields"
        )
    type_name = info.type_name.split(" | ")[0]
    if type_name not in {"float", "int"}:
        raise ConfigError(
            f"parameter '{spec.key}' is of type {info.type_name}: only numeric parameters "
            "(float or int) can be varied"
        )
    for which, given, schema_bound in (
        ("low", spec.low, info.lower),
        ("high", spec.high, info.upper),
    ):
        if given is None and schema_bound is None:
            raise ConfigError(
                f"parameter '{spec.key}': give '{which}' (the schema sets no {which} bound: "
                f"{info.range_text()}, unit: {info.unit})"
            )
    resolved = ResolvedParameter(spec, info, is_integer=type_name == "int")
    for which, value in (("low", resolved.low), ("high", resolved.high)):
        if not math.isfinite(value):
            raise ConfigError(f"parameter '{spec.key}': {which} = {value} is not finite")
        _check_bound(spec, info, which, value)
    if resolved.low >= resolved.high:
        raise ConfigError(
            f"parameter '{spec.key}': low = {resolved.low:g} must be below high = "
            f"{resolved.high:g} (inverted or empty range)"
        )
    if resolved.is_integer and resolved.high - resolved.low < 1:
        raise ConfigError(
            f"parameter '{spec.key}' is an integer: its range [{resolved.low:g}, "
            f"{resolved.high:g}] must span at least 1"
        )
    _check_shape(resolved)
    return resolved


def _check_shape(parameter: ResolvedParameter) -> None:
    spec, low, high = parameter.spec, parameter.low, parameter.high
    if spec.distribution == "triangular" and not low <= float(spec.mode) <= high:  # type: ignore[arg-type]
        raise ConfigError(
            f"parameter '{spec.key}': mode = {spec.mode:g} must lie in [{low:g}, {high:g}]"
        )
    if spec.distribution == "normal" and not low <= float(spec.mean) <= high:  # type: ignore[arg-type]
        raise ConfigError(
            f"parameter '{spec.key}': mean = {spec.mean:g} must lie in [{low:g}, {high:g}]"
        )
    if spec.distribution == "loguniform" and low <= 0:
        raise ConfigError(
            f"parameter '{spec.key}': a loguniform range needs low > 0 (got low = {low:g})"
        )


class ParameterSpace:
    """Validated uncertain parameters, in order. Keys must be distinct. Initiative keys
    are checked against the portfolio of ``config`` (the analysis' base configuration)."""

    def __init__(
        self,
        parameters: Iterable[UncertainParameter | Mapping[str, Any]],
        config: Config | None = None,
    ) -> None:
        specs = [_as_spec(item, index) for index, item in enumerate(parameters)]
        if not specs:
            raise ConfigError("the parameter space is empty: list at least one parameter")
        keys = [spec.key for spec in specs]
        repeated = sorted({key for key in keys if keys.count(key) > 1})
        if repeated:
            raise ConfigError(f"parameter space: key(s) listed more than once: {repeated}")
        self.parameters = [resolve_parameter(spec, config) for spec in specs]

    def __len__(self) -> int:
        return len(self.parameters)

    @property
    def keys(self) -> list[str]:
        """Dotted keys, in order."""
        return [parameter.key for parameter in self.parameters]

    @property
    def names(self) -> list[str]:
        """Display names, in order."""
        return [parameter.name for parameter in self.parameters]

    def unit_problem(self) -> dict[str, Any]:
        """The SALib problem on the unit hypercube (see the module docstring)."""
        return {
            "num_vars": len(self),
            "names": self.keys,
            "bounds": [[0.0, 1.0]] * len(self),
        }

    def values(self, unit_sample: np.ndarray) -> np.ndarray:
        """Parameter values (rows = points) for unit-hypercube coordinates."""
        unit_sample = np.asarray(unit_sample, dtype=float)
        if unit_sample.ndim != 2 or unit_sample.shape[1] != len(self):
            raise ValueError(f"expected a (points, {len(self)}) array, got {unit_sample.shape}")
        return np.column_stack(
            [p.quantile(unit_sample[:, i]) for i, p in enumerate(self.parameters)]
        )

    def overrides(self, row: Sequence[float]) -> dict[str, float | int]:
        """Dotted-key overrides for one point of parameter values."""
        return {
            p.key: int(value) if p.is_integer else float(value)
            for p, value in zip(self.parameters, row, strict=True)
        }

    def without(self, keys: Collection[str]) -> ParameterSpace:
        """This space without the parameters of ``keys`` (at least one must stay)."""
        kept = [p for p in self.parameters if p.key not in keys]
        if not kept:
            raise ConfigError("the parameter space is empty: list at least one parameter")
        space = copy.copy(self)
        space.parameters = kept
        return space

    def describe(self) -> list[dict[str, Any]]:
        """Every parameter as plain data (for manifests and reports)."""
        return [parameter.describe() for parameter in self.parameters]


def _as_spec(item: UncertainParameter | Mapping[str, Any], index: int) -> UncertainParameter:
    if isinstance(item, UncertainParameter):
        return item
    try:
        return UncertainParameter.model_validate(dict(item))
    except ValidationError as exc:
        where = item.get("key", f"#{index + 1}") if isinstance(item, Mapping) else f"#{index + 1}"
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'entry'}: "
            f"{str(e['msg']).removeprefix('Value error, ')}"
            for e in exc.errors()
        )
        raise ConfigError(f"parameter space entry {where}: {problems}") from None
    except TypeError:
        raise ConfigError(
            f"parameter space entry #{index + 1} must be a table with a 'key', got {item!r}"
        ) from None


def load_space(source: str | Path | None = None, config: Config | None = None) -> ParameterSpace:
    """A parameter space from a TOML file with ``[[parameters]]`` tables (default: the
    shipped default space), initiative keys checked against ``config``'s portfolio."""
    path = Path(source) if source is not None else DEFAULT_SPACE_FILE
    if not path.is_file():
        raise ConfigError(f"parameter space file not found: {path}")
    data = read_toml(path)
    unknown = sorted(set(data) - {"description", "parameters"})
    if unknown:
        raise ConfigError(
            f"parameter space file {path}: unknown table(s) {unknown} "
            "(allowed: description, [[parameters]])"
        )
    parameters = data.get("parameters")
    if not isinstance(parameters, list):
        raise ConfigError(f"parameter space file {path}: no [[parameters]] tables")
    try:
        return ParameterSpace(parameters, config)
    except ConfigError as exc:
        raise ConfigError(f"{path}: {exc}") from None


def default_space(config: Config | None = None) -> ParameterSpace:
    """The shipped default space (``sqm_sim/sensitivity/default_space.toml``)."""
    return load_space(DEFAULT_SPACE_FILE, config)
