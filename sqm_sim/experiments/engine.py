"""Running a plan: skip what is done, send chunks to a backend, stream outcomes to a store.

:func:`run_plan` is the one place where runs are executed. It

1. asks the store which runs of the plan already finished (``ok``) and leaves them out;
2. cuts the rest into chunks of several runs (fewer round trips to the workers) and keeps
   a few chunks per worker in flight;
3. writes each chunk's outcomes to the store as soon as it returns, updates the progress
   bar and calls ``on_chunk``;
4. treats a chunk whose *future* fails (a killed worker, a broken pool, a lost Dask worker)
   as lost: once the chunks in flight have returned, its runs are rerun one at a time, each
   alone on the backend, so that a crash can be pinned on the run that causes it; a run
   whose worker is lost while it runs alone is recorded as failed, the others complete.
   A run that raises inside ``run`` is recorded as failed at once (it would raise again);
5. on Ctrl-C stops the workers after (or, in a process pool, in) their current run, keeps
   every run that finished (also those of unfinished chunks), marks the session interrupted
   and re-raises: the rerun skips what is on disk. Any other exception (from ``on_chunk``)
   cancels what has not started, marks the session interrupted and re-raises.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import pandas as pd

from ..run import simulate
from .backends import Backend, SerialBackend
from .plan import Plan, RunTask
from .progress import progress_bar
from .store import MemoryStore, Store
from .worker import Chunk, RunFunction, RunRecord, execute_chunk, failed_record

T = TypeVar("T")

STOP_GRACE_S = 3.0
"""After Ctrl-C, how long the runs in progress may take to finish (and be kept)."""

MAX_AUTO_CHUNK = 8
"""Largest chunk chosen automatically (runs): bounds the work lost to an interruption."""

CHUNKS_PER_WORKER = 8
"""Automatic chunks aim at this many chunks per worker, for load balance."""


class WorkerLostError(RuntimeError):
    """A run's worker died (or its result was lost) while the run ran alone."""


@dataclass
class BatchResult:
    """The outcome of :func:`run_plan`.

    ``runs``: one row per run of the plan that is in the store (``ok`` or ``failed``), in
    plan order (cell by cell, seeds ascending); ``ran``: runs executed by this call;
    ``skipped``: runs found finished; ``wall_time_s``: seconds this call took.
    """

    plan: Plan
    runs: pd.DataFrame
    store: Store
    ran: int
    skipped: int
    wall_time_s: float

    @property
    def failures(self) -> pd.DataFrame:
        """Rows of failed runs: cell, labels, seed, error and traceback."""
        if self.runs.empty:
            return self.runs
        return self.runs[self.runs["status"] == "failed"].reset_index(drop=True)

    @property
    def failed(self) -> int:
        """Number of runs of the plan whose outcome is a failure."""
        return len(self.failures)

    @property
    def ok_runs(self) -> pd.DataFrame:
        """Rows of runs that finished without error."""
        if self.runs.empty:
            return self.runs
        return self.runs[self.runs["status"] == "ok"].reset_index(drop=True)

    def timeseries(self) -> pd.DataFrame:
        """The time series of the plan's runs (one row per run x period), in plan order."""
        series = self.store.timeseries(self.runs["run_id"] if not self.runs.empty else [])
        return _plan_order(series, list(self.plan.tasks()))


def batched(items: Sequence[T], size: int) -> Iterator[list[T]]:
    """Consecutive slices of ``items`` of length ``size`` (the last may be shorter)."""
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


def auto_chunk_size(runs: int, workers: int) -> int:
    """Runs per chunk: about :data:`CHUNKS_PER_WORKER` chunks per worker, between 1 and
    :data:`MAX_AUTO_CHUNK`."""
    if runs <= 0:
        return 1
    return max(1, min(MAX_AUTO_CHUNK, math.ceil(runs / (CHUNKS_PER_WORKER * workers))))


def _chunk(tasks: Iterable[RunTask], plan: Plan, keep_timeseries: bool) -> Chunk:
    tasks = tuple(tasks)
    configs = {t.config_hash: plan.configs[t.config_hash] for t in tasks}
    return Chunk(tasks, configs, keep_timeseries)


