"""Speed of the model against a bare SimPy M/M/1 loop measured in the same process.

    .venv/bin/python benchmarks/bench_simulate.py [--scenario baseline] [--repeat 3] [--json]

Reports simulated orders per second of wall time for (a) a minimal SimPy M/M/1 queue
(arrival process, one Resource, one process per order: the cheapest way to simulate an
order in SimPy) and (b) ``sqm_sim.simulate`` on a scenario, and the ratio (b)/(a). Each
figure is the best of ``--repeat`` runs. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import time
import tracemalloc
from collections.abc import Callable

import simpy

import sqm_sim


def bare_mm1_orders_per_second(
    orders: int, seed: int = 1, clock: Callable[[], float] = time.perf_counter
) -> float:
    """Orders per second of a bare SimPy M/M/1 (lambda = 0.9, mu = 1), timed by ``clock``
    (wall time by default; ``time.process_time`` for CPU time)."""
    rng = random.Random(seed)
    env = simpy.Environment()
    server = simpy.Resource(env, capacity=1)

    def order():
        with server.request() as request:
            yield request
            yield env.timeout(rng.expovariate(1.0))

    def arrivals():
        for _ in range(orders):
            yield env.timeout(rng.expovariate(0.9))
            env.process(order())

    env.process(arrivals())
    start = clock()
    env.run()
    return orders / (clock() - start)


def model_orders_per_second(config: sqm_sim.Config, seed: int) -> tuple[float, float, int]:
    """(orders/s, wall seconds, orders) of one ``simulate`` call."""
    start = time.perf_counter()
    result = sqm_sim.simulate(config, seed)
    wall = time.perf_counter() - start
    orders = int(result.summary["orders_placed"])
    return orders / wall, wall, orders


def peak_memory_mb(config: sqm_sim.Config, seed: int) -> float:
    """Peak Python heap allocation of one run (tracemalloc), in MB."""
    tracemalloc.start()
    sqm_sim.simulate(config, seed)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default="baseline")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--memory", action="store_true", help="also measure peak memory")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    from sqm_sim.cli.main import resolve_config

    config = resolve_config(args.scenario, args.set)
    bare = max(bare_mm1_orders_per_second(100_000, seed) for seed in range(args.repeat))
    runs = [model_orders_per_second(config, seed) for seed in range(1, args.repeat + 1)]
    best = max(runs)
    report = {
        "scenario": config.name,
        "overrides": args.set,
        "python": platform.python_version(),
        "bare_simpy_mm1_orders_per_s": round(bare),
        "model_orders_per_s": round(best[0]),
        "model_wall_s": round(best[1], 3),
        "model_orders": best[2],
        "ratio_model_to_bare": round(best[0] / bare, 3),
    }
    if args.memory:
        report["peak_memory_mb"] = round(peak_memory_mb(config, 1), 1)
    if args.json:
        print(json.dumps(report, indent=2))
        return
    for key, value in report.items():
        print(f"{key:<30} {value}")


if __name__ == "__main__":
    main()
