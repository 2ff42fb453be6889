"""Ctrl-C with the process pool stops within about one run and keeps every finished run
(issue 15: it took 20-34 s, waiting for whole chunks, and threw away the runs finished
inside chunks that were still in flight).

Each injected run takes ``RUN_S`` seconds, so a chunk of 8 takes 8 x RUN_S. Ctrl-C comes
``PRESS_S`` seconds in, while every chunk is in flight: waiting for the chunks would take
until 8 x RUN_S; stopping after each worker's current run takes at most PRESS_S + RUN_S
plus the pool's shut-down. Every run finished by then is in the store.
"""

from __future__ import annotations

import _thread
import threading
import time

import pytest

from sqm_sim import Config, RunResult, simulate
from sqm_sim.experiments import ProcessBackend, run_plan
from sqm_sim.experiments.plan import Plan
from sqm_sim.experiments.store import ResultsStore

RUN_S = 0.75
PRESS_S = 1.6
CHUNK = 8


def slow_simulate(config: Config, seed: int) -> RunResult:
    """``simulate`` that takes at least RUN_S seconds."""
    time.sleep(RUN_S)
    return simulate(config, seed)


def _interrupted_batch(plan: Plan, store: ResultsStore) -> float:
    """Run ``plan`` on two worker processes, press Ctrl-C after PRESS_S seconds; return
    the seconds until the pool is closed."""
    press = threading.Timer(PRESS_S, _thread.interrupt_main)
    with ProcessBackend(workers=2) as backend:
        started = time.perf_counter()
        press.start()
        try:
            run_plan(plan, backend=backend, store=store, chunk_size=CHUNK, run=slow_simulate)
        except KeyboardInterrupt:
            pass
        else:
            pytest.fail("the batch finished before Ctrl-C")
    press.cancel()
    return time.perf_counter() - started


def test_ctrl_c_stops_the_pool_after_the_current_runs(tmp_path, two_cell_plan):
    plan = Plan(two_cell_plan.cells, list(range(1, 9)))  # 16 runs: two chunks of 8
    stopped = _interrupted_batch(plan, ResultsStore(tmp_path))
    assert stopped < PRESS_S + RUN_S + 2.0 < CHUNK * RUN_S
    finished = ResultsStore(tmp_path).finished_ids()
    assert len(finished) >= 2  # each worker had finished at least one run (more, usually)
    assert len(finished) < plan.size
    manifest = ResultsStore(tmp_path).manifest
    assert manifest["sessions"][-1]["status"] == "interrupted"
    # the rerun does only what is missing and ends with every run
    resumed = run_plan(plan, store=ResultsStore(tmp_path))
    assert resumed.skipped == len(finished)
    assert resumed.ran == plan.size - len(finished)


def test_ctrl_c_with_dask_is_acted_on_at_once(tmp_path, two_cell_plan):
    """The Dask backend's wait also looks at signals every POLL_S: Ctrl-C is not held until
    a chunk happens to finish (here a chunk takes 8 x RUN_S = 6 s)."""
    from sqm_sim.experiments import DaskBackend

    plan = Plan(two_cell_plan.cells, list(range(1, 9)))
    press = threading.Timer(PRESS_S, _thread.interrupt_main)
    with DaskBackend(workers=2, processes=False) as backend:
        started = time.perf_counter()
        press.start()
        try:
            run_plan(plan, backend=backend, chunk_size=CHUNK, run=slow_simulate, quiet=True)
        except KeyboardInterrupt:
            raised = time.perf_counter() - started
        else:
            pytest.fail("the batch finished before Ctrl-C")
    press.cancel()
    assert raised < PRESS_S + 1.0 < CHUNK * RUN_S
