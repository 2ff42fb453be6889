"""Damaged results folders resume (issue 15): a truncated part is quarantined and its runs
rerun (it made every rerun fail with ``ArrowInvalid ... magic bytes``, or, for a time-series
part, went unnoticed until ``report`` failed); so is a part whose bytes changed inside an
intact Parquet file, found by the SHA-256 the manifest records for every part; a part the
manifest lists but the folder lacks is run again; torn temporary files left by kills are
removed and a session left "running" by a killed process is marked as such."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys

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


def _dead_pid() -> int:
    """The id of a process that has ended."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_torn_files_and_dead_sessions_are_cleaned_up(tmp_path, two_cell_plan):
    run_plan(two_cell_plan, store=ResultsStore(tmp_path), chunk_size=4)
    dead = _dead_pid()
    torn = [
        tmp_path / "runs" / f".part-00000000000000000001-x.parquet.{dead}.tmp",
        tmp_path / "timeseries" / f".part-00000000000000000001-x.parquet.{dead}.tmp",
        tmp_path / f".manifest.json.{dead}.tmp",
    ]
    for path in torn:
        path.write_bytes(b"PAR1 torn")
    with subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"]) as writer:
        live = tmp_path / f".summary.csv.{writer.pid}.tmp"  # another process writes it now
        live.write_bytes(b"being written")
        manifest = json.loads((tmp_path / "manifest.json").read_text())
        manifest["sessions"][-1]["status"] = "running"  # as a killed process leaves it
        (tmp_path / "manifest.json").write_text(json.dumps(manifest))
        store = ResultsStore(tmp_path)
        with store.locked():
            again = run_plan(two_cell_plan, store=store)
            store.finish("complete")
        writer.kill()
    assert again.ran == 0
    assert not any(path.exists() for path in torn)
    assert live.exists()
    sessions = json.loads((tmp_path / "manifest.json").read_text())["sessions"]
    assert sessions[0]["status"] == "died"
    assert sessions[-1]["status"] == "complete"


def _flip_a_data_byte(path) -> None:
    """Change one byte inside the data of a Parquet file, leaving its header and footer
    (and so its metadata) intact: the damage only the checksum sees."""
    import pyarrow.parquet as pq

    data = bytearray(path.read_bytes())
    column = pq.read_metadata(path).row_group(0).column(0)
    offset = column.data_page_offset + column.total_compressed_size // 2
    data[offset] ^= 0x01
    path.write_bytes(bytes(data))
    pq.read_metadata(path)  # the footer still reads


def test_every_part_is_indexed_with_its_rows_and_checksum(tmp_path, two_cell_plan):
    import pyarrow.parquet as pq

    store = ResultsStore(tmp_path)
    run_plan(two_cell_plan, store=store, chunk_size=3)
    store.finish("complete")
    index = json.loads((tmp_path / "manifest.json").read_text())["parts"]
    on_disk = sorted(tmp_path.glob("*/part-*.parquet"))
    assert sorted(index) == sorted(f"{p.parent.name}/{p.name}" for p in on_disk)
    assert len(on_disk) == 6  # 8 runs in chunks of 3, two tables
    for part in on_disk:
        recorded = index[f"{part.parent.name}/{part.name}"]
        assert recorded["rows"] == pq.read_metadata(part).num_rows
        assert recorded["sha256"] == hashlib.sha256(part.read_bytes()).hexdigest()
    assert sum(index[k]["rows"] for k in index if k.startswith("runs/")) == two_cell_plan.size
    store.compact()
    store.finish("complete")
    index = json.loads((tmp_path / "manifest.json").read_text())["parts"]
    assert sorted(index) == sorted(f"{p.parent.name}/{p.name}" for p in tmp_path.glob("*/part-*"))
    assert [index[k]["rows"] for k in sorted(index) if k.startswith("runs/")] == [8]


