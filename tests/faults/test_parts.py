"""Damaged results folders resume (issue 15): a truncated part is quarantined and its runs
rerun (it made every rerun fail with ``ArrowInvalid ... magic bytes``, or, for a time-series
part, went unnoticed until ``report`` failed); torn temporary files left by kills are
removed and a session left "running" by a killed process is marked as such."""

from __future__ import annotations

import json

import pandas as pd

from sqm_sim.experiments import run_plan
from sqm_sim.experiments.store import ResultsStore

EXECUTION_COLUMNS = ["elapsed_s", "worker"]


def _results(runs: pd.DataFrame) -> pd.DataFrame:
    return runs.drop(columns=[c for c in EXECUTION_COLUMNS if c in runs])


def _truncate(path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _damaged_rerun(tmp_path, two_cell_plan, table: str, capsys):
    reference = run_plan(two_cell_plan)
    run_plan(two_cell_plan, store=ResultsStore(tmp_path), chunk_size=2)
    parts = sorted((tmp_path / table).glob("part-*.parquet"))
    assert len(parts) == 4
    _truncate(parts[1])
    capsys.readouterr()
    resumed = run_plan(two_cell_plan, store=ResultsStore(tmp_path), chunk_size=2)
    assert resumed.ran == 2  # the two runs of the damaged part, nothing else
    assert resumed.skipped == two_cell_plan.size - 2
    pd.testing.assert_frame_equal(
        _results(resumed.runs), _results(reference.runs), check_exact=True
    )
    pd.testing.assert_frame_equal(resumed.timeseries(), reference.timeseries(), check_exact=True)
    assert (tmp_path / "quarantine" / table / parts[1].name).is_file()
    assert "quarantine" in capsys.readouterr().err


def test_a_truncated_runs_part_is_quarantined_and_rerun(tmp_path, two_cell_plan, capsys):
    _damaged_rerun(tmp_path, two_cell_plan, "runs", capsys)


def test_a_truncated_timeseries_part_is_quarantined_and_rerun(tmp_path, two_cell_plan, capsys):
    _damaged_rerun(tmp_path, two_cell_plan, "timeseries", capsys)


def test_torn_files_and_dead_sessions_are_cleaned_up(tmp_path, two_cell_plan):
    run_plan(two_cell_plan, store=ResultsStore(tmp_path), chunk_size=4)
    torn = [
        tmp_path / "runs" / ".part-00000000000000000001-x.parquet.4242.tmp",
        tmp_path / "timeseries" / ".part-00000000000000000001-x.parquet.4242.tmp",
    ]
    for path in torn:
        path.write_bytes(b"PAR1 torn")
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    manifest["sessions"][-1]["status"] = "running"  # as a killed process leaves it
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    store = ResultsStore(tmp_path)
    with store.locked():
        again = run_plan(two_cell_plan, store=store)
        store.finish("complete")
    assert again.ran == 0
    assert not any(path.exists() for path in torn)
    sessions = json.loads((tmp_path / "manifest.json").read_text())["sessions"]
    assert sessions[0]["status"] == "died"
    assert sessions[-1]["status"] == "complete"
