"""Start-up of the ``sqm-sim`` command, as a ratio to ``python -c "import simpy"``.

Every command pays the start-up before it does anything: ``--help``, a subcommand's help
and a one-line input error should cost little more than importing SimPy. Each command is
started ``--repeats`` times (default 7) in a fresh process, the commands in turn (reference,
then each command, round after round), so that a shared machine's drift in speed reaches
all of them alike. Printed per command: the median wall time and the median CPU time (user
+ system of the child process, which load moves less than wall time) in milliseconds, and
the median of the round-by-round ratios to the reference (goal: at most 3x). Not a timed
test: a shared machine's load moves the figures.

    .venv/bin/python benchmarks/bench_startup.py [--repeats 7]
"""

from __future__ import annotations

import argparse
import os
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


def timed_run(command: list[str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one fresh run of ``command`` (output discarded)."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, _, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    process.returncode = 0  # reaped by wait4: keep Popen from waiting again
    return wall, usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7, help="runs per command (default 7)")
    repeats = parser.parse_args().repeats
    sqm = sqm_sim_command()
    reference = 'python -c "import simpy"'
    commands = {
        reference: [sys.executable, "-c", "import simpy"],
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
    for command in commands.values():  # warm the file cache
        timed_run(command)
    runs: dict[str, list[tuple[float, float]]] = {label: [] for label in commands}
    for _ in range(repeats):
        for label, command in commands.items():
            runs[label].append(timed_run(command))
    width = max(map(len, runs))
    print(f"{repeats} rounds; ratios: median of each round's ratio to the reference")
    print(f"goal <= {GOAL:g}x")
    header = f"{'command':<{width}}  {'wall ms':>7}  {'cpu ms':>6}  {'x wall':>6}  {'x cpu':>5}"
    print(header)
    for label, times in runs.items():
        ratios = [
            (wall / ref_wall, cpu / ref_cpu)
            for (wall, cpu), (ref_wall, ref_cpu) in zip(times, runs[reference], strict=True)
        ]
        wall_ms = statistics.median(wall for wall, _ in times) * 1000
        cpu_ms = statistics.median(cpu for _, cpu in times) * 1000
        x_wall = statistics.median(wall for wall, _ in ratios)
        x_cpu = statistics.median(cpu for _, cpu in ratios)
        print(f"{label:<{width}}  {wall_ms:7.0f}  {cpu_ms:6.0f}  {x_wall:6.2f}  {x_cpu:5.2f}")


if __name__ == "__main__":
    main()
