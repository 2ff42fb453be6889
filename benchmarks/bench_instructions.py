"""Instructions per order, counted by valgrind: a measure of the model's cost that this noisy
machine cannot blur.

    .venv/bin/python benchmarks/bench_instructions.py [--scenario baseline]
        [--months 1 7] [--bare 5000 25000] [--customers N] [--cache]

CPU time on a shared virtual machine varies by +-30 % from one second to the next (a bare
SimPy customer has cost 13 to 25 µs within one minute), so a change of a few per cent in
the cost of an order cannot be seen in timings without dozens of interleaved runs.
Instructions executed can: valgrind's ``cachegrind`` tool (``--cache-sim=no``) counts them
exactly, and with Python's hash seed and the BLAS thread count fixed two counts of the
same run agree to within 0.001 %.

The script counts a run of ``--scenario`` over the two horizons of ``--months`` and a bare
SimPy M/M/1 queue (``bench_simulate.bare_mm1_orders_per_second``) for the two numbers of
customers of ``--bare``, each in a fresh process, and reports the difference in
instructions divided by the difference in orders (customers): start-up, imports and
building the world cancel out. Instructions are not time: the model touches more memory
than the bare loop and runs fewer instructions per cycle, so its ratio in CPU time is
higher than its ratio in instructions (README, Performance). valgrind makes a run about
50 times slower: the defaults take about four minutes. Needs ``valgrind`` on the PATH
(Debian: ``apt install valgrind``). Not part of the test suite. It counts the build of
the model that ``PYTHONPATH`` gives (``PYTHONPATH=.compiled``: the compiled one, ``make
compiled``) and prints which.

``--customers N`` counts the baseline company scaled to N customers (as
``bench_scaling.py`` scales it). ``--cache`` also simulates the caches (a 32 KB, 8-way L1
and a 1 MB, 16-way last level with 64-byte lines: this machine's L1 and L2; cachegrind
would otherwise take the virtual machine's reported L3) and reports data misses of each
per order: where the cost of an order grows with the population, these grow, not the
instructions (e.g. ``PYTHONPATH=.compiled ... --customers 100000 --months 1 2 --cache``,
about ten minutes).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

MODEL_RUN = """
import sys, sqm_sim
from sqm_sim.models import build_name
scenario, months, customers = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
if customers:  # the baseline scaled to this many customers
    from bench_scaling import scaled_baseline
    config = scaled_baseline(customers, months)
else:
    config = sqm_sim.load_scenario(scenario).with_overrides({"simulation.horizon_months": months})
print(build_name())
print(int(sqm_sim.simulate(config, 1).summary["orders_placed"]))
"""

BARE_RUN = """
import sys, time
sys.path.insert(0, sys.argv[1])
from bench_simulate import bare_mm1_orders_per_second
bare_mm1_orders_per_second(int(sys.argv[2]), 1, time.process_time)
print(int(sys.argv[2]))
"""


CACHES = ["--cache-sim=yes", "--D1=32768,8,64", "--LL=1048576,16,64"]
"""The caches ``--cache`` simulates: this machine's L1 and L2 (per core)."""

COUNTS = {
    "instructions": r"I\s+refs:",
    "L1 data misses": r"D1\s+misses:",
    "L2 data misses": r"LLd\s+misses:",
}
"""What cachegrind's summary counts, by the start of its line."""


def counted(code: str, *args: str, cache: bool = False) -> tuple[dict[str, int], int, str]:
    """(counts, the number the program prints last, what it printed before) of
    ``python -c code args`` under valgrind, with a fixed hash seed and one BLAS thread;
    the counts are the instructions, and the data misses of each cache if ``cache``."""
    env = dict(os.environ, PYTHONHASHSEED="0", OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1")
    # absolute: the program runs from here, where a relative PYTHONPATH would miss
    paths = env.get("PYTHONPATH", "").split(os.pathsep)
    env["PYTHONPATH"] = os.pathsep.join(str(Path(path).resolve()) for path in paths if path)
    command = [
        "valgrind",
        "--tool=cachegrind",
        *(CACHES if cache else ["--cache-sim=no"]),
        "--cachegrind-out-file=/dev/null",
        sys.executable,
        "-c",
        code,
        *args,
    ]
    # run from here, where no source tree shadows the sqm_sim of PYTHONPATH (``.compiled``)
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=True, cwd=HERE)
    counts = {}
    for name, start in COUNTS.items():
        found = re.search(start + r"\s+([\d,]+)", done.stderr)
        if found is not None:
            counts[name] = int(found.group(1).replace(",", ""))
    if "instructions" not in counts:
        raise RuntimeError(f"no instruction count in valgrind's output:\n{done.stderr[-2000:]}")
    *printed, last = done.stdout.splitlines()
    return counts, int(last), " ".join(printed)


def per_unit(
    low: tuple[dict[str, int], int, str], high: tuple[dict[str, int], int, str], name: str
) -> float:
    """``name`` (instructions, misses) per order (customer) between two counted runs."""
    return (high[0][name] - low[0][name]) / (high[1] - low[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default="baseline")
    parser.add_argument("--months", type=int, nargs=2, default=[1, 7])
    parser.add_argument("--bare", type=int, nargs=2, default=[5_000, 25_000])
    parser.add_argument("--customers", type=int, default=0, help="the baseline scaled to N")
    parser.add_argument("--cache", action="store_true", help="also L1 and L2 data misses")
    args = parser.parse_args()
    if shutil.which("valgrind") is None:
        sys.exit("valgrind is not on the PATH (Debian: apt install valgrind)")
    if args.customers < 0 or (args.customers and args.scenario != "baseline"):
        parser.error("--customers: a positive number of customers, for the baseline only")
    short, long = (
        counted(MODEL_RUN, args.scenario, str(months), str(args.customers), cache=args.cache)
        for months in args.months
    )
    few, many = (
        counted(BARE_RUN, str(HERE), str(customers), cache=args.cache) for customers in args.bare
    )
    label = args.scenario + (f" at {args.customers:,} customers" if args.customers else "")
    print(f"{label}, months {args.months[0]} -> {args.months[1]}: {long[1] - short[1]:,} orders")
    print(f"bare SimPy M/M/1, {args.bare[0]:,} -> {args.bare[1]:,} customers")
    for name in long[0]:
        model, bare = per_unit(short, long, name), per_unit(few, many, name)
        per_order = f"{name}: {model:,.1f} per order, bare {bare:,.1f} per customer"
        print(f"{per_order}, ratio {model / bare:.3f}")
    print(f"(model: {long[2]})")


if __name__ == "__main__":
    main()
