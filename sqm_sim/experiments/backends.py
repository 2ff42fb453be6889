"""Execution backends: where chunks of runs are executed, behind one small interface.

Every backend offers ``submit(fn, *args) -> future``, ``wait_first(futures)`` and
``cancel(futures)`` in the style of :mod:`concurrent.futures`, and is a context manager
that starts and stops its workers:

- ``serial``: in this process, one chunk at a time (no start-up cost; for debugging);
- ``processes``: a :class:`~concurrent.futures.ProcessPoolExecutor` on this machine,
  one worker per core by default. Workers are forked when this process has no other thread
  (fast and safe), otherwise started from a fork server that has imported sqm_sim once
  (safe with threads; about 2 s to start). Workers leave Ctrl-C to the parent, which stops
  them in their current run and keeps the runs they finished;
- ``dask``: a ``dask.distributed`` client connected to a scheduler address (the route off
  one machine: every worker needs the same version of sqm_sim installed), or to a
  ``LocalCluster`` of worker processes started for the batch.

A run is a pure function of (config, seed), so the results do not depend on the backend.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from ..config import ConfigError
from ..run.provenance import package_versions
from .backend_names import BACKENDS

POLL_S = 0.2
"""Longest wait for a result before the main thread looks at signals again (seconds)."""


def local_cores() -> int:
    """Cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


class Backend:
    """Base class: a place to run chunks. ``workers`` is the number of chunks that run at
    once; ``name`` one of :data:`BACKENDS`."""

    name = "base"
    in_flight_per_worker = 2
    """Chunks kept submitted per worker, so that a worker never waits for the next one."""

    def __init__(self, workers: int) -> None:
        self.workers = workers

    def __enter__(self) -> Backend:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def start(self) -> None:
        """Start the workers (idempotent)."""

    def close(self) -> None:
        """Stop the workers, cancelling whatever has not started."""

    def restart(self) -> None:
        """Replace workers that were lost (a killed process); the default does nothing."""

    def submit(self, fn: Callable[..., Any], *args: Any) -> Any:
        """Schedule ``fn(*args)``; return a future."""
        raise NotImplementedError

    def wait_first(self, futures: Iterable[Any]) -> tuple[set[Any], set[Any]]:
        """Block until at least one future is done; return (done, not done). Waits in
        short slices: a Ctrl-C delivered to another thread of this process (the pool's
        manager, the progress bar) is acted on within :data:`POLL_S`, not when a chunk
        happens to finish."""
        futures = list(futures)
        while True:
            done, pending = wait(futures, timeout=POLL_S, return_when=FIRST_COMPLETED)
            if done or not pending:
                return set(done), set(pending)

    def cancel(self, futures: Iterable[Any]) -> None:
        """Cancel futures that have not started."""
        for future in futures:
            future.cancel()

    def stop(self, futures: Iterable[Any], grace_s: float) -> set[Any]:
        """Ctrl-C: cancel what has not started, ask the workers to end their chunks after
        the current run, and return the futures done within ``grace_s`` seconds (their
        finished runs are kept). The default only cancels."""
        futures = list(futures)
        self.cancel(futures)
        return {future for future in futures if _done_ok(future)}

    def describe(self) -> dict[str, Any]:
        """What ran the batch, for the manifest."""
        return {"backend": self.name, "workers": self.workers}


def _done_ok(future: Any) -> bool:
    """Whether ``future`` finished with a result (not cancelled, not failed)."""
    try:
        return bool(future.done() and not future.cancelled() and future.exception() is None)
    except Exception:
        return False


class SerialBackend(Backend):
    """Runs each chunk in this process as it is submitted."""

    name = "serial"
    in_flight_per_worker = 1  # a chunk runs when submitted: nothing to keep waiting

    def __init__(self) -> None:
        super().__init__(workers=1)

    def submit(self, fn: Callable[..., Any], *args: Any) -> Future:
        future: Future = Future()
        try:
            future.set_result(fn(*args))
        except Exception as exc:
            future.set_exception(exc)
        return future


def _process_context(start_method: str) -> multiprocessing.context.BaseContext:
    methods = multiprocessing.get_all_start_methods()
    if start_method == "auto":
        if "fork" in methods and threading.active_count() == 1:
            start_method = "fork"
        elif "forkserver" in methods:
            start_method = "forkserver"
        else:
            start_method = "spawn"
    if start_method not in methods:
        raise ConfigError(
            f"start method '{start_method}' is not available here (available: {methods})"
        )
    context = multiprocessing.get_context(start_method)
    if start_method == "forkserver":
        context.set_forkserver_preload(["sqm_sim.experiments.worker"])
    return context


