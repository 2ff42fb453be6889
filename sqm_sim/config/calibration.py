"""The ``[calibration]`` table of a company profile: what ``sqm-sim calibrate`` fits, and how.

Each fitted parameter is a dotted config key with a uniform prior over ``[low, high]``
(inside the key's allowed range). Without a ``parameters`` table the documented default
set of :func:`default_priors` is fitted: the behaviour of customers, process and market
that company records do not show.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from pydantic import Field, model_validator

from .errors import ConfigError
from .fields import Section, param

if TYPE_CHECKING:
    from .model import Config

LOYALTY_INTERCEPT_SPAN = 2.0
"""Default prior of each segment's loyalty intercept: its profile value +- this (log-odds)."""

DEFAULT_RANGES: dict[str, tuple[float, float]] = {
    "quality.drift_rate_per_month": (0.02, 1.0),
    "customers.satisfaction_memory_negative": (0.1, 0.9),
    "service.complaint_probability": (0.02, 0.4),
    "service.claim_probability": (0.2, 0.9),
    "acquisition.referral_rate_per_year": (0.05, 1.0),
}
"""Default uniform priors of the non-segment parameters: wide ranges around the
literature anchors of the defaults (Bass q about 0.38/year; TARP's 1 in 25 who complain
to about 1 in 3; drift from rare to monthly)."""


class PriorSettings(Section):
    """A uniform prior over ``[low, high]`` for one fitted parameter."""

    low: float = param(0.0, unit="as the key", description="lower end of the prior", source="-")
    high: float = param(1.0, unit="as the key", description="upper end of the prior", source="-")

    @model_validator(mode="after")
    def _ordered(self) -> PriorSettings:
        if not self.high > self.low:
            raise ValueError(f"high ({self.high:g}) must be above low ({self.low:g})")
        return self


class CalibrationSettings(Section):
    """How ``sqm-sim calibrate`` fits a profile: priors and the ABC-SMC run's size."""

    parameters: Mapping[str, PriorSettings] | None = Field(
        None, description="fitted keys and their uniform priors (omit: the default set)"
    )
    population: int = param(
        100,
        unit="parameter sets",
        description="accepted parameter sets per ABC-SMC generation",
        source="pyabc's default population size",
        ge=5,
        le=100_000,
    )
    generations: int = param(
        8,
        unit="generations",
        description="ABC-SMC generations at most (each tightens the tolerance)",
        source="a few generations usually reach the acceptance-rate floor",
        ge=1,
        le=100,
    )
    min_acceptance_rate: float = param(
        0.02,
        unit="share",
        description="stop when a generation accepts fewer than this share of its simulations",
        source="pyabc's stopping rule",
        ge=0,
        lt=1,
    )
    block_months: int = param(
        3,
        unit="months",
        description="history is compared as means over blocks of this many months",
        source="quarterly means damp month-to-month noise",
        ge=1,
        le=24,
    )
    check_draws: int = param(
        40,
        unit="runs",
        description="posterior draws simulated for the fitted-vs-observed bands",
        source="-",
        ge=2,
        le=10_000,
    )
    credible_level: float = param(
        0.9,
        unit="probability",
        description="level of the credible intervals (central)",
        source="-",
        gt=0,
        lt=1,
    )
    seed: int = param(
        1, unit="-", description="seed of the ABC sampler and of the checks", source="-", ge=0
    )


def default_priors(config: Config) -> dict[str, PriorSettings]:
    """The documented default set of fitted parameters for ``config``: every segment's
    loyalty intercept (its value +- :data:`LOYALTY_INTERCEPT_SPAN`) and
    :data:`DEFAULT_RANGES`."""
    priors = {
        f"segments.{name}.loyalty_intercept": PriorSettings(
            low=round(segment.loyalty_intercept - LOYALTY_INTERCEPT_SPAN, 9),
            high=round(segment.loyalty_intercept + LOYALTY_INTERCEPT_SPAN, 9),
        )
        for name, segment in config.segments.items()
    }
    priors.update({key: PriorSettings(low=lo, high=hi) for key, (lo, hi) in DEFAULT_RANGES.items()})
    return priors


def fitted_priors(config: Config, calibration: CalibrationSettings) -> dict[str, PriorSettings]:
    """The priors ``calibrate`` uses, each checked against ``config``: the key must name a
    number of the configuration and the prior lie inside its allowed range."""
    from .keys import parameter_info

    priors = (
        dict(calibration.parameters)
        if calibration.parameters is not None
        else default_priors(config)
    )
    if not priors:
        raise ConfigError("calibration.parameters is empty: list at least one key to fit")
    for key, prior in priors.items():
        where = f'calibration.parameters."{key}"'
        info = parameter_info(config, key)
        if info is None:
            raise ConfigError(f"{where}: unknown key (`sqm-sim params` lists them)")
        if info.type_name != "float":
            raise ConfigError(
                f"{where}: a {info.type_name} value; only continuous (float) parameters are fitted"
            )
        for end, value in (("low", prior.low), ("high", prior.high)):
            below = info.lower is not None and (
                value < info.lower or (value == info.lower and not info.lower_inclusive)
            )
            above = info.upper is not None and (
                value > info.upper or (value == info.upper and not info.upper_inclusive)
            )
            if below or above:
                raise ConfigError(
                    f"{where}.{end} = {value:g} is outside the key's range ({info.range_text()})"
                )
    return priors
