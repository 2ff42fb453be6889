"""Signals to a running ``sqm-sim compare`` on the process pool (issue 15).

SIGKILL of the main process must leave no worker behind (they lived on forever, ~160 MB
each); SIGTERM is handled like Ctrl-C: one line, exit 130, every finished run kept.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

SQM_SIM = str(Path(sys.executable).with_name("sqm-sim"))
COMPARE = ["compare", "baseline", "--replications", "40", "--workers", "2", "--quiet"]


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


def test_sigterm_is_handled_like_ctrl_c(tmp_path):
    proc, workers = start_compare(tmp_path)
    time.sleep(8.0)
    proc.send_signal(signal.SIGTERM)
    started = time.monotonic()
    try:
        _, err = proc.communicate(timeout=30)
    finally:
        for pid in [proc.pid, *workers]:
            if alive(pid):
                os.kill(pid, signal.SIGKILL)
    assert time.monotonic() - started < 5.0
    assert proc.returncode == 130, err
    assert len(err.strip().splitlines()) == 1, err
    assert "interrupted" in err
    assert list((tmp_path / "out" / "runs").glob("*.parquet"))
