"""sqm_sim: discrete-event simulation of strategic quality management.

>>> import sqm_sim
>>> cfg = sqm_sim.load_scenario("baseline")
>>> res = sqm_sim.simulate(cfg.with_overrides({"simulation.horizon_months": 3}), seed=1)
>>> sorted(res.summary)[:3]
['active_customers_end', 'appraisal_cost', 'awaiting_dispatch_end']
"""

from .config import Config, ConfigError
from .experiments.roi import initiative_roi
from .run import RunResult, simulate
from .scenarios import load_scenario, shipped_scenarios

__version__ = "0.1.0"

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
