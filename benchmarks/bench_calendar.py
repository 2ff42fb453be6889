"""The two calendar layouts against one SimPy timeout per entry, by number of waiting entries.

    .venv/bin/python benchmarks/bench_calendar.py [--waiting 1600 10000 100000] [--repeat 3]

A synthetic population: ``waiting`` items, each handed out after an exponential gap of 30
days on average and then added again (the shape of customers' next orders), until about
``--events`` entries were handled. For each size it prints the CPU time per entry handled
of the tuple layout (:class:`~sqm_sim.models.calendar.Calendar`), the typed-array layout
(:class:`~sqm_sim.models.calendar.ArrayCalendar`) and bare SimPy (one ``env.timeout`` per
entry), best of ``--repeat``, measured in this process one after the other for each
repeat, and the ratio of each layout to bare SimPy. ``calendar_for`` switches layouts at
:data:`~sqm_sim.models.calendar.LARGE_CALENDAR`. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import gc
import random
import time
from collections.abc import Callable
from typing import Any

import simpy

from sqm_sim.models.calendar import LARGE_CALENDAR, ArrayCalendar, Calendar

MEAN_GAP_DAYS = 30.0


class _Item:
    __slots__ = ("handled",)

    def __init__(self) -> None:
        self.handled = 0


def _calendar_add(layout: type[Calendar] | type[ArrayCalendar]):
    def make(env: simpy.Environment, handler: Callable[[Any], None]):
        add = layout(env).add
        return lambda delay, item: add(delay, handler, item)

    return make


def _timeout_add(env: simpy.Environment, handler: Callable[[Any], None]):
    def add(delay: float, item: Any) -> None:
        env.timeout(delay, item).callbacks.append(lambda event: handler(event.value))

    return add


def ns_per_entry(make_add, waiting: int, events: int, seed: int = 1) -> float:
    """CPU nanoseconds per entry handled, the collector frozen as ``simulate`` does."""
    env = simpy.Environment()
    rng = random.Random(seed)
    handled = 0

    def handler(item: _Item) -> None:
        nonlocal handled
        handled += 1
        item.handled += 1
        add(rng.expovariate(1.0 / MEAN_GAP_DAYS), item)

    add = make_add(env, handler)
    for _ in range(waiting):
        add(rng.random() * MEAN_GAP_DAYS, _Item())
    gc.collect()
    gc.freeze()
    try:
        start = time.process_time()
        env.run(until=events / waiting * MEAN_GAP_DAYS)
        return (time.process_time() - start) / handled * 1e9
    finally:
        gc.unfreeze()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--waiting", type=int, nargs="+", default=[1_600, 10_000, 100_000])
    parser.add_argument("--events", type=int, default=300_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    makers = {
        "tuples": _calendar_add(Calendar),
        "arrays": _calendar_add(ArrayCalendar),
        "SimPy": _timeout_add,
    }
    print(f"calendar_for gives arrays from {LARGE_CALENDAR:,} waiting entries")
    header = ("waiting", "tuples ns", "arrays ns", "SimPy ns", "tuples/SimPy", "arrays/SimPy")
    print(" ".join(f"{name:>12}" for name in header))
    for waiting in args.waiting:
        best = {name: float("inf") for name in makers}
        for _ in range(args.repeat):
            for name, make in makers.items():
                best[name] = min(best[name], ns_per_entry(make, waiting, args.events))
        bare = best["SimPy"]
        print(
            f"{waiting:>12,} {best['tuples']:>12.0f} {best['arrays']:>12.0f} {bare:>12.0f}"
            f" {best['tuples'] / bare:>12.2f} {best['arrays'] / bare:>12.2f}"
        )


if __name__ == "__main__":
    main()
