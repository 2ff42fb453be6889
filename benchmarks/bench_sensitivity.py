"""Cost of a sensitivity analysis: the pipeline's own overhead and the model runs.

    .venv/bin/python benchmarks/bench_sensitivity.py [--n 64] [--runs 20] [--json]

1. **Pipeline overhead per design point**: a Sobol design of the default space (18
   parameters, ``n (D + 2)`` points) built and validated (one config per point), run on the
   serial backend with a run function that does no simulation, and analysed with SALib
   (1,000 bootstrap resamples, three KPIs). Milliseconds per point for each stage.
2. **Model runs at the quick size** (the baseline at 1/5 scale, 24 months): seconds per
   run and orders per second, against a bare SimPy M/M/1 loop measured in the same process
   (the ratio is what to compare between machines), and the projected wall time of the
   shipped Sobol experiment (``experiments/sensitivity/sobol_baseline.toml``: 5,152 runs)
   on 2 workers.

Not part of the test suite.
"""

from __future__ import annotations

import argparse
import json
import time
from types import SimpleNamespace
from typing import Any

import pandas as pd
from bench_simulate import bare_mm1_orders_per_second

import sqm_sim
from sqm_sim.scenarios.sizes import at_size
from sqm_sim.sensitivity import parse_sensitivity, prepare_sensitivity, run_sensitivity

KPIS = ["npv", "retention_rate_annual", "mean_satisfaction"]


def no_simulation(config: sqm_sim.Config, seed: int) -> SimpleNamespace:
    """A run that costs nothing: the three KPIs from two config values."""
    price, switching = config.finance.unit_price, config.environment.switching_cost
    summary = {"npv": price * 1000.0, "retention_rate_annual": switching, "mean_satisfaction": 0.8}
    return SimpleNamespace(summary=summary, timeseries=pd.DataFrame())


def pipeline_overhead(n: int) -> dict[str, Any]:
    """Milliseconds per design point to build, run (without simulation) and analyse."""
    spec = parse_sensitivity({"method": "sobol", "n": n, "kpis": KPIS, "noise_points": 0})
    start = time.perf_counter()
    prepared = prepare_sensitivity(spec)
    built = time.perf_counter()
    outcome = run_sensitivity(spec, prepared=prepared, run=no_simulation)
    done = time.perf_counter()
    points = prepared.design.size
    return {
        "design_points": points,
        "build_and_validate_ms_per_point": 1000 * (built - start) / points,
        "engine_and_analysis_ms_per_point": 1000 * (done - built) / points,
        "total_s": done - start,
        "indices_rows": len(outcome.indices),
    }


def quick_runs(runs: int) -> dict[str, Any]:
    """Seconds per quick-size baseline run, orders/s, and the bare SimPy ratio."""
    config = at_size(sqm_sim.load_scenario("baseline"), "quick")
    start = time.perf_counter()
    orders = 0
    for seed in range(1, runs + 1):
        orders += int(sqm_sim.simulate(config, seed).summary["orders_placed"])
    elapsed = time.perf_counter() - start
    model_rate = orders / elapsed
    bare_rate = bare_mm1_orders_per_second(orders)
    per_run = elapsed / runs
    shipped_runs = 256 * (18 + 2) + 8 * 4
    return {
        "runs": runs,
        "seconds_per_run": per_run,
        "orders_per_run": orders / runs,
        "model_orders_per_s": model_rate,
        "bare_simpy_orders_per_s": bare_rate,
        "ratio_to_bare_simpy": model_rate / bare_rate,
        "projected_sobol_baseline_s_on_2_workers": shipped_runs * per_run / 2,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=64, help="Sobol base samples (power of 2)")
    parser.add_argument("--runs", type=int, default=20, help="quick-size runs to time")
    parser.add_argument("--json", action="store_true", help="print JSON")
    args = parser.parse_args()
    results = {"pipeline": pipeline_overhead(args.n), "quick_runs": quick_runs(args.runs)}
    if args.json:
        print(json.dumps(results, indent=2))
        return
    for part, figures in results.items():
        print(part)
        for name, value in figures.items():
            shown = f"{value:,.4g}" if isinstance(value, float) else f"{value:,}"
            print(f"  {name}: {shown}")


if __name__ == "__main__":
    main()