def test_a_part_changed_inside_an_intact_file_is_quarantined_and_rerun(
    tmp_path, two_cell_plan, capsys
):
    reference = run_plan(two_cell_plan)
    store = ResultsStore(tmp_path)
    run_plan(two_cell_plan, store=store, chunk_size=2)
    store.finish("complete")
    part = sorted((tmp_path / "runs").glob("part-*.parquet"))[2]
    _flip_a_data_byte(part)
    capsys.readouterr()
    resumed = run_plan(two_cell_plan, store=ResultsStore(tmp_path), chunk_size=2)
    assert resumed.ran == 2
    pd.testing.assert_frame_equal(
        _results(resumed.runs), _results(reference.runs), check_exact=True
    )
    assert (tmp_path / "quarantine" / "runs" / part.name).is_file()
    err = capsys.readouterr().err
    assert "checksum" in err
    assert part.name in err


def test_a_listed_part_that_is_gone_is_rerun(tmp_path, two_cell_plan, capsys):
    reference = run_plan(two_cell_plan)
    store = ResultsStore(tmp_path)
    run_plan(two_cell_plan, store=store, chunk_size=2)
    store.finish("complete")
    part = sorted((tmp_path / "runs").glob("part-*.parquet"))[1]
    part.unlink()
    capsys.readouterr()
    resumed = run_plan(two_cell_plan, store=ResultsStore(tmp_path), chunk_size=2)
    assert resumed.ran == 2
    pd.testing.assert_frame_equal(
        _results(resumed.runs), _results(reference.runs), check_exact=True
    )
    assert "missing" in capsys.readouterr().err
    index = json.loads((tmp_path / "manifest.json").read_text())["parts"]
    assert f"runs/{part.name}" not in index


def test_a_part_written_after_the_last_manifest_save_is_checked_and_adopted(
    tmp_path, two_cell_plan, capsys
):
    """A kill between a part's rename and the next manifest save leaves a whole part the
    index does not list: it decodes, so it is kept (and listed), not run again."""
    store = ResultsStore(tmp_path)
    run_plan(two_cell_plan, store=store, chunk_size=2)
    store.finish("complete")
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    unlisted = sorted(key for key in manifest["parts"] if key.startswith("runs/"))[0]
    recorded = manifest["parts"].pop(unlisted)
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    capsys.readouterr()
    resumed = run_plan(two_cell_plan, store=ResultsStore(tmp_path), chunk_size=2)
    assert resumed.ran == 0
    assert capsys.readouterr().err == ""
    assert json.loads((tmp_path / "manifest.json").read_text())["parts"][unlisted] == recorded


def test_report_refuses_a_damaged_part_and_the_rerun_mends_it(tmp_path, capsys):
    """The real command line: a byte changed in a compared folder's time series (which the
    report charts). ``report`` says the part is damaged (it charted what it read before);
    the same ``compare`` again quarantines the chunk, reruns its runs, and the report is
    written."""
    from sqm_sim.cli import main
    from tests.experiments.conftest import TINY

    folder = tmp_path / "cmp"
    sets = [arg for key, value in TINY.items() for arg in ("--set", f"{key}={value}")]
    compare = ["compare", "baseline", "--replications", "3", *sets, "--backend", "serial"]
    assert main([*compare, "--quiet", "--out", str(folder)]) == 0
    reference = pd.read_parquet(folder / "timeseries")
    (part,) = (folder / "timeseries").glob("part-*.parquet")  # compacted: one part
    _flip_a_data_byte(part)
    capsys.readouterr()
    assert main(["report", str(folder)]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err
    for needle in (part.name, "checksum", "rerun"):
        assert needle in err
    assert main([*compare, "--quiet", "--out", str(folder)]) == 0
    assert "quarantine" in capsys.readouterr().err
    mended = pd.read_parquet(folder / "timeseries")
    order = ["run_id", "period"] if "period" in reference else ["run_id"]
    pd.testing.assert_frame_equal(
        mended.sort_values(order).reset_index(drop=True),
        reference.sort_values(order).reset_index(drop=True),
        check_exact=True,
    )
    assert main(["report", str(folder)]) == 0
