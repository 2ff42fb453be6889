"""Throughput of the experiment engine's backends: serial, local processes, Dask.

    .venv/bin/python benchmarks/bench_backends.py [--runs 40] [--months 24] [--customers 300]
        [--workers 2] [--repeat 2] [--skip-dask] [--json]

1. **Model runs** of a small scenario (the baseline company scaled to ``--customers``
   customers over ``--months`` months; about 0.3 s a run): runs per second on the serial
   backend, on ``--workers`` local processes and on a Dask ``LocalCluster`` with as many
   single-threaded worker processes; speed-up and parallel efficiency
   (speed-up / workers). Start-up time of the pool or cluster is reported separately and
   left out of the rates (it is paid once per command). ``worker_busy_share`` is the time
   the workers spent inside runs over wall time x workers: how well the engine keeps them
   busy, whatever the speed of each run (on a machine shared with other jobs the runs
   themselves slow down, which lowers the speed-up but not this share).
2. **Per-run overhead** with a run function that does no simulation (it returns a summary
   and a 12-month time series of the same size as a real run's): what the engine and the
   backend cost per run, at several chunk sizes: wall time per run on the serial backend
   (engine bookkeeping only), and wall time x workers / runs on processes and Dask.

Each figure is the best of ``--repeat`` repetitions (the backends take turns). Not part of
the test suite.
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from typing import Any

import numpy as np
import pandas as pd

import sqm_sim
from sqm_sim.experiments import DaskBackend, ProcessBackend, SerialBackend, run_plan
from sqm_sim.experiments.backends import Backend
from sqm_sim.experiments.plan import Cell, Plan


class NoRun:
    """What a run returns, without running: a summary and a time series of real size."""

    def __init__(self, summary: dict[str, float], timeseries: pd.DataFrame) -> None:
        self.summary = summary
        self.timeseries = timeseries


def no_simulation(config: sqm_sim.Config, seed: int) -> NoRun:
    """A run function that costs (almost) nothing: 99 KPIs, 12 rows x 98 columns."""
    summary = {f"kpi_{i}": float(seed + i) for i in range(99)}
    columns = {f"column_{i}": np.full(12, float(seed)) for i in range(97)}
    return NoRun(summary, pd.DataFrame({"period": np.arange(1, 13), **columns}))


def small_config(months: int, customers: int) -> sqm_sim.Config:
    """The baseline company with ``customers`` customers (fixed cost scaled with them)."""
    scale = customers / 1500
    return sqm_sim.load_scenario("baseline").with_overrides(
        {
            "simulation.horizon_months": months,
            "market.initial_customers": customers,
            "environment.competitor_customers": customers,
            "finance.fixed_cost_per_month": 40000.0 * scale,
        }
    )


def timed_batch(
    plan: Plan, backend: Backend, chunk_size: int | None, run: Any = sqm_sim.simulate
) -> tuple[float, pd.DataFrame]:
    """(wall seconds, runs table) of one batch on a started backend."""
    start = time.perf_counter()
    batch = run_plan(plan, backend=backend, chunk_size=chunk_size, run=run, quiet=True)
    wall = time.perf_counter() - start
    if batch.failed:
        raise RuntimeError(f"{batch.failed} runs failed: {batch.failures['error'].iloc[0]}")
    return wall, batch.runs


def started(backend: Backend) -> tuple[Backend, float]:
    """Start a backend; return it and its start-up time (seconds)."""
    start = time.perf_counter()
    backend.start()
    if isinstance(backend, ProcessBackend | DaskBackend):  # warm every worker's imports
        run_plan(
            Plan([Cell("warm", {}, sqm_sim.Config())], [0]),
            backend=backend,
            run=no_simulation,
            quiet=True,
        )
    return backend, time.perf_counter() - start


def model_throughput(args: argparse.Namespace) -> dict[str, Any]:
    """Runs per second of the model on each backend, with speed-up and efficiency. The
    backends take turns, repetition by repetition, so that a noisy neighbour on a shared
    machine slows them alike; each figure is the fastest repetition."""
    config = small_config(args.months, args.customers)
    plans = [
        Plan([Cell("small", {}, config)], list(range(r * args.runs, (r + 1) * args.runs)))
        for r in range(args.repeat)
    ]
    backends: dict[str, Backend] = {"serial": SerialBackend()}
    startup = {"serial": 0.0}
    backends["processes"], startup["processes"] = started(ProcessBackend(args.workers))
    if not args.skip_dask:
        backends["dask"], startup["dask"] = started(
            DaskBackend(workers=args.workers, processes=True)
        )
    best: dict[str, tuple[float, pd.DataFrame]] = {}
    try:
        for plan in plans:
            for name, backend in backends.items():
                outcome = timed_batch(plan, backend, None)
                if name not in best or outcome[0] < best[name][0]:
                    best[name] = outcome
    finally:
        for backend in backends.values():
            backend.close()
    serial_wall, serial_runs = best["serial"]
    report: dict[str, Any] = {
        "serial": {
            "runs": args.runs,
            "wall_s": round(serial_wall, 3),
            "runs_per_s": round(args.runs / serial_wall, 3),
            "mean_run_s": round(float(serial_runs["elapsed_s"].mean()), 4),
        }
    }
    for name in backends:
        if name == "serial":
            continue
        wall, runs = best[name]
        speedup = serial_wall / wall
        report[name] = {
            "workers": args.workers,
            "startup_s": round(startup[name], 3),
            "wall_s": round(wall, 3),
            "runs_per_s": round(args.runs / wall, 3),
            "speedup": round(speedup, 3),
            "parallel_efficiency": round(speedup / args.workers, 3),
            "efficiency_with_startup": round(
                serial_wall / (wall + startup[name]) / args.workers, 3
            ),
            "mean_run_s": round(float(runs["elapsed_s"].mean()), 4),
            "worker_busy_share": round(float(runs["elapsed_s"].sum()) / (wall * args.workers), 3),
        }
    return report


def overhead_per_run(args: argparse.Namespace) -> dict[str, Any]:
    """Engine and backend cost per run (ms), by chunk size, with a no-simulation run."""
    plan = Plan([Cell("none", {}, sqm_sim.Config())], list(range(args.overhead_runs)))
    report: dict[str, Any] = {}
    serial = SerialBackend()
    for chunk in (1, 8):
        wall = min(timed_batch(plan, serial, chunk, no_simulation)[0] for _ in range(args.repeat))
        report[f"serial_chunk_{chunk}_ms"] = round(1000 * wall / args.overhead_runs, 3)
    backends: list[tuple[str, Backend]] = [("processes", ProcessBackend(args.workers))]
    if not args.skip_dask:
        backends.append(("dask", DaskBackend(workers=args.workers, processes=True)))
    for name, backend in backends:
        backend, _ = started(backend)
        try:
            for chunk in (1, 4, 16):
                wall = min(
                    timed_batch(plan, backend, chunk, no_simulation)[0] for _ in range(args.repeat)
                )
                per_run = 1000 * wall * args.workers / args.overhead_runs
                report[f"{name}_chunk_{chunk}_ms"] = round(per_run, 3)
        finally:
            backend.close()
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=40, help="model runs per batch")
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--customers", type=int, default=300)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--overhead-runs", type=int, default=400)
    parser.add_argument("--skip-dask", action="store_true")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    report = {
        "python": platform.python_version(),
        "scenario": f"baseline, {args.customers} customers, {args.months} months",
        "model": model_throughput(args),
        "overhead_per_run": overhead_per_run(args),
    }
    if args.json:
        print(json.dumps(report, indent=2))
        return
    print(f"{report['scenario']} | python {report['python']}")
    for name, figures in report["model"].items():
        print(f"{name:<10} " + "  ".join(f"{k} {v}" for k, v in figures.items()))
    print("overhead per run (ms; no simulation):")
    for key, value in report["overhead_per_run"].items():
        print(f"  {key:<26} {value}")


if __name__ == "__main__":
    main()