class ProcessBackend(Backend):
    """A pool of local worker processes (default: one per core)."""

    name = "processes"

    def __init__(self, workers: int | None = None, start_method: str = "auto") -> None:
        super().__init__(workers or local_cores())
        self.start_method = start_method
        self._executor: ProcessPoolExecutor | None = None
        self._stop_event: Any = None
        self._stopping = False

    def start(self) -> None:
        if self._executor is None:
            from .worker import ignore_interrupts  # pandas and the model: not for --help

            context = _process_context(self.start_method)
            self._stop_event = context.Event()
            self._stopping = False
            self._executor = ProcessPoolExecutor(
                max_workers=self.workers,
                mp_context=context,
                initializer=ignore_interrupts,
                initargs=(self._stop_event,),
            )
            self.start_method = context.get_start_method()
            # start the workers now, before the caller starts any thread (progress bar)
            self._executor.submit(int).result()

    def close(self) -> None:
        if self._executor is not None:
            if self._stopping:  # after Ctrl-C: whatever still runs is abandoned
                _terminate(self._executor)
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None

    def stop(self, futures: Iterable[Any], grace_s: float) -> set[Any]:
        futures = list(futures)
        self._stopping = True
        if self._stop_event is not None:
            self._stop_event.set()
        self.cancel(futures)
        running = [future for future in futures if not future.cancelled()]
        if running:
            wait(running, timeout=grace_s)
        return {future for future in running if _done_ok(future)}

    def restart(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None
        self.start()

    def submit(self, fn: Callable[..., Any], *args: Any) -> Future:
        self.start()
        assert self._executor is not None
        try:
            return self._executor.submit(fn, *args)
        except BrokenProcessPool:
            self.restart()
            return self._executor.submit(fn, *args)

    def describe(self) -> dict[str, Any]:
        return {**super().describe(), "start_method": self.start_method}


def _terminate(executor: ProcessPoolExecutor) -> None:
    """End the pool's worker processes now (after Ctrl-C and its grace period)."""
    processes = getattr(executor, "_processes", None) or {}
    for process in list(processes.values()):
        if process.is_alive():
            process.terminate()


class DaskBackend(Backend):
    """A ``dask.distributed`` client: to ``scheduler`` (an address such as
    ``tcp://10.0.0.5:8786``) or, without one, to a ``LocalCluster`` of ``workers`` worker
    processes with one thread each."""

    name = "dask"

    def __init__(
        self,
        scheduler: str | None = None,
        workers: int | None = None,
        processes: bool = True,
        connect_timeout_s: float = 20.0,
    ) -> None:
        super().__init__(workers or local_cores())
        self.scheduler = scheduler
        self.processes = processes
        self.connect_timeout_s = connect_timeout_s
        self._client: Any = None
        self._cluster: Any = None
        self.worker_versions: dict[str, Any] = {}

    def start(self) -> None:
        if self._client is not None:
            return
        try:
            from distributed import Client, LocalCluster
        except ImportError:
            raise ConfigError(
                "the dask backend needs dask.distributed: pip install 'dask[distributed]'"
            ) from None
        if self.scheduler:
            try:
                self._client = Client(self.scheduler, timeout=f"{self.connect_timeout_s}s")
            except (OSError, TimeoutError) as exc:
                raise ConfigError(
                    f"cannot connect to the Dask scheduler at {self.scheduler!r}: {exc}"
                ) from None
        else:
            self._cluster = LocalCluster(
                n_workers=self.workers,
                threads_per_worker=1,
                processes=self.processes,
                dashboard_address=None,
                silence_logs=logging.ERROR,
            )
            self._client = Client(self._cluster)
        self.workers = max(1, sum(self._client.nthreads().values()))
        self.worker_versions = self._client.run(package_versions)

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None
        if self._cluster is not None:
            self._cluster.close()
            self._cluster = None

    def submit(self, fn: Callable[..., Any], *args: Any) -> Any:
        self.start()
        return self._client.submit(fn, *args, pure=False)

    def wait_first(self, futures: Iterable[Any]) -> tuple[set[Any], set[Any]]:
        from distributed import wait as dask_wait

        futures = list(futures)
        while True:  # in slices, like the base class: Ctrl-C is acted on within POLL_S
            try:
                done, pending = dask_wait(futures, timeout=POLL_S, return_when="FIRST_COMPLETED")
            except TimeoutError:
                continue
            return set(done), set(pending)

    def cancel(self, futures: Iterable[Any]) -> None:
        futures = list(futures)
        if futures and self._client is not None:
            self._client.cancel(futures)

    def describe(self) -> dict[str, Any]:
        where = self.scheduler or ("LocalCluster" + ("" if self.processes else " (threads)"))
        versions = sorted({str(v.get("sqm_sim")) for v in self.worker_versions.values()})
        return {**super().describe(), "scheduler": where, "worker_sqm_sim_versions": versions}


def make_backend(
    name: str = "processes", workers: int | None = None, scheduler: str | None = None
) -> Backend:
    """A backend by name; :class:`ConfigError` for an unknown name or bad arguments."""
    if name not in BACKENDS:
        raise ConfigError(f"backend = {name!r}: unknown (allowed: {', '.join(BACKENDS)})")
    if workers is not None and workers < 1:
        raise ConfigError(f"workers = {workers}: must be at least 1")
    if scheduler and name != "dask":
        raise ConfigError(f"a scheduler address ({scheduler}) needs --backend dask")
    if name == "serial":
        return SerialBackend()
    if name == "processes":
        return ProcessBackend(workers)
    return DaskBackend(scheduler, workers)
