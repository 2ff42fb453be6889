"""The results store: runs stream to disk as chunks finish, and a rerun skips what is done.

Layout of a results folder::

    manifest.json            experiment, resolved configs by fingerprint, cells, seeds,
                             package versions, and one entry per session (backend, timing)
    runs/part-*.parquet      one row per run: run_id, cell, cell labels, seed, config_hash,
                             status ("ok" / "failed"), elapsed_s, worker, error, traceback,
                             then every summary KPI
    timeseries/part-*.parquet  one row per run x period: run_id, cell, seed, then the
                             run's time-series columns

Each finished chunk adds one part file per table, written to a temporary name and renamed
(atomic on POSIX): a part is either complete or absent. The manifest indexes every part
with its row count and SHA-256 (:mod:`~sqm_sim.experiments.parts`); before a rerun reads
the folder, a part that fails its check is moved to ``quarantine/`` and its runs are run
again. The runs part is written last, so
a run counts as finished only once its KPIs are on disk. Interrupt a batch and rerun the
same command: runs whose id (from cell, config fingerprint and seed) has status ``ok`` are
skipped; failed runs are tried again. When a batch completes, the parts of each table are
merged into one file (``compact``), so ``pandas.read_parquet(folder / "runs")`` reads the
whole table. Readers keep one row per run id (an ``ok`` row over a failed one, the latest
over older ones) and one row per run id and period.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, Protocol

import pandas as pd

from ..config import ConfigError
from ..run.provenance import package_versions, utc_now
from . import atomic
from . import parts as part_index
from .manifest import experiment_dir_entry, read_manifest
from .plan import Plan
from .tables import dedupe_runs, dedupe_timeseries, records_to_frames, select_runs
from .worker import RunRecord

MANIFEST_INTERVAL_S = 5.0
"""Least time between two rewrites of the manifest while a batch runs (seconds)."""

MANIFEST_WRITE_SHARE = 0.05
"""Largest share of the main process's time spent rewriting the manifest while a batch
runs: a manifest that takes ``t`` seconds to write (it holds every config; a sensitivity
design has thousands) is rewritten at most every ``t / share`` seconds."""


def engine_versions() -> dict[str, str]:
    """Versions of the packages the engine runs on (progress bar, Dask), if installed."""
    from importlib import metadata

    versions = {}
    for name in ("tqdm", "dask", "distributed"):
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return versions


class Store(Protocol):
    """Where the engine puts the outcomes of runs: :class:`MemoryStore` (this process only)
    or :class:`ResultsStore` (a results folder, resumable). ``path`` is the folder, or None
    in memory."""

    @property
    def path(self) -> Path | None: ...

    session: dict[str, Any]

    def begin(self, plan: Plan, backend: dict[str, Any]) -> None: ...
    def add_counts(self, **counts: int) -> None: ...
    def write_chunk(self, records: Sequence[RunRecord], plan: Plan) -> None: ...
    def finished_ids(self) -> set[str]: ...
    def runs(self, run_ids: Iterable[str] | None = None) -> pd.DataFrame: ...
    def timeseries(self, run_ids: Iterable[str] | None = None) -> pd.DataFrame: ...
    def flush(self) -> None: ...
    def finish(self, status: str = "complete") -> None: ...
    def compact(self) -> None: ...
    def locked(self) -> contextlib.AbstractContextManager[Any]: ...


def _add_counts(session: dict[str, Any], counts: dict[str, int]) -> None:
    """Add ``counts`` to the counters of ``session``."""
    for key, value in counts.items():
        session[key] = session.get(key, 0) + value


class MemoryStore:
    """Keeps results in memory (no resume across processes); a :class:`Store`."""

    def __init__(self) -> None:
        self._runs: list[pd.DataFrame] = []
        self._series: list[pd.DataFrame] = []
        self.session: dict[str, Any] = {}

    @property
    def path(self) -> None:
        """No folder: results live in this process."""
        return None

    def begin(self, plan: Plan, backend: dict[str, Any]) -> None:
        """Note that ``plan`` is about to run on ``backend``."""
        self.session.setdefault("backend", backend)

    def add_counts(self, **counts: int) -> None:
        """Add to the counters of the current session."""
        _add_counts(self.session, counts)

    def write_chunk(self, records: Sequence[RunRecord], plan: Plan) -> None:
        """Keep the outcomes of a finished chunk."""
        runs, series = records_to_frames(records, plan)
        self._runs.append(runs)
        if not series.empty:
            self._series.append(series)

    def finished_ids(self) -> set[str]:
        """Ids of runs that finished without error."""
        runs = self.runs()
        return set(runs.loc[runs["status"] == "ok", "run_id"]) if not runs.empty else set()

    def runs(self, run_ids: Iterable[str] | None = None) -> pd.DataFrame:
        """The runs table (deduplicated), optionally only the given run ids."""
        frame = pd.concat(self._runs, ignore_index=True) if self._runs else pd.DataFrame()
        return select_runs(dedupe_runs(frame), run_ids)

    def timeseries(self, run_ids: Iterable[str] | None = None) -> pd.DataFrame:
        """The time-series table (deduplicated), optionally only the given run ids."""
        frame = pd.concat(self._series, ignore_index=True) if self._series else pd.DataFrame()
        return select_runs(dedupe_timeseries(frame), run_ids)

    def finish(self, status: str = "complete") -> None:
        """End the session."""
        self.session["status"] = status

    def flush(self) -> None:
        """Save the session's counters (nothing to save in memory)."""

    def compact(self) -> None:
        """Nothing to merge in memory."""

    @contextlib.contextmanager
    def locked(self) -> Iterator[MemoryStore]:
        """Nothing to lock in memory."""
        yield self


