"""Does the cost of one simulated order stay flat as the customer base grows?

    .venv/bin/python benchmarks/bench_scaling.py [--customers 2500 10000 40000 100000]
        [--months 12] [--repeat 2] [--rounds R [--fresh]] [--profile] [--json]

The baseline company is scaled to each number of customers at time 0 with
:func:`sqm_sim.scenarios.sizes.scale_overrides` (prospects, the competitor's customers,
operators, desk agents, shipping capacity and stock levels grow with it; the cycle time
shrinks, so the lines keep their utilisation): demand and capacity grow together, and
every rate and share of the company stays that of the baseline. For each size it reports
the CPU time (``time.process_time``) per order placed, best of ``--repeat`` runs, the
peak resident memory of this process after the size has run (sizes run in ascending
order, so it is that size's peak), and the CPU cost of one customer of a bare SimPy M/M/1
queue measured in this process just before (``bench_simulate.bare_mm1_orders_per_second``),
with the ratio of the two. Then the exponent b of a least-squares fit of
log(CPU time) = a + b log(customers): b = 1 is linear.

``--profile`` samples one run of the largest size with py-spy (``pip install py-spy``;
not a dependency of the package) and counts each sample to the component whose file its
innermost Python frame is in (SimPy core, customers, distribution, ...; see
:data:`COMPONENTS`). Not part of the test suite; timings on a shared machine are noisy,
so compare ratios from one run of this script.

``--rounds R`` measures the sizes in turn instead, R rounds (ascending, then descending,
...), each run with a bare SimPy measurement just before it, and reports for each size the
median CPU per order, the median bare customer and the median ratio to bare: the
machine's drift over the minutes a sequential sweep takes (a bare SimPy customer has cost
13 to 24 µs within one run) then falls on every size alike. Also the largest-to-smallest
ratio of the medians and within each round (their spread shows the noise: 0.64 to 1.15
in one sweep of five rounds), and the exponent of CPU time against customers: one plus
the slope of log(median CPU per order) against log(customers), as the orders of the
scaled company grow in proportion to its customers (32,221 at 2,500 and 1,293,652 at
100,000 over 12 months). With ``--fresh`` each run
(and the bare measurement before it) is made in a new process. In one process a small
run after a large one allocates into the memory the large one left scattered: compiled,
2,500 and 100,000 customers over 12 months, five rounds, the small runs cost 7.57 µs an
order in one process against 6.31 in fresh ones (the large: 8.59 and 8.30), so the
large-to-small ratio read 1.14 in one process and 1.32 in fresh ones. Use ``--fresh``.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
from bench_simulate import bare_mm1_orders_per_second

import sqm_sim
from sqm_sim.models import build_name
from sqm_sim.scenarios.sizes import scale_overrides

DEFAULT_CUSTOMERS = (2_500, 10_000, 40_000, 100_000)

COMPONENTS: tuple[tuple[str, str], ...] = (
    ("sqm_sim/models/operations.py", "operations"),
    ("sqm_sim/models/workforce.py", "operations"),
    ("sqm_sim/models/quality.py", "quality"),
    ("sqm_sim/models/distribution.py", "distribution"),
    ("sqm_sim/models/customers.py", "customers"),
    ("sqm_sim/models/satisfaction.py", "customers"),
    ("sqm_sim/models/service_desk.py", "customers"),
    ("sqm_sim/models/acquisition.py", "acquisition"),
    ("sqm_sim/models/calendar.py", "calendar"),
    ("sqm_sim/models/management.py", "operations"),
    ("sqm_sim/models/environment.py", "environment"),
    ("sqm_sim/models/ledger.py", "ledger"),
    ("sqm_sim/models/tally.py", "ledger"),
    ("sqm_sim/models/random_streams.py", "random streams"),
    ("numpy/random", "random streams"),
    ("sqm_sim/run/", "collector and KPIs"),
    ("pandas/", "collector and KPIs"),
    ("sqm_sim/models/world.py", "set-up"),
    ("sqm_sim/config/", "set-up"),
    ("simpy/", "SimPy core"),
)
"""Substring of a frame's file -> the component its time is counted to (first match)."""