def _plan_order(runs: pd.DataFrame, tasks: Sequence[RunTask]) -> pd.DataFrame:
    """Rows sorted by their run's position in the plan (stable within a run)."""
    if runs.empty:
        return runs
    position = {task.run_id: index for index, task in enumerate(tasks)}
    order = runs["run_id"].map(position)
    ordered = runs.assign(_pos=order).sort_values("_pos", kind="stable")
    return ordered.drop(columns="_pos").reset_index(drop=True)


def _keep(records: list[RunRecord], store: Store, plan: Plan, bar: Any) -> int:
    """Store a chunk's records and count them; returns how many runs they are (a chunk
    stopped by Ctrl-C before its first run finished has none)."""
    if not records:
        return 0
    store.write_chunk(records, plan)
    failed = sum(record.status != "ok" for record in records)
    store.add_counts(runs_run=len(records), runs_failed=failed)
    bar.update(len(records))
    if failed:
        bar.set_postfix(failed=store.session.get("runs_failed", failed))
    return len(records)


def run_plan(
    plan: Plan,
    *,
    backend: Backend | None = None,
    store: Store | None = None,
    chunk_size: int | None = None,
    run: RunFunction = simulate,
    keep_timeseries: bool = True,
    quiet: bool = False,
    description: str = "runs",
    on_chunk: Callable[[list[RunRecord]], Any] | None = None,
) -> BatchResult:
    """Run every run of ``plan`` that the store does not hold yet; return them all.

    ``backend``: where to run (default: serial, in this process; the caller starts and
    stops it, so one backend can serve several plans); ``store``: where outcomes go
    (default: memory); ``chunk_size``: runs per chunk (default :func:`auto_chunk_size`);
    ``run``: the run function, ``sqm_sim.simulate`` unless a test injects another (it must
    be picklable for the process and Dask backends); ``keep_timeseries``: also store every
    run's time series; ``quiet``: no progress bar; ``on_chunk``: called with each chunk's
    records after they are stored.
    """
    clock = time.perf_counter()
    backend = backend or SerialBackend()
    store = store if store is not None else MemoryStore()
    if chunk_size is not None and chunk_size < 1:
        raise ValueError(f"chunk_size = {chunk_size}: must be at least 1")
    tasks = list(plan.tasks())
    finished = store.finished_ids()
    todo = [task for task in tasks if task.run_id not in finished]
    store.begin(plan, backend.describe())
    size = chunk_size or auto_chunk_size(len(todo), backend.workers)
    queue = deque(_chunk(part, plan, keep_timeseries) for part in batched(todo, size))
    suspects: deque[RunTask] = deque()  # runs of lost chunks, to be rerun in isolation
    window = max(1, backend.in_flight_per_worker * backend.workers)
    pending: dict[Any, tuple[Chunk, bool]] = {}  # future -> (chunk, ran in isolation)
    ran = 0
    bar = progress_bar(len(tasks), len(tasks) - len(todo), quiet=quiet, description=description)
    store.add_counts(runs_skipped=len(tasks) - len(todo))
    try:
        while queue or pending or suspects:
            if suspects and not pending:
                alone = _chunk([suspects.popleft()], plan, keep_timeseries)
                pending[backend.submit(execute_chunk, alone, run)] = (alone, True)
            while not suspects and queue and len(pending) < window:
                chunk = queue.popleft()
                pending[backend.submit(execute_chunk, chunk, run)] = (chunk, False)
            done, _ = backend.wait_first(list(pending))
            for future in done:
                chunk, isolated = pending.pop(future)
                try:
                    records = future.result()
                except Exception as exc:  # the chunk was lost, not a run that raised
                    if not isolated:
                        suspects.extend(chunk.tasks)
                        continue
                    lost = WorkerLostError(
                        f"the worker was lost while running this run alone: {exc!r}"
                    )
                    lost.__cause__ = exc
                    records = [failed_record(task, lost) for task in chunk.tasks]
                ran += _keep(records, store, plan, bar)
                if on_chunk is not None:
                    on_chunk(records)
    except KeyboardInterrupt:
        # stop after the runs in progress and keep every run that finished
        for future in backend.stop(list(pending), STOP_GRACE_S):
            pending.pop(future, None)
            _keep(future.result(), store, plan, bar)
        store.finish("interrupted")
        raise
    except BaseException:
        backend.cancel(list(pending))
        store.finish("interrupted")
        raise
    finally:
        bar.close()
    store.flush()
    runs = _plan_order(store.runs(task.run_id for task in tasks), tasks)
    return BatchResult(plan, runs, store, ran, len(tasks) - len(todo), time.perf_counter() - clock)
