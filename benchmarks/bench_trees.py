"""CPU time per order of two checkouts of sqm_sim, in pairs of runs taken in turn.

    .venv/bin/python benchmarks/bench_trees.py BEFORE_DIR AFTER_DIR [--pairs 40]
        [--months 6] [--scenario baseline] [--customers N] [--bare 8000]

Each directory is a checkout of the repository (``git worktree add ../before COMMIT``
makes one). ``--customers N`` runs the baseline company scaled to N customers at time 0
instead of ``--scenario`` (``bench_scaling.scaled_baseline``: demand and capacity grow
together), to compare the cost of an order at scale. One worker process per checkout
imports that checkout's ``sqm_sim`` (through ``PYTHONPATH``, with this interpreter),
warms up, then waits; the two workers take turns, each turn timing ``--bare`` bare SimPy
M/M/1 customers, one run of ``--scenario`` over ``--months`` months (seed 1) and the
bare customers again, in CPU time (``bench_simulate.cost_ratio_turn``). The order within
a pair alternates. A pair's two runs are seconds apart, so the machine's drift (up to
30 % from one second to the next on a shared virtual machine) mostly cancels in the paired
difference, which is reported with its 95 % t interval, with the best and median CPU per
order of each checkout and the best and median ratio to the bare customer of the same
turn. Not part of the test suite; ``bench_instructions.py`` gives the exact count of
instructions instead.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import subprocess
import sys
from pathlib import Path

from scipy import stats

WORKER = """
import json, sys
sys.path.insert(0, sys.argv[1])
from bench_scaling import scaled_baseline
from bench_simulate import cost_ratio_turn
import sqm_sim
scenario = sys.argv[2]
months, bare, customers = (int(argument) for argument in sys.argv[3:6])
if customers:
    config = scaled_baseline(customers, months)
else:
    config = sqm_sim.load_scenario(scenario).with_overrides({"simulation.horizon_months": months})
sqm_sim.simulate(config.with_overrides({"simulation.horizon_months": 1}), 1)
for turn, _ in enumerate(sys.stdin):
    print(json.dumps(cost_ratio_turn(config, turn, bare)), flush=True)
"""


def start_worker(tree: Path, args: argparse.Namespace) -> subprocess.Popen[str]:
    """A worker running ``tree``'s sqm_sim, waiting for its turns on stdin."""
    benchmarks = Path(__file__).resolve().parent
    command = [sys.executable, "-c", WORKER, str(benchmarks), args.scenario]
    command += [str(args.months), str(args.bare), str(args.customers or 0)]
    env = dict(os.environ, PYTHONPATH=str(tree))
    return subprocess.Popen(
        command, cwd=tree, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )


def take_turn(worker: subprocess.Popen[str]) -> tuple[float, float]:
    """(CPU µs per order, CPU µs per bare customer) of one turn of ``worker``."""
    assert worker.stdin is not None
    assert worker.stdout is not None
    worker.stdin.write("go\n")
    worker.stdin.flush()
    line = worker.stdout.readline()
    if not line:
        raise RuntimeError(f"a worker stopped (exit code {worker.wait()})")
    model, bare = json.loads(line)
    return model, bare


def paired_interval(differences: list[float]) -> tuple[float, float]:
    """Mean and half-width of the 95 % t interval of paired differences."""
    mean = statistics.mean(differences)
    quantile = stats.t.ppf(0.975, len(differences) - 1)
    return mean, quantile * statistics.stdev(differences) / math.sqrt(len(differences))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("trees", nargs=2, type=Path, metavar="TREE")
    parser.add_argument("--pairs", type=int, default=40)
    parser.add_argument("--months", type=int, default=6)
    parser.add_argument("--scenario", default="baseline")
    parser.add_argument(
        "--customers", type=int, help="the baseline scaled to this many customers at time 0"
    )
    parser.add_argument("--bare", type=int, default=8_000, help="bare customers per timing")
    args = parser.parse_args()
    if args.pairs < 2:
        parser.error(f"--pairs {args.pairs}: at least 2 pairs are needed for an interval")
    if args.customers is not None and args.customers < 1:
        parser.error(f"--customers {args.customers}: at least 1 customer")
    for tree in args.trees:
        if not (tree / "sqm_sim" / "__init__.py").is_file():
            parser.error(f"{tree}: not a checkout of sqm_sim (no sqm_sim/__init__.py)")
    workers = [start_worker(tree.resolve(), args) for tree in args.trees]
    results: list[list[tuple[float, float]]] = [[], []]
    try:
        for pair in range(args.pairs):
            for side in (0, 1) if pair % 2 == 0 else (1, 0):
                results[side].append(take_turn(workers[side]))
    finally:
        for worker in workers:
            worker.stdin.close()  # type: ignore[union-attr]
            worker.wait()
    for tree, runs in zip(args.trees, results, strict=True):
        per_order = [model for model, _ in runs]
        ratios = [model / bare for model, bare in runs]
        print(
            f"{tree}: CPU per order best {min(per_order):.2f} µs, median "
            f"{statistics.median(per_order):.2f}; ratio to bare best {min(ratios):.3f}, "
            f"median {statistics.median(ratios):.3f}"
        )
    differences = [after[0] - before[0] for before, after in zip(*results, strict=True)]
    mean, half_width = paired_interval(differences)
    base = statistics.mean(model for model, _ in results[0])
    print(
        f"second - first, paired: {mean:+.2f} +- {half_width:.2f} µs per order "
        f"(95 % t, {args.pairs} pairs; {mean / base:+.1%})"
    )


if __name__ == "__main__":
    main()
