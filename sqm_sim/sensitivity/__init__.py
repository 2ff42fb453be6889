"""Global sensitivity analysis: which assumptions drive satisfaction, loyalty and profit.

A :class:`ParameterSpace` declares uncertain parameters by dotted config key (bounds
default to the schema's); :mod:`.methods` samples and analyses with SALib (Morris, Sobol,
eFAST, delta); :mod:`.design` turns samples into cells; :mod:`.runner` runs them through
the experiment engine (backends, results store, resume) and :mod:`.analysis` measures
simulation noise and convergence; :mod:`sqm_sim.report.sensitivity_files` writes tables,
charts and a report.
"""

from .methods import METHODS, MethodOptions
from .runner import (
    PreparedSensitivity,
    SensitivityOutcome,
    prepare_sensitivity,
    refined,
    run_sensitivity,
)
from .space import ParameterSpace, UncertainParameter, default_space, load_space
from .spec import SensitivitySpec, load_sensitivity, parse_sensitivity

__all__ = [
    "METHODS",
    "MethodOptions",
    "ParameterSpace",
    "PreparedSensitivity",
    "SensitivityOutcome",
    "SensitivitySpec",
    "UncertainParameter",
    "default_space",
    "load_sensitivity",
    "load_space",
    "parse_sensitivity",
    "prepare_sensitivity",
    "refined",
    "run_sensitivity",
]
