"""The what-if page's sliders: which parameters, in what range, with the schema's units.

A lever names a config key and a teaching range (the part of the allowed range a class
wants to explore). Its unit, description and allowed bounds come from the parameter schema
(the same :func:`sqm_sim.config.iter_parameters` that ``sqm-sim params`` prints), and the
teaching range must lie inside the allowed one (checked when the levers are built).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from ..config import Config, ParameterInfo, iter_parameters
from ..config.schema import parameter_at

MAIN = "Main levers"
EXTERNAL = "External factors"
GROUPS = (MAIN, EXTERNAL)


@dataclass(frozen=True)
class Lever:
    """One slider: a config key, its label, its teaching range and step, and its schema."""

    key: str
    label: str
    group: str
    low: float
    high: float
    step: float
    info: ParameterInfo

    @property
    def unit(self) -> str:
        """The parameter's unit, as the schema declares it."""
        return self.info.unit

    @property
    def description(self) -> str:
        """The parameter's meaning, as the schema declares it."""
        return self.info.description

    def slider_range(self, value: float) -> tuple[float, float]:
        """The slider's (min, max): the teaching range, widened to show ``value`` (a
        scenario may set a value outside the teaching range; it is never clamped)."""
        return min(self.low, value), max(self.high, value)


# (key, label, group, low, high, step): the teaching ranges, inside the schema's bounds
_LEVERS: tuple[tuple[str, str, str, float, float, float], ...] = (
    ("quality.prevention_spend_per_month", "Prevention spend", MAIN, 0, 20_000, 500),
    ("operations.process_capability_cpk", "Process capability (Cpk)", MAIN, 0.5, 2.0, 0.05),
    ("quality.inspection_coverage", "Inspection coverage", MAIN, 0, 1, 0.05),
    ("workforce.skill", "Operator skill at start (training)", MAIN, 0, 1, 0.05),
    ("involvement.share_involved", "Staff involvement", MAIN, 0, 1, 0.05),
    ("service.recovery_quality", "Complaint recovery quality", MAIN, 0, 1, 0.05),
    ("portfolio.budget_per_year", "Portfolio budget", MAIN, 0, 1_000_000, 10_000),
    ("environment.switching_cost", "Switching cost", EXTERNAL, 0, 1, 0.05),
    ("environment.switching_cost_after", "Switching cost after change", EXTERNAL, 0, 1, 0.05),
    (
        "environment.competitor_quality_trend_per_year",
        "Competitor quality trend",
        EXTERNAL,
        -0.05,
        0.1,
        0.005,
    ),
    ("environment.expectation_growth_per_year", "Expectation growth", EXTERNAL, 0, 0.1, 0.005),
)


class LeverRangeError(ValueError):
    """A lever's teaching range is not inside the schema's allowed range."""


def _check(lever: Lever) -> None:
    info = lever.info
    low_ok = info.lower is None or lever.low >= info.lower
    high_ok = info.upper is None or lever.high <= info.upper
    if not (low_ok and high_ok and lever.low < lever.high and lever.step > 0):
        raise LeverRangeError(
            f"lever {lever.key}: teaching range {lever.low}..{lever.high} (step {lever.step}) "
            f"is not inside the allowed range {info.range_text()}"
        )


@cache
def levers() -> tuple[Lever, ...]:
    """Every lever, in page order, with its schema entry; a range outside the schema raises
    :class:`LeverRangeError` naming the lever."""
    infos = {info.key: info for info in iter_parameters(Config)}
    built = []
    for key, label, group, low, high, step in _LEVERS:
        info = infos.get(key) or parameter_at(Config, key)
        if info is None:
            raise LeverRangeError(f"lever {key}: no such parameter in the schema")
        lever = Lever(key, label, group, float(low), float(high), float(step), info)
        _check(lever)
        built.append(lever)
    return tuple(built)


def lever(key: str) -> Lever:
    """The lever for ``key``."""
    for item in levers():
        if item.key == key:
            return item
    raise KeyError(key)


def current_value(config: Config, key: str) -> float | None:
    """The value ``config`` has at the dotted ``key`` (None where it is unset)."""
    value: Any = config
    for part in key.split("."):
        value = getattr(value, part)
    return None if value is None else float(value)


def starting_values(config: Config) -> dict[str, float]:
    """Each lever's value in ``config`` (the sliders' start); an unset budget starts at the
    top of its teaching range (no limit within it)."""
    values = {}
    for item in levers():
        value = current_value(config, item.key)
        values[item.key] = item.high if value is None else value
    return values
