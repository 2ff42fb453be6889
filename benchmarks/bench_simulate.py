"""Cost of one simulated order against one customer of a bare SimPy M/M/1 loop, measured in
the same process.

    .venv/bin/python benchmarks/bench_simulate.py [--scenario baseline] [--repeat 5]
        [--memory] [--json]

A bare SimPy M/M/1 queue (arrival process, one Resource, one process per order: the
cheapest way to simulate an order in SimPy) against ``sqm_sim.simulate`` on a scenario
(seed 1), in CPU time (``time.process_time``). Each of ``--repeat`` turns times 50,000
bare customers, one run of the model and 50,000 bare customers again, and divides the
model's CPU microseconds per order placed by the mean of the two bare figures: the ratio
of the turn. On a shared virtual machine a bare customer's cost moves by up to 30 % from
one second to the next, so a ratio is taken within a turn, never across turns, and the
best and the median turn are reported (``bench_instructions.py`` counts instructions
instead, exactly). Not part of the test suite.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import statistics
import time
import tracemalloc
from collections.abc import Callable

import simpy

import sqm_sim
from sqm_sim.models import build_name


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


def cost_ratio_turn(
    config: sqm_sim.Config, turn: int, bare_customers: int = 50_000
) -> tuple[float, float]:
    """(model CPU µs per order, bare CPU µs per customer) of one turn: bare customers, one
    ``simulate`` call (seed 1), bare customers again (the mean of the two)."""
    before = 1e6 / bare_mm1_orders_per_second(bare_customers, 2 * turn, time.process_time)
    start = time.process_time()
    result = sqm_sim.simulate(config, 1)
    model = (time.process_time() - start) / result.summary["orders_placed"] * 1e6
    after = 1e6 / bare_mm1_orders_per_second(bare_customers, 2 * turn + 1, time.process_time)
    return model, (before + after) / 2


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
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--memory", action="store_true", help="also measure peak memory")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    from sqm_sim.cli.main import resolve_config

    config = resolve_config(args.scenario, args.set)
    sqm_sim.simulate(config.with_overrides({"simulation.horizon_months": 1}), 1)  # warm up
    turns = [cost_ratio_turn(config, turn) for turn in range(args.repeat)]
    ratios = sorted(model / bare for model, bare in turns)
    report = {
        "scenario": config.name,
        "overrides": args.set,
        "python": platform.python_version(),
        "model": build_name(),
        "turns": args.repeat,
        "model_cpu_us_per_order_best": round(min(model for model, _ in turns), 2),
        "bare_cpu_us_per_customer_best": round(min(bare for _, bare in turns), 2),
        "cost_ratio_best_turn": round(ratios[0], 3),
        "cost_ratio_median_turn": round(statistics.median(ratios), 3),
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
