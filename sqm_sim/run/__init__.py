"""Layer 3, one replication: ``simulate(config, seed) -> RunResult``.

:mod:`.simulation` wires the model and runs it, :mod:`.collector` samples it at month ends,
:mod:`.kpis` turns the samples and the ledger into the time series and the summary, and
:mod:`.provenance` records what produced a run (versions, fingerprint, time).
"""

from .simulation import RunResult, simulate

__all__ = ["RunResult", "simulate"]