def scaled_baseline(customers: int, months: int) -> sqm_sim.Config:
    """The baseline company scaled to ``customers`` customers at time 0, over ``months``."""
    config = sqm_sim.load_scenario("baseline")
    overrides = scale_overrides(config, customers / config.market.initial_customers)
    overrides["simulation.horizon_months"] = months
    return config.with_overrides(overrides)


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far (MB; Linux reports kB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def cpu_seconds_and_orders(config: sqm_sim.Config, seed: int) -> tuple[float, int]:
    """(CPU seconds, orders placed) of one ``simulate`` call."""
    start = time.process_time()
    result = sqm_sim.simulate(config, seed)
    return time.process_time() - start, int(result.summary["orders_placed"])


def bare_us_per_order(repeat: int) -> float:
    """CPU microseconds per customer of a bare SimPy M/M/1, best of ``repeat``."""
    best = max(
        bare_mm1_orders_per_second(100_000, seed, clock=time.process_time) for seed in range(repeat)
    )
    return 1e6 / best


def measured_here(customers: int, months: int, seed: int) -> tuple[float, float]:
    """(CPU µs per order of one run of ``customers`` x ``months``, CPU µs of a bare SimPy
    customer measured just before), in this process."""
    config = scaled_baseline(customers, months)
    bare = bare_us_per_order(1)
    cpu_s, orders = cpu_seconds_and_orders(config, seed)
    return 1e6 * cpu_s / orders, bare


def measured_fresh(customers: int, months: int, seed: int) -> tuple[float, float]:
    """As :func:`measured_here`, in a new process (warmed up by a small run first), so
    that no earlier run's objects are scattered over the memory this run allocates."""
    command = [sys.executable, __file__, "--run-once", str(customers), "--measure"]
    command += ["--months", str(months), "--seed", str(seed)]
    found = json.loads(subprocess.run(command, check=True, capture_output=True).stdout)
    return found["us_per_order"], found["bare_us_per_customer"]


def interleaved(
    sizes: list[int], months: int, rounds: int, seed: int, fresh: bool = False
) -> dict[str, Any]:
    """Median CPU per order and median ratio to a bare SimPy customer of each size, the
    sizes measured in turn over ``rounds`` rounds (each run in a new process if
    ``fresh``)."""
    measure = measured_fresh if fresh else measured_here
    per_order: dict[int, list[float]] = {customers: [] for customers in sizes}
    bares: dict[int, list[float]] = {customers: [] for customers in sizes}
    for turn in range(rounds):
        for customers in sizes if turn % 2 == 0 else sizes[::-1]:
            us_per_order, bare = measure(customers, months, seed)
            per_order[customers].append(us_per_order)
            bares[customers].append(bare)
    rows = [
        {
            "customers": customers,
            "median_us_per_order": round(float(np.median(per_order[customers])), 2),
            "median_bare_us_per_customer": round(float(np.median(bares[customers])), 2),
            "median_ratio_to_bare": round(
                float(np.median(np.divide(per_order[customers], bares[customers]))), 3
            ),
        }
        for customers in sizes
    ]
    low, high = rows[0], rows[-1]
    medians = [row["median_us_per_order"] for row in rows]
    return {
        "rounds": rounds,
        "processes": "one per run" if fresh else "this one",
        "sizes": rows,
        "largest_to_smallest_per_order": round(
            high["median_us_per_order"] / low["median_us_per_order"], 3
        ),
        # the same ratio within each round (measured minutes apart, not the whole sweep)
        "largest_to_smallest_per_order_by_round": [
            round(large / small, 3)
            for small, large in zip(per_order[sizes[0]], per_order[sizes[-1]], strict=True)
        ],
        # orders grow in proportion to customers (scaled baseline, same horizon), so the
        # exponent of CPU time against customers is one plus that of the cost of an order
        "exponent": round(1.0 + fitted_exponent(sizes, medians), 3) if len(sizes) > 1 else None,
        "largest_to_smallest_ratio_to_bare": round(
            high["median_ratio_to_bare"] / low["median_ratio_to_bare"], 3
        ),
    }


def fitted_exponent(customers: list[int], seconds: list[float]) -> float:
    """Slope of log(seconds) against log(customers)."""
    slope, _ = np.polyfit(np.log(customers), np.log(seconds), 1)
    return float(slope)


def component_of(path: str) -> str:
    """The component a source file belongs to (``other`` if none)."""
    path = path.replace("\\", "/")
    for fragment, component in COMPONENTS:
        if fragment in path:
            return component
    return "other"


def profile_components(customers: int, months: int, seed: int) -> dict[str, float]:
    """Share of the samples of one run of ``customers`` x ``months`` whose innermost Python
    frame is in each component (py-spy samples the run from outside, at 250 Hz, so the run
    is not slowed; time in C functions counts to the Python function that called them)."""
    py_spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    if not Path(py_spy).exists():
        sys.exit("--profile needs py-spy: .venv/bin/pip install py-spy")
    with tempfile.TemporaryDirectory() as folder:
        raw = Path(folder) / "stacks.txt"
        target = [sys.executable, __file__, "--run-once", str(customers)]
        target += ["--months", str(months), "--seed", str(seed)]
        subprocess.run(
            [py_spy, "record", "--format", "raw", "--rate", "250", "-o", str(raw), "--", *target],
            check=True,
            capture_output=True,
        )
        samples: Counter[str] = Counter()
        for line in raw.read_text().splitlines():
            stack, _, count = line.rpartition(" ")
            frames = stack.split(";")
            if any(frame.startswith("simulate (") for frame in frames):
                leaf_file = frames[-1].rpartition("(")[2].rpartition(":")[0]
                samples[component_of(leaf_file)] += int(count)
    total = sum(samples.values())
    return {name: round(count / total, 3) for name, count in samples.most_common()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, nargs="+", default=list(DEFAULT_CUSTOMERS))
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=0, help="measure the sizes in turn")
    parser.add_argument("--fresh", action="store_true", help="with --rounds: a process per run")
    parser.add_argument("--profile", action="store_true", help="component breakdown (largest)")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--run-once", type=int, metavar="CUSTOMERS", help=argparse.SUPPRESS)
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run_once and args.measure:  # one run of --rounds --fresh
        sqm_sim.simulate(scaled_baseline(DEFAULT_CUSTOMERS[0], 1), args.seed)  # warm up
        us_per_order, bare = measured_here(args.run_once, args.months, args.seed)
        print(json.dumps({"us_per_order": us_per_order, "bare_us_per_customer": bare}))
        return
    if args.run_once:  # the run --profile samples
        sqm_sim.simulate(scaled_baseline(args.run_once, args.months), args.seed)
        return

    sizes = sorted(args.customers)
    sqm_sim.simulate(scaled_baseline(sizes[0], 1), args.seed)  # imports, caches: not timed
    if args.rounds:
        found = interleaved(sizes, args.months, args.rounds, args.seed, args.fresh)
        print(json.dumps({"model": build_name(), "months": args.months, **found}, indent=2))
        return
    rows = []
    for customers in sizes:
        config = scaled_baseline(customers, args.months)
        bare = bare_us_per_order(args.repeat)
        runs = [cpu_seconds_and_orders(config, args.seed) for _ in range(args.repeat)]
        cpu_s, orders = min(runs)
        rows.append(
            {
                "customers": customers,
                "orders": orders,
                "cpu_s": round(cpu_s, 3),
                "us_per_order": round(1e6 * cpu_s / orders, 2),
                "bare_simpy_us_per_customer": round(bare, 2),
                "ratio_to_bare": round(1e6 * cpu_s / orders / bare, 3),
                "peak_rss_mb": round(peak_rss_mb(), 1),
            }
        )
        if not args.json:
            print(json.dumps(rows[-1]), flush=True)
    report: dict[str, Any] = {
        "python": platform.python_version(),
        "model": build_name(),
        "months": args.months,
        "sizes": rows,
    }
    if len(rows) > 1:
        report["exponent"] = round(fitted_exponent(sizes, [row["cpu_s"] for row in rows]), 3)
        report["largest_to_smallest_per_order"] = round(
            rows[-1]["us_per_order"] / rows[0]["us_per_order"], 3
        )
    if args.profile:
        report["profile"] = profile_components(sizes[-1], args.months, args.seed)
    if args.json:
        print(json.dumps(report, indent=2))
        return
    for key, value in report.items():
        if key != "sizes":
            print(f"{key:<32} {value}")


if __name__ == "__main__":
    main()
