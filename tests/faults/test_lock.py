"""The results folder's lock under a race between two processes (issue 15: an empty lock
file was taken for a stale one and deleted, so a second process could take a live lock
between the owner's exclusive create and its write: 1,106 overlaps in 3,000 attempts)."""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sqm_sim.config import ConfigError
from sqm_sim.experiments.store import ResultsStore

ATTEMPTS = 300


def contend(folder: str, attempts: int, overlaps) -> None:
    """Take the lock ``attempts`` times; count the times someone else was inside too."""
    inside = Path(folder) / "inside"
    taken = 0
    while taken < attempts:
        try:
            with ResultsStore(folder).locked():
                try:
                    fd = os.open(inside, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
                except FileExistsError:
                    with overlaps.get_lock():
                        overlaps.value += 1
                    continue
                os.close(fd)
                os.unlink(inside)
                taken += 1
        except ConfigError:
            continue


def test_two_processes_never_hold_the_lock_at_once(tmp_path):
    context = multiprocessing.get_context("fork")
    overlaps = context.Value("i", 0)
    workers = [
        context.Process(target=contend, args=(str(tmp_path), ATTEMPTS, overlaps)) for _ in range(2)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    assert [worker.exitcode for worker in workers] == [0, 0]
    assert overlaps.value == 0


HOLD = """
import sys, time
from sqm_sim.experiments.store import ResultsStore
with ResultsStore(sys.argv[1]).locked():
    print("held", flush=True)
    time.sleep(30)
"""


def test_a_live_holder_is_named_and_a_dead_one_frees_the_lock(tmp_path):
    (tmp_path / ".lock").write_text("")  # an empty lock file means nothing by itself
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(tmp_path)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        second = ResultsStore(tmp_path)
        with (
            pytest.raises(
                ConfigError, match=f"being written by another process .PID {holder.pid} "
            ),
            second.locked(),
        ):
            pass
    finally:
        holder.kill()
        holder.wait()
    deadline = time.monotonic() + 5
    while True:  # the kernel frees the lock of a killed process
        try:
            with ResultsStore(tmp_path).locked():
                break
        except ConfigError:
            assert time.monotonic() < deadline
            time.sleep(0.05)
