"""Signals to a running ``sqm-sim compare`` on the process pool (issue 15).

SIGKILL of the main process must leave no worker behind (they lived on forever, ~160 MB
each); SIGTERM is handled like Ctrl-C: one line, exit 130, every finished run kept.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.timing import calibrated_bound, wait_until

SQM_SIM = str(Path(sys.executable).with_name("sqm-sim"))
COMPARE = [
    "compare",
    "baseline",
    "--set",
    "simulation.horizon_months=24",
    "--replications",
    "200",
    "--workers",
    "2",
    "--chunk-size",
    "2",
    "--quiet",
]
"""Hundreds of runs of about a second each, a part on disk every two: it never ends
within a test, and a chunk is on disk soon."""


def children(pid: int) -> list[int]:
    """Live (non-zombie) processes whose parent is ``pid``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        state, ppid = stat.rsplit(")", 1)[1].split()[:2]
        if int(ppid) == pid and state != "Z":
            found.append(int(entry.name))
    return found


def alive(pid: int) -> bool:
    """Whether ``pid`` exists and is not a zombie."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def start_compare(tmp_path: Path) -> tuple[subprocess.Popen, list[int]]:
    """A compare on two workers, once its workers exist: (process, worker pids)."""
    proc = subprocess.Popen(
        [SQM_SIM, *COMPARE, "--out", "out"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        workers = children(proc.pid)
        if len(workers) >= 2:
            return proc, workers
        time.sleep(0.1)
    proc.kill()
    raise AssertionError("the workers never started")


def test_sigkill_of_the_main_process_leaves_no_worker(tmp_path):
    proc, workers = start_compare(tmp_path)
    time.sleep(1.0)
    proc.kill()
    proc.wait(timeout=10)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(alive(pid) for pid in workers):
        time.sleep(0.1)
    left = [pid for pid in workers if alive(pid)]
    for pid in left:  # do not leave them to the next test either
        os.kill(pid, signal.SIGKILL)
    assert left == []


@pytest.mark.slow  # a timing test of a subprocess, 7 s each
@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_sigint_and_sigterm_stop_compare_in_one_line(signum, tmp_path):
    """SIGINT (Ctrl-C) or SIGTERM once a chunk is on disk (an observable event: a busy
    machine starts the workers late). The exit must come within the time the command took
    to get there (start-up and a chunk, measured here), at least 3 s and never over 10 s;
    every part on disk before the signal is still there, the session is "interrupted"."""
    started = time.perf_counter()
    proc, workers = start_compare(tmp_path)
    runs = tmp_path / "out" / "runs"
    try:
        wait_until(lambda: runs.is_dir() and any(runs.glob("part-*.parquet")), 120)
        finished = sorted(runs.glob("part-*.parquet"))
        signalled = time.perf_counter()
        proc.send_signal(signum)
        _, err = proc.communicate(timeout=60)
        exit_s = time.perf_counter() - signalled
    finally:
        for pid in [proc.pid, *workers]:
            if alive(pid):
                os.kill(pid, signal.SIGKILL)
    assert proc.returncode == 130, err
    assert len(err.strip().splitlines()) == 1, err
    assert "interrupted" in err
    assert set(finished) <= set(runs.glob("part-*.parquet"))
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert manifest["sessions"][-1]["status"] == "interrupted"
    bound = calibrated_bound(signalled - started, 1.0, 3.0, 10.0)
    assert exit_s < bound, (exit_s, signalled - started)


def _tables(folder: Path) -> tuple:
    """The runs (without execution columns) and time series of a results folder, sorted."""
    import pandas as pd

    runs = pd.read_parquet(folder / "runs").drop(columns=["elapsed_s", "worker"])
    series = pd.read_parquet(folder / "timeseries")
    return (
        runs.sort_values("run_id").reset_index(drop=True),
        series.sort_values(["run_id", "period"]).reset_index(drop=True),
    )


@pytest.mark.slow
def test_sigkill_mid_batch_three_times_then_the_rerun_equals_an_uninterrupted_run(tmp_path):
    """The main process killed outright (no handler runs) three times, each time at a
    random moment after a new part reached the disk: possibly mid-write of a part or of
    the manifest. The fourth run finishes; its tables equal an uninterrupted run's bit for
    bit, no temporary file is left and the killed sessions are marked "died"."""
    import random

    import pandas as pd

    from tests.experiments.conftest import TINY

    sets = [arg for key, value in TINY.items() for arg in ("--set", f"{key}={value}")]
    compare = [SQM_SIM, "compare", "baseline", "--replications", "30", *sets]
    compare += ["--backend", "serial", "--chunk-size", "1", "--quiet"]
    done = subprocess.run([*compare, "--out", "reference"], cwd=tmp_path, capture_output=True)
    assert done.returncode == 0, done.stderr
    runs = tmp_path / "out" / "runs"
    pause = random.Random(15)
    for _ in range(3):
        before = len(list(runs.glob("part-*.parquet"))) if runs.is_dir() else 0
        proc = subprocess.Popen([*compare, "--out", "out"], cwd=tmp_path)
        try:
            wait_until(lambda seen=before: len(list(runs.glob("part-*.parquet"))) > seen, 120)
            time.sleep(pause.uniform(0.0, 0.3))
            assert proc.poll() is None, "the batch ended before it was killed"
        finally:
            proc.kill()
            proc.wait(timeout=30)
    done = subprocess.run([*compare, "--out", "out"], cwd=tmp_path, capture_output=True)
    assert done.returncode == 0, done.stderr
    for mended, reference in zip(
        _tables(tmp_path / "out"), _tables(tmp_path / "reference"), strict=True
    ):
        pd.testing.assert_frame_equal(mended, reference, check_exact=True)
    assert not list((tmp_path / "out").rglob("*.tmp"))
    sessions = json.loads((tmp_path / "out" / "manifest.json").read_text())["sessions"]
    assert [s["status"] for s in sessions] == ["died", "died", "died", "complete"]
