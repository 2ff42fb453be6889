"""Every backend gives the same per-run results for the same plan (runs are pure
functions of config and seed), and bad backend arguments are refused."""

from __future__ import annotations

import pandas as pd
import pytest

from sqm_sim.config import ConfigError
from sqm_sim.experiments import DaskBackend, ProcessBackend, SerialBackend, make_backend, run_plan

RESULT_COLUMNS_EXCLUDED = {"elapsed_s", "worker"}
"""Per-run columns that describe the execution, not the result."""


def _results(runs: pd.DataFrame) -> pd.DataFrame:
    return runs[[c for c in runs.columns if c not in RESULT_COLUMNS_EXCLUDED]]


def test_serial_processes_and_dask_give_identical_runs(two_cell_plan):
    outcomes = {}
    for backend in (
        SerialBackend(),
        ProcessBackend(workers=2),
        DaskBackend(workers=2, processes=True),
    ):
        with backend:
            batch = run_plan(two_cell_plan, backend=backend, chunk_size=3, quiet=True)
        assert batch.failed == 0
        assert len(batch.runs) == two_cell_plan.size
        outcomes[backend.name] = (batch.runs, batch.timeseries())
    serial_runs, serial_series = outcomes["serial"]
    for name in ("processes", "dask"):
        runs, series = outcomes[name]
        pd.testing.assert_frame_equal(_results(runs), _results(serial_runs), check_exact=True)
        pd.testing.assert_frame_equal(series, serial_series, check_exact=True)
    workers = {name: set(runs["worker"]) for name, (runs, _) in outcomes.items()}
    assert len(workers["processes"]) == 2  # the work really was spread


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"name": "cluster"}, "unknown"),
        ({"name": "processes", "workers": 0}, "at least 1"),
        ({"name": "processes", "scheduler": "tcp://host:8786"}, "needs --backend dask"),
    ],
)
def test_bad_backend_arguments_are_config_errors(arguments, message):
    with pytest.raises(ConfigError, match=message):
        make_backend(**arguments)


def test_unreachable_scheduler_is_a_config_error():
    backend = DaskBackend(scheduler="tcp://127.0.0.1:9", connect_timeout_s=2)
    with pytest.raises(ConfigError, match="cannot connect"):
        backend.start()
