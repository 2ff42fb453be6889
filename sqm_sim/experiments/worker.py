"""What a worker does with a chunk of runs: rebuild the configs, simulate, record outcomes.

This is the only code that runs on a worker (a local process or a Dask worker). Configs
travel as plain data (``Config.to_dict()``) and are rebuilt with ``Config.from_mapping``;
the rebuilt config's fingerprint must match the one the plan computed, which catches a
worker running a different version of sqm_sim. A run that raises is recorded with its
traceback and the chunk goes on.
"""

from __future__ import annotations

import os
import signal
import socket
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from ..config import Config
from ..run import simulate
from .plan import RunTask

RunFunction = Callable[[Config, int], Any]
"""``run(config, seed)`` returning an object with ``.summary`` (dict of floats) and
``.timeseries`` (DataFrame, one row per period), like :func:`sqm_sim.simulate`."""

_CONFIG_CACHE: dict[str, Config] = {}
_CACHE_LIMIT = 256


@dataclass(frozen=True)
class Chunk:
    """Several runs sent to a worker at once: tasks, their configs as plain data by
    fingerprint, and whether to send back the time series."""

    tasks: tuple[RunTask, ...]
    configs: dict[str, dict[str, Any]]
    keep_timeseries: bool = True


@dataclass
class RunRecord:
    """The outcome of one run. ``status`` is ``"ok"`` or ``"failed"``; ``elapsed_s`` is the
    wall time of the run in seconds; ``worker`` names the host and process that ran it."""

    task: RunTask
    status: str
    elapsed_s: float
    worker: str
    summary: dict[str, float] | None = None
    timeseries: pd.DataFrame | None = None
    error: str | None = None
    traceback: str | None = None


class ConfigMismatchError(RuntimeError):
    """The worker rebuilt a config with another fingerprint than the plan's."""


def _config(config_hash: str, data: dict[str, Any]) -> Config:
    config = _CONFIG_CACHE.get(config_hash)
    if config is None:
        config = Config.from_mapping(data)
        rebuilt = config.fingerprint()
        if rebuilt != config_hash:
            raise ConfigMismatchError(
                f"config {config_hash} rebuilt on the worker with fingerprint {rebuilt}: the "
                "worker runs another version of sqm_sim or its dependencies"
            )
        if len(_CONFIG_CACHE) >= _CACHE_LIMIT:
            _CONFIG_CACHE.clear()
        _CONFIG_CACHE[config_hash] = config
    return config


def worker_name() -> str:
    """``host:pid`` of the current process."""
    return f"{socket.gethostname()}:{os.getpid()}"


def failed_record(task: RunTask, error: BaseException, elapsed_s: float = 0.0) -> RunRecord:
    """A failed run with the exception's message and traceback."""
    return RunRecord(
        task=task,
        status="failed",
        elapsed_s=elapsed_s,
        worker=worker_name(),
        error=f"{type(error).__name__}: {error}",
        traceback="".join(traceback.format_exception(error)),
    )


def run_task(
    task: RunTask, config_data: dict[str, Any], run: RunFunction, keep_timeseries: bool = True
) -> RunRecord:
    """Run one task; any exception becomes a failed record."""
    start = time.perf_counter()
    try:
        config = _config(task.config_hash, config_data)
        result = run(config, task.seed)
        summary = {str(key): float(value) for key, value in result.summary.items()}
        series = result.timeseries if keep_timeseries else None
    except Exception as exc:
        return failed_record(task, exc, time.perf_counter() - start)
    return RunRecord(
        task=task,
        status="ok",
        elapsed_s=time.perf_counter() - start,
        worker=worker_name(),
        summary=summary,
        timeseries=series,
    )


_STOP: Any = None
"""In a pool worker: the pool's stop event (set by the parent on Ctrl-C); else None."""


class StopRequestedError(BaseException):
    """Raised inside a pool worker's run when the parent stops the batch (a BaseException,
    so that :func:`run_task` does not record it as a failed run)."""


def stop_requested() -> bool:
    """Whether the parent asked the workers to stop."""
    return _STOP is not None and _STOP.is_set()


def _raise_stop(signum: int, frame: Any) -> None:
    raise StopRequestedError


def execute_chunk(chunk: Chunk, run: RunFunction = simulate) -> list[RunRecord]:
    """Run the tasks of ``chunk`` in order; never raises for a failing run. In a pool
    worker, a stop from the parent (or Ctrl-C) ends the run in progress and returns the
    runs finished so far: the others are simply not done, and a rerun does them."""
    records: list[RunRecord] = []
    in_pool = _STOP is not None
    if in_pool:
        signal.signal(signal.SIGINT, _raise_stop)
    try:
        for task in chunk.tasks:
            if stop_requested():
                break
            config_data = chunk.configs[task.config_hash]
            records.append(run_task(task, config_data, run, chunk.keep_timeseries))
    except StopRequestedError:
        pass
    finally:
        if in_pool:
            signal.signal(signal.SIGINT, signal.SIG_IGN)  # a late signal is dropped
    return records


def _watch(stop: Any) -> None:
    """Worker thread: when the parent sets ``stop``, interrupt the run in progress."""
    stop.wait()
    os.kill(os.getpid(), signal.SIGINT)


def ignore_interrupts(stop: Any = None) -> None:
    """Worker-process initialiser: Ctrl-C is the parent's to act on; it stops the batch by
    setting ``stop`` (a multiprocessing event), which ends the chunk in progress (see
    :func:`execute_chunk`)."""
    global _STOP
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # a forked worker inherits the CLI's
    _STOP = stop
    if stop is not None:
        threading.Thread(target=_watch, args=(stop,), daemon=True).start()
    threading.Thread(target=_watch_parent, args=(os.getppid(),), daemon=True).start()


PARENT_POLL_S = 0.5
"""How often a pool worker checks that its parent still lives (seconds)."""


def _watch_parent(parent: int) -> None:
    """Worker thread: end this worker when its parent is gone (killed with SIGKILL, the
    pool cannot tell its workers; they would wait for work forever)."""
    while os.getppid() == parent:
        time.sleep(PARENT_POLL_S)
    os._exit(1)
