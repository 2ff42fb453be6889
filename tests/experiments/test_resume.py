"""Interrupt a batch and rerun it: finished runs are kept and not run again, and the final
table equals that of an uninterrupted batch. Also: lost workers, the folder's lock and
guard, and the layout on disk."""

from __future__ import annotations

import functools
import json
import os

import pandas as pd
import pytest

from sqm_sim.config import ConfigError
from sqm_sim.experiments import ProcessBackend, ResultsStore, run_plan

from .helpers import CountingRun, crash_on_seed_2, crash_once

EXECUTION_COLUMNS = ["elapsed_s", "worker"]


def _results(runs: pd.DataFrame) -> pd.DataFrame:
    return runs.drop(columns=EXECUTION_COLUMNS)


class StopAfter:
    """An ``on_chunk`` hook that presses Ctrl-C after ``chunks`` chunks."""

    def __init__(self, chunks: int) -> None:
        self.chunks = chunks
        self.seen = 0

    def __call__(self, records) -> None:
        self.seen += 1
        if self.seen == self.chunks:
            raise KeyboardInterrupt


def test_an_interrupted_batch_resumes_without_recomputing(tmp_path, two_cell_plan):
    complete = run_plan(two_cell_plan, store=ResultsStore(tmp_path / "reference"))

    first = CountingRun()
    with pytest.raises(KeyboardInterrupt):
        run_plan(
            two_cell_plan,
            store=ResultsStore(tmp_path / "out"),
            chunk_size=2,
            run=first,
            on_chunk=StopAfter(2),
        )
    assert len(first.calls) == 4  # two chunks of two runs, then Ctrl-C
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert manifest["sessions"][-1]["status"] == "interrupted"
    assert len(list((tmp_path / "out" / "runs").glob("part-*.parquet"))) == 2

    second = CountingRun()
    resumed = run_plan(
        two_cell_plan, store=ResultsStore(tmp_path / "out"), chunk_size=2, run=second
    )
    assert resumed.skipped == 4
    assert resumed.ran == 4
    assert not set(first.calls) & set(second.calls)  # nothing finished was run again
    assert len(first.calls) + len(second.calls) == two_cell_plan.size
    pd.testing.assert_frame_equal(_results(resumed.runs), _results(complete.runs), check_exact=True)
    pd.testing.assert_frame_equal(resumed.timeseries(), complete.timeseries(), check_exact=True)

    third = CountingRun()
    again = run_plan(two_cell_plan, store=ResultsStore(tmp_path / "out"), run=third)
    assert third.calls == []
    assert again.skipped == two_cell_plan.size


def test_stopping_a_process_pool_mid_batch_loses_nothing_finished(tmp_path, two_cell_plan):
    with ProcessBackend(workers=2) as backend, pytest.raises(KeyboardInterrupt):
        run_plan(
            two_cell_plan,
            backend=backend,
            store=ResultsStore(tmp_path),
            chunk_size=1,
            on_chunk=StopAfter(3),
        )
    store = ResultsStore(tmp_path)
    finished = store.finished_ids()
    assert len(finished) >= 3
    resumed = run_plan(two_cell_plan, store=ResultsStore(tmp_path))
    assert resumed.skipped == len(finished)
    assert resumed.ran == two_cell_plan.size - len(finished)
    reference = run_plan(two_cell_plan)
    pd.testing.assert_frame_equal(
        _results(resumed.runs), _results(reference.runs), check_exact=True
    )


def test_a_killed_worker_costs_only_its_run(two_cell_plan):
    """Seed 2 kills its worker process every time. The runs of the lost chunks are rerun
    one at a time: the two seed-2 runs are recorded as failed, every other run completes
    with the same results as without crashes."""
    with ProcessBackend(workers=2) as backend:
        batch = run_plan(two_cell_plan, backend=backend, chunk_size=4, run=crash_on_seed_2)
    failures = batch.failures
    assert sorted(failures["seed"]) == [2, 2]
    assert failures["error"].str.contains("lost while running this run alone").all()
    assert batch.ok_runs["seed"].tolist() == [1, 3, 4, 1, 3, 4]
    reference = run_plan(two_cell_plan)
    ok = reference.runs[reference.runs["seed"] != 2].reset_index(drop=True)
    pd.testing.assert_frame_equal(_results(batch.ok_runs), _results(ok), check_exact=True)


def test_a_worker_killed_once_is_retried_transparently(tmp_path, two_cell_plan):
    crash_once_at_seed_3 = functools.partial(crash_once, str(tmp_path))
    with ProcessBackend(workers=2) as backend:
        batch = run_plan(two_cell_plan, backend=backend, chunk_size=2, run=crash_once_at_seed_3)
    assert batch.failed == 0
    assert (tmp_path / "crashed-3").exists()
    reference = run_plan(two_cell_plan)
    pd.testing.assert_frame_equal(_results(batch.runs), _results(reference.runs), check_exact=True)


def test_store_layout_and_compaction(tmp_path, two_cell_plan):
    store = ResultsStore(tmp_path, {"name": "layout"}, "id-1")
    run_plan(two_cell_plan, store=store, chunk_size=3)
    parts = list((tmp_path / "runs").glob("part-*.parquet"))
    assert len(parts) == 3  # one part per chunk of 3, 3, 2 runs
    assert not list(tmp_path.rglob("*.tmp"))
    store.compact()
    assert len(list((tmp_path / "runs").glob("*.parquet"))) == 1
    runs = pd.read_parquet(tmp_path / "runs")
    series = pd.read_parquet(tmp_path / "timeseries")
    assert len(runs) == two_cell_plan.size
    assert len(series) == two_cell_plan.size * 6
    assert {"run_id", "cell", "cpk", "seed", "config_hash", "status", "npv"} <= set(runs)
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert set(manifest["configs"]) == set(runs["config_hash"])
    assert manifest["seeds"] == two_cell_plan.seeds
    assert {"sqm_sim", "numpy", "simpy"} <= set(manifest["versions"])
    assert manifest["sessions"][0]["runs_run"] == two_cell_plan.size


def test_a_folder_of_another_experiment_is_refused(tmp_path, two_cell_plan):
    run_plan(two_cell_plan, store=ResultsStore(tmp_path, {"name": "one"}, "id-one"))
    with pytest.raises(ConfigError, match="another experiment"):
        ResultsStore(tmp_path, {"name": "two"}, "id-two")


def test_the_folder_lock_keeps_a_second_writer_out(tmp_path):
    store = ResultsStore(tmp_path)
    with (
        store.locked(),
        pytest.raises(ConfigError, match="being written by another process"),
        ResultsStore(tmp_path).locked(),
    ):
        pass
    (tmp_path / ".lock").write_text(f"{os.uname().nodename}:999999999")  # a dead process
    with ResultsStore(tmp_path).locked():
        pass
    assert (tmp_path / ".lock").read_text() == ""  # released: it names no holder
