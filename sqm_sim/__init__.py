"""sqm_sim: discrete-event simulation of strategic quality management.

>>> import sqm_sim
>>> cfg = sqm_sim.load_scenario("baseline")
>>> res = sqm_sim.simulate(cfg.with_overrides({"simulation.horizon_months": 3}), seed=1)
>>> res.timeseries["period"].tolist()  # one row per month
[1, 2, 3]
>>> round(res.summary["npv"]) == round(res.timeseries["discounted_profit"].sum())
True
"""

from __future__ import annotations

from ._exports import lazy_exports

__version__ = "0.1.0"

_EXPORTS = {
    "Config": ".config",
    "ConfigError": ".config",
    "initiative_roi": ".experiments.roi",
    "RunResult": ".run",
    "simulate": ".run",
    "load_scenario": ".scenarios",
    "shipped_scenarios": ".scenarios",
}
"""Each public name and the module that defines it (imported on first use)."""

__all__ = [
    "Config",
    "ConfigError",
    "RunResult",
    "__version__",
    "initiative_roi",
    "load_scenario",
    "shipped_scenarios",
    "simulate",
]

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
