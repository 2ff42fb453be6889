"""Layer 3, one replication: ``simulate(config, seed) -> RunResult``.

:mod:`.simulation` wires the model and runs it, :mod:`.collector` samples it at month ends,
:mod:`.kpis` turns the samples and the ledger into the time series and the summary, and
:mod:`.provenance` records what produced a run (versions, fingerprint, time).
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "RunResult": ".simulation",
    "simulate": ".simulation",
}
"""Each public name and the module that defines it (imported on first use)."""

__all__ = ["RunResult", "simulate"]


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
