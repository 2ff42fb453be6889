"""Start-up of the ``sqm-sim`` command, as a ratio to ``python -c "import simpy"``.

Every command pays the start-up before it does anything: ``--help``, a subcommand's help
and a one-line input error should cost little more than importing SimPy. Each command is
started ``--repeats`` times (default 7) in a fresh process; the minimum and the median wall
time are printed in milliseconds and as a ratio to the reference measured in the same run
(goal: at most 3x). Not a timed test: a shared machine's load moves the figures.

    .venv/bin/python benchmarks/bench_startup.py [--repeats 7]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

GOAL = 3.0
"""Start-up at most this many times the reference (``import simpy``)."""


def sqm_sim_command() -> list[str]:
    """The installed ``sqm-sim`` script beside this interpreter (else ``python -m``)."""
    script = Path(sys.executable).with_name("sqm-sim")
    if script.is_file():
        return [str(script)]
    found = shutil.which("sqm-sim")
    return [found] if found else [sys.executable, "-m", "sqm_sim.cli"]


def wall_times(command: list[str], repeats: int) -> list[float]:
    """Wall seconds of ``repeats`` fresh runs of ``command`` (output discarded)."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7, help="runs per command (default 7)")
    repeats = parser.parse_args().repeats
    sqm = sqm_sim_command()
    commands = {
        'python -c "import simpy"': [sys.executable, "-c", "import simpy"],
        "sqm-sim --help": [*sqm, "--help"],
        "sqm-sim run baseline --help": [*sqm, "run", "baseline", "--help"],
        "sqm-sim run baseline --set nosuch.key=1": [
            *sqm,
            "run",
            "baseline",
            "--set",
            "nosuch.key=1",
        ],
    }
    wall_times(commands['python -c "import simpy"'], 1)  # warm the file cache
    results = {label: wall_times(command, repeats) for label, command in commands.items()}
    reference = results['python -c "import simpy"']
    ref_min, ref_median = min(reference), statistics.median(reference)
    width = max(map(len, results))
    print(f"{repeats} runs each; ratios to the reference's min / median; goal <= {GOAL:g}x")
    print(f"{'command':<{width}}  {'min ms':>7}  {'median ms':>9}  {'x min':>6}  {'x median':>8}")
    for label, times in results.items():
        low, middle = min(times), statistics.median(times)
        print(
            f"{label:<{width}}  {low * 1000:7.0f}  {middle * 1000:9.0f}  "
            f"{low / ref_min:6.2f}  {middle / ref_median:8.2f}"
        )


if __name__ == "__main__":
    main()
