"""A real Dask cluster: a scheduler and two workers started with Dask's own command-line
tools on 127.0.0.1, an experiment run through ``sqm-sim experiment run --backend dask
--scheduler tcp://127.0.0.1:PORT``, one worker killed in the middle of the batch, and the
per-run results compared with a serial run of the same experiment."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from .conftest import TINY_TOML

pytestmark = pytest.mark.slow

DASK = Path(sys.executable).with_name("dask")
REPLICATIONS = 30
"""Seeds per cell; two cells: enough runs that the batch is still going when a worker dies."""

EXPERIMENT = f"""
description = "two portfolios of the tiny company, for the cluster test"
replications = {REPLICATIONS}
kpi = "npv"

[overrides]
{TINY_TOML}

[design]
type = "grid"
scenarios = ["baseline"]
portfolios = ["none", "balanced"]
"""


def _wait_for(condition, timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"gave up waiting for {what} after {timeout_s} s")
        time.sleep(0.1)


def _start(args: list[str], log: Path) -> subprocess.Popen:
    """A process in a session of its own, so that killing its group takes its children
    (a worker's nanny and the worker process it started) with it."""
    with log.open("w") as out:
        return subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)


def _kill(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=30)


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[tuple[str, list[subprocess.Popen]]]:
    """(scheduler address, [worker 1, worker 2]): Dask's CLI, random free ports."""
    assert DASK.exists(), f"dask's command-line tool not found at {DASK}"
    scheduler_file = tmp_path / "scheduler.json"
    processes = [
        _start(
            [
                str(DASK),
                "scheduler",
                "--host",
                "127.0.0.1",
                "--port",
                "0",
                "--no-dashboard",
                "--scheduler-file",
                str(scheduler_file),
            ],
            tmp_path / "scheduler.log",
        )
    ]
    try:
        _wait_for(scheduler_file.exists, 60, "the scheduler file")
        _wait_for(lambda: scheduler_file.stat().st_size > 0, 10, "the scheduler address")
        address = json.loads(scheduler_file.read_text())["address"]
        workers = [
            _start(
                [
                    str(DASK),
                    "worker",
                    "--scheduler-file",
                    str(scheduler_file),
                    "--host",
                    "127.0.0.1",
                    "--nthreads",
                    "1",
                    "--no-dashboard",
                    "--name",
                    f"worker-{index}",
                ],
                tmp_path / f"worker-{index}.log",
            )
            for index in (1, 2)
        ]
        processes += workers
        from distributed import Client

        with Client(address, timeout="30s") as client:
            client.wait_for_workers(2, timeout=90)
        yield address, workers
    finally:
        for process in reversed(processes):
            _kill(process)


def _sqm_sim(*args: str) -> list[str]:
    return [sys.executable, "-m", "sqm_sim.cli", *args]


def _runs(folder: Path) -> pd.DataFrame:
    return pd.read_parquet(folder / "runs").sort_values("run_id").reset_index(drop=True)


def test_a_killed_worker_does_not_change_the_results(cluster, tmp_path: Path):
    address, workers = cluster
    spec = tmp_path / "cluster.toml"
    spec.write_text(EXPERIMENT)
    on_cluster, serial = tmp_path / "on_cluster", tmp_path / "serial"
    batch = subprocess.Popen(
        _sqm_sim(
            "experiment",
            "run",
            str(spec),
            "--out",
            str(on_cluster),
            "--backend",
            "dask",
            "--scheduler",
            address,
            "--chunk-size",
            "2",
            "--quiet",
        ),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        # mid-batch: the first chunks are on disk, the batch is still running
        _wait_for(
            lambda: any((on_cluster / "runs").glob("part-*.parquet")) or batch.poll() is not None,
            120,
            "the first finished chunk",
        )
        finished_before_kill = len(list((on_cluster / "runs").glob("part-*.parquet")))
        still_running = batch.poll() is None
        _kill(workers[0])
        output, _ = batch.communicate(timeout=300)
    finally:
        if batch.poll() is None:
            batch.kill()
    assert still_running, f"the batch ended before a worker could be killed:\n{output}"
    assert finished_before_kill < REPLICATIONS, "most of the batch was done before the kill"
    assert batch.returncode == 0, output
    assert workers[1].poll() is None, "the surviving worker died too"

    done = subprocess.run(
        _sqm_sim("experiment", "run", str(spec), "--out", str(serial), "--backend", "serial"),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    dask_runs, serial_runs = _runs(on_cluster), _runs(serial)
    assert len(dask_runs) == len(serial_runs) == 2 * REPLICATIONS
    assert (dask_runs["status"] == "ok").all()
    where = ["elapsed_s", "worker"]  # how long and on which host: the rest must be equal
    assert "npv" in serial_runs.columns
    pd.testing.assert_frame_equal(
        dask_runs.drop(columns=where), serial_runs.drop(columns=where), check_exact=True
    )
    manifest = json.loads((on_cluster / "manifest.json").read_text())
    assert address in json.dumps(manifest), "the manifest does not name the scheduler"