class ResultsStore:
    """A results folder (see the module docstring); a :class:`Store`. ``experiment``
    describes what is run (it goes into the manifest); ``experiment_id`` identifies it: a
    folder holding another experiment's results is refused rather than mixed."""

    def __init__(
        self,
        path: str | Path,
        experiment: dict[str, Any] | None = None,
        experiment_id: str | None = None,
    ) -> None:
        self.path: Path = Path(path)
        self.session: dict[str, Any] = {}
        self.experiment = experiment or {}
        self.experiment_id = experiment_id
        if self.path.exists() and not self.path.is_dir():
            raise ConfigError(f"results folder {self.path} exists and is not a folder")
        self.manifest_path = self.path / "manifest.json"
        self.manifest = self._read_manifest()
        known = self.manifest.get("experiment_id")
        if self.manifest and experiment_id and not known:
            raise ConfigError(
                f"{self.path} holds results of another kind (not an experiment's); "
                "choose another output folder"
            )
        if known and experiment_id and known != experiment_id:
            raise ConfigError(
                f"{self.path} holds the results of another experiment "
                f"('{self.manifest.get('experiment', {}).get('name', '?')}', id {known}); "
                "choose another output folder or remove it"
            )
        self._session_index: int | None = None
        self._write_cost_s = 0.0
        self._parts_checked = False

    # -- manifest ---------------------------------------------------------------------

    def _read_manifest(self) -> dict[str, Any]:
        if not self.manifest_path.is_file():
            return {}
        return read_manifest(self.path)

    def _write_manifest(self) -> None:
        start = time.perf_counter()
        self.path.mkdir(parents=True, exist_ok=True)
        text = json.dumps(self.manifest, indent=2, default=str) + "\n"
        atomic.write_bytes(self.manifest_path, text.encode("utf-8"))
        self._write_cost_s = time.perf_counter() - start

    def begin(self, plan: Plan, backend: dict[str, Any]) -> None:
        manifest = self.manifest
        manifest.setdefault("created_utc", utc_now())
        manifest["experiment"] = self.experiment or manifest.get("experiment", {})
        if self.experiment_id:
            manifest["experiment_id"] = self.experiment_id
        manifest["versions"] = {**package_versions(), **engine_versions()}
        configs = manifest.setdefault("configs", {})
        configs.update(plan.configs)
        cells = {c["cell"]: c for c in manifest.get("cells", [])}
        for entry in plan.describe()["cells"]:
            cells[entry["cell"]] = entry
        manifest["cells"] = list(cells.values())
        seeds = manifest.setdefault("seeds", [])
        known_seeds = set(seeds)
        seeds.extend(seed for seed in plan.seeds if seed not in known_seeds)
        sessions = manifest.setdefault("sessions", [])
        if self._session_index is None:
            sessions.append(
                {
                    "started_utc": utc_now(),
                    "status": "running",
                    **backend,
                    "runs_run": 0,
                    "runs_failed": 0,
                    "runs_skipped": 0,
                    "wall_time_s": 0.0,
                }
            )
            self._session_index = len(sessions) - 1
            self._clock = time.perf_counter()
            self._last_write = 0.0
        self.session = sessions[self._session_index]
        self._write_manifest()

    def add_counts(self, **counts: int) -> None:
        """Add to the session's counters; the manifest is rewritten at most every few
        seconds (it holds every config, and can be large)."""
        _add_counts(self.session, counts)
        if self._session_index is not None:
            now = time.perf_counter()
            self.session["wall_time_s"] = round(now - self._clock, 3)
            self.session["finished_utc"] = utc_now()
            interval = max(MANIFEST_INTERVAL_S, self._write_cost_s / MANIFEST_WRITE_SHARE)
            if now - self._last_write > interval:
                self._write_manifest()
                self._last_write = now

    def flush(self) -> None:
        if self._session_index is not None:
            self._write_manifest()
            self._last_write = time.perf_counter()

    def finish(self, status: str = "complete") -> None:
        if self._session_index is None:
            return
        self.session["status"] = status
        self.session["finished_utc"] = utc_now()
        self.session["wall_time_s"] = round(time.perf_counter() - self._clock, 3)
        self._write_manifest()

    # -- tables -----------------------------------------------------------------------

    def _parts(self, table: str) -> list[Path]:
        return sorted((self.path / table).glob("part-*.parquet"))

    def _check_parts(self) -> None:
        """Once per store: check every part against the manifest's part index
        (:mod:`~sqm_sim.experiments.parts`). A part that fails (a kill or a full disk
        mid-write, damage on disk) moves to ``quarantine/`` with the other table's part of
        the same chunk, so that the chunk's runs are simply run again; a part the index
        lists but the folder lacks is dropped from the index (its runs, if no other part
        holds them, are run again). Each is reported in one warning line."""
        if self._parts_checked:
            return
        self._parts_checked = True
        index = part_index.index_of(self.manifest)
        damaged: dict[str, str] = {}  # chunk key -> why
        present: set[str] = set()
        for table in TABLES:
            for part in self._parts(table):
                key = part_index.part_key(part)
                present.add(key)
                check = part_index.check_part(part, index.get(key))
                if check.problem is not None:
                    damaged.setdefault(_chunk_key(part), f"{key}: {check.problem}")
                else:
                    index[key] = check.entry
        missing = sorted(key for key in index if key not in present)
        for key in missing:
            del index[key]
        if missing:
            print(
                f"sqm-sim: warning: {len(missing)} part(s) recorded in the manifest of "
                f"{self.path} are missing ({missing[0]}{', ...' if len(missing) > 1 else ''});"
                " any run only they held is run again",
                file=sys.stderr,
            )
        if damaged:
            self._quarantine(damaged, index)

    def _quarantine(self, damaged: dict[str, str], index: dict[str, Any]) -> None:
        """Move the parts of the ``damaged`` chunks (chunk key -> why) to ``quarantine/``."""
        moved = 0
        for table in TABLES:
            for part in self._parts(table):
                if _chunk_key(part) in damaged:
                    target = self.path / "quarantine" / table / part.name
                    target.parent.mkdir(parents=True, exist_ok=True)
                    os.replace(part, target)
                    index.pop(part_index.part_key(part), None)
                    moved += 1
        first = next(iter(damaged.values()))
        print(
            f"sqm-sim: warning: {moved} damaged part(s) of {self.path} moved to quarantine/ "
            f"({first}{'; ...' if len(damaged) > 1 else ''}); their runs are run again",
            file=sys.stderr,
        )

    def _recover(self) -> None:
        """With the lock held (nobody else writes here): remove the temporary files of
        writes that were killed (parts, the manifest, tables), and mark sessions left
        "running" as "died"."""
        for folder in (self.path, *(self.path / table for table in TABLES)):
            for torn in folder.glob(".*.tmp"):
                if not atomic.writer_alive(torn):
                    torn.unlink(missing_ok=True)
        sessions = self.manifest.get("sessions", [])
        dead = [
            session
            for index, session in enumerate(sessions)
            if session.get("status") == "running" and index != self._session_index
        ]
        for session in dead:
            session["status"] = "died"
        if dead:
            self._write_manifest()

    def _new_part_name(self, key: str) -> str:
        return f"part-{time.time_ns():020d}-{key}.parquet"

    def write_chunk(self, records: Sequence[RunRecord], plan: Plan) -> None:
        runs, series = records_to_frames(records, plan)
        key = records[0].task.run_id if records else "empty"
        if not series.empty:
            self._write_part(series, self.path / "timeseries" / self._new_part_name(key))
        self._write_part(runs, self.path / "runs" / self._new_part_name(key))

    def _write_part(self, frame: pd.DataFrame, path: Path) -> None:
        """Write one part atomically and record its rows and SHA-256 in the part index
        (saved with the manifest)."""
        sha256 = atomic.write_frame(frame, path)
        index = part_index.index_of(self.manifest)
        index[part_index.part_key(path)] = part_index.entry(len(frame), sha256)

    def finished_ids(self) -> set[str]:
        self._check_parts()
        parts = self._parts("runs")
        if not parts:
            return set()
        import pyarrow.parquet as pq

        # the two columns of every part as one dataset: far cheaper than part by part
        table = pq.ParquetDataset(parts).read(columns=["run_id", "status"])
        runs, statuses = table.column("run_id").to_pylist(), table.column("status").to_pylist()
        return {run for run, status in zip(runs, statuses, strict=True) if status == "ok"}

    def _read(self, table: str) -> pd.DataFrame:
        self._check_parts()
        frames = [pd.read_parquet(part) for part in self._parts(table)]
        frames = [frame for frame in frames if not frame.empty]
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()

    def runs(self, run_ids: Iterable[str] | None = None) -> pd.DataFrame:
        return select_runs(dedupe_runs(self._read("runs")), run_ids)

    def timeseries(self, run_ids: Iterable[str] | None = None) -> pd.DataFrame:
        return select_runs(dedupe_timeseries(self._read("timeseries")), run_ids)

    def compact(self) -> None:
        """Merge each table's parts into one part (written before the old ones go)."""
        for table, dedupe in (("runs", dedupe_runs), ("timeseries", dedupe_timeseries)):
            table_parts = self._parts(table)
            if len(table_parts) <= 1:
                continue
            merged = dedupe(self._read(table))
            self._write_part(merged, self.path / table / self._new_part_name("compact"))
            index = part_index.index_of(self.manifest)
            for part in table_parts:
                part.unlink(missing_ok=True)
                index.pop(part_index.part_key(part), None)

    # -- lock -------------------------------------------------------------------------

    @contextlib.contextmanager
    def locked(self) -> Iterator[ResultsStore]:
        """Hold an advisory lock (``fcntl.flock``) on ``.lock`` in the folder while writing,
        so two commands do not interleave. The kernel frees it when the holder exits, even
        when killed; the file itself only names the last holder, for the message."""
        import fcntl

        self.path.mkdir(parents=True, exist_ok=True)
        lock = self.path / ".lock"
        fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 200, 0).decode("utf-8", "replace").strip()
            os.close(fd)
            host, _, pid = holder.rpartition(":")
            who = f" (PID {pid} on {host})" if pid else ""
            raise ConfigError(
                f"{self.path} is being written by another process{who}; wait for it to finish"
            ) from None
        try:
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{socket.gethostname()}:{os.getpid()}".encode(), 0)
            self._recover()
            yield self
        finally:
            os.ftruncate(fd, 0)
            os.close(fd)  # releases the lock


