"""Global sensitivity analysis: which assumptions drive satisfaction, loyalty and profit.

A :class:`ParameterSpace` declares uncertain parameters by dotted config key (bounds
default to the schema's); :mod:`.methods` samples and analyses with SALib (Morris, Sobol,
eFAST, delta); :mod:`.design` turns samples into cells; :mod:`.runner` runs them through
the experiment engine (backends, results store, resume) and :mod:`.analysis` measures
simulation noise and convergence; :mod:`sqm_sim.report.sensitivity_files` writes tables,
charts and a report.
"""

from __future__ import annotations

from .._exports import lazy_exports

_EXPORTS = {
    "METHODS": ".methods",
    "MethodOptions": ".methods",
    "PreparedSensitivity": ".runner",
    "SensitivityOutcome": ".runner",
    "prepare_sensitivity": ".runner",
    "refined": ".runner",
    "run_sensitivity": ".runner",
    "ParameterSpace": ".space",
    "UncertainParameter": ".space",
    "default_space": ".space",
    "load_space": ".space",
    "SensitivitySpec": ".spec",
    "load_sensitivity": ".spec",
    "parse_sensitivity": ".spec",
}
"""Each public name and the module that defines it (imported on first use)."""

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

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
