"""Validated configuration of a simulation run.

The schema (pydantic) loads on first use of a name that needs it: ``ConfigError`` alone
does not load it, so the command line can parse its arguments and print its help first.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._exports import lazy_exports
from .config_error import ConfigError

if TYPE_CHECKING:
    from .fields import DurationDistribution
    from .initiatives import INITIATIVE_KINDS, PortfolioSettings
    from .model import Config
    from .schema import ParameterInfo, iter_parameters

_EXPORTS = {
    "INITIATIVE_KINDS": ".initiatives",
    "Config": ".model",
    "DurationDistribution": ".fields",
    "ParameterInfo": ".schema",
    "PortfolioSettings": ".initiatives",
    "iter_parameters": ".schema",
}
"""Each public name that needs the schema and the module that defines it."""

__all__ = [
    "INITIATIVE_KINDS",
    "Config",
    "ConfigError",
    "DurationDistribution",
    "ParameterInfo",
    "PortfolioSettings",
    "iter_parameters",
]

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