TABLES = ("runs", "timeseries")
"""The tables of a results folder, one sub-folder of Parquet parts each."""


def _chunk_key(part: Path) -> str:
    """The chunk a part belongs to: ``part-<time>-<key>.parquet`` -> key (the runs and
    time-series parts of one chunk share it)."""
    return part.stem.split("-", 2)[-1]


class _Spec(Protocol):
    """What :func:`open_store` needs of an experiment, sensitivity or exploration spec."""

    def model_dump(self, *, mode: str) -> dict[str, Any]: ...

    def experiment_id(self) -> str: ...


def open_store(
    out: str | Path | None,
    spec: _Spec,
    base_dir: Path | None,
    kind: str | None = None,
    **manifest: Any,
) -> Store:
    """The results folder ``out`` of ``spec`` (in memory if ``out`` is None), its manifest
    naming the results ``kind`` (if given), the folder the spec's relative paths are read
    from (``base_dir``, else the working directory) and any further ``manifest`` entries."""
    if out is None:
        return MemoryStore()
    store = ResultsStore(out, spec.model_dump(mode="json"), spec.experiment_id())
    if kind is not None:
        store.manifest["kind"] = kind
    store.manifest["experiment_dir"] = experiment_dir_entry(base_dir or Path.cwd(), Path(out))
    store.manifest.update(manifest)
    return store
