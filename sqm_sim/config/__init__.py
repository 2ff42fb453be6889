"""Validated configuration of a simulation run."""

from .errors import ConfigError
from .fields import DurationDistribution
from .model import Config
from .schema import ParameterInfo, iter_parameters

__all__ = ["Config", "ConfigError", "DurationDistribution", "ParameterInfo", "iter_parameters"]
