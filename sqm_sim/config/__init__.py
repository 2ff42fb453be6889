"""Validated configuration of a simulation run."""

from .errors import ConfigError
from .fields import DurationDistribution
from .initiatives import INITIATIVE_KINDS, PortfolioSettings
from .model import Config
from .schema import ParameterInfo, iter_parameters

__all__ = [
    "INITIATIVE_KINDS",
    "Config",
    "ConfigError",
    "DurationDistribution",
    "ParameterInfo",
    "PortfolioSettings",
    "iter_parameters",
]
