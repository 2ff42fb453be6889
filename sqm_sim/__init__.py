"""sqm_sim: discrete-event simulation of strategic quality management.

>>> import sqm_sim
>>> cfg = sqm_sim.load_scenario("baseline")
>>> res = sqm_sim.simulate(cfg.with_overrides({"simulation.horizon_months": 3}), seed=1)
>>> sorted(res.summary)[:3]
['active_customers_end', 'appraisal_cost', 'awaiting_dispatch_end']
"""

from __future__ import annotations

import importlib
from typing import Any

from .config import Config, ConfigError

__version__ = "0.1.0"

_EXPORTS = {
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


def __getattr__(name: str) -> Any:
    """Import an exported name on first use, so importing the package stays cheap."""
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_EXPORTS})
