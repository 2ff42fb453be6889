"""Ctrl-C with the process pool stops within about one run and keeps every finished run
(issue 15: it took 20-34 s, waiting for whole chunks, and threw away the runs finished
inside chunks that were still in flight).

Each injected run takes ``RUN_S`` seconds and leaves a mark when it ends, so a chunk of
``CHUNK`` runs takes ``CHUNK x RUN_S``. Ctrl-C comes once every worker has finished a run
(an observable event, not a fixed sleep: a busy machine starts workers late), while every
chunk is in flight: waiting for the chunks would take about ``(CHUNK - 1) x RUN_S`` more.
Stopping the runs in progress takes what the pool needs to hand back the finished runs and
shut down. That bound is calibrated in the same test (the same backend and store doing a
tiny batch end to end: records pickled back, parts written, manifest saved), at least
``FLOOR_S`` and never more than half the wait for the chunks: Ctrl-C taking 20 s, or
waiting for whole chunks, fails whatever the calibration.
"""

from __future__ import annotations

import _thread
import functools
import os
import threading
import time
from pathlib import Path

import pytest

from sqm_sim import Config, RunResult, simulate
from sqm_sim.experiments import ProcessBackend, run_plan
from sqm_sim.experiments.backends import Backend
from sqm_sim.experiments.plan import Plan
from sqm_sim.experiments.store import ResultsStore
from tests.timing import calibrated_bound, wait_until

pytestmark = pytest.mark.slow  # timing tests of 12-26 s (they sleep through chunks)

RUN_S = 1.0
CHUNK = 16
CALIBRATION_FACTOR = 4.0
FLOOR_S = 2.0
CHUNK_WAIT_S = (CHUNK - 1) * RUN_S
"""What waiting for the chunks in flight would still take when Ctrl-C comes (seconds)."""


def slow_simulate(marks: str, config: Config, seed: int) -> RunResult:
    """``simulate`` that takes at least RUN_S seconds, then leaves a mark in ``marks``
    naming its process (bind ``marks`` with ``functools.partial``)."""
    time.sleep(RUN_S)
    result = simulate(config, seed)
    Path(marks, f"{os.getpid()}-{config.fingerprint()[:8]}-{seed}").touch()
    return result


def _workers_with_a_finished_run(marks: Path) -> int:
    return len({mark.name.split("-")[0] for mark in marks.iterdir()})


def _calibration_s(backend: Backend, plan: Plan, folder: Path) -> float:
    """Seconds the backend and a results store take for a tiny batch end to end (two
    chunks of one run, in parallel): what handing back finished runs costs right now."""
    tiny = Plan(plan.cells, [101])
    started = time.perf_counter()
    run_plan(tiny, backend=backend, store=ResultsStore(folder), chunk_size=1, quiet=True)
    return time.perf_counter() - started


def _interrupted_batch(
    backend: Backend, plan: Plan, store: ResultsStore | None, folder: Path, workers: int
) -> tuple[float, float, float]:
    """Start ``backend``, calibrate it (:func:`_calibration_s`), then run ``plan`` with
    ``slow_simulate`` and press Ctrl-C once ``workers`` processes (or threads of one
    process) have finished a run. Returns (the calibration, seconds from Ctrl-C until
    ``run_plan`` gave up, seconds from Ctrl-C until the backend was closed)."""
    marks = folder / "marks"
    marks.mkdir()
    pressed: list[float] = []

    def press() -> None:
        try:
            wait_until(lambda: _workers_with_a_finished_run(marks) >= workers, 120)
        finally:
            pressed.append(time.perf_counter())
            _thread.interrupt_main()

    presser = threading.Thread(target=press, daemon=True)
    run = functools.partial(slow_simulate, str(marks))
    with backend:
        calibration = _calibration_s(backend, plan, folder / "calibration")
        presser.start()
        try:
            run_plan(plan, backend=backend, store=store, chunk_size=CHUNK, run=run, quiet=True)
        except KeyboardInterrupt:
            raised = time.perf_counter()
        else:
            pytest.fail("the batch finished before Ctrl-C")
    closed = time.perf_counter()
    presser.join()
    return calibration, raised - pressed[0], closed - pressed[0]


def test_ctrl_c_stops_the_pool_after_the_current_runs(tmp_path, two_cell_plan):
    plan = Plan(two_cell_plan.cells, list(range(1, CHUNK + 1)))  # two chunks of CHUNK
    backend = ProcessBackend(workers=2)
    store = ResultsStore(tmp_path / "out")
    calibration, _, stopped = _interrupted_batch(backend, plan, store, tmp_path, 2)
    bound = calibrated_bound(calibration, CALIBRATION_FACTOR, FLOOR_S, CHUNK_WAIT_S / 2)
    assert stopped < bound, (stopped, calibration)
    finished = ResultsStore(tmp_path / "out").finished_ids()
    assert len(finished) >= 2  # each worker had finished a run before Ctrl-C
    assert len(finished) < plan.size
    manifest = ResultsStore(tmp_path / "out").manifest
    assert manifest["sessions"][-1]["status"] == "interrupted"
    # the rerun does only what is missing and ends with every run
    resumed = run_plan(plan, store=ResultsStore(tmp_path / "out"))
    assert resumed.skipped == len(finished)
    assert resumed.ran == plan.size - len(finished)


def test_ctrl_c_with_dask_is_acted_on_at_once(tmp_path, two_cell_plan):
    """The Dask backend's wait also looks at signals every POLL_S: Ctrl-C is not held until
    a chunk happens to finish (here a chunk takes CHUNK x RUN_S = 16 s)."""
    from sqm_sim.experiments import DaskBackend

    plan = Plan(two_cell_plan.cells, list(range(1, CHUNK + 1)))
    backend = DaskBackend(workers=2, processes=False)
    calibration, raised, _ = _interrupted_batch(backend, plan, None, tmp_path, 1)
    bound = calibrated_bound(calibration, CALIBRATION_FACTOR, FLOOR_S, CHUNK_WAIT_S / 2)
    assert raised < bound, (raised, calibration)
