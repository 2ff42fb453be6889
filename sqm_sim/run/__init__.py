"""Layer 3, one replication: ``simulate(config, seed) -> RunResult``.

:mod:`.simulation` wires the model and runs it, :mod:`.collector` samples it at month ends,
:mod:`.kpis` turns the samples and the ledger into the time series and the summary, and
:mod:`.provenance` records what produced a run (versions, fingerprint, time).
"""

from __future__ import annotations

from .._exports import lazy_exports

_EXPORTS = {
    "RunResult": ".simulation",
    "simulate": ".simulation",
}
"""Each public name and the module that defines it (imported on first use)."""

__all__ = ["RunResult", "simulate"]

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
