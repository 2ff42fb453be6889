"""One replication: ``simulate(config, seed) -> RunResult``."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import simpy

from ..config import Config
from ..models import build_world
from ..models.journeys import JourneyRecorder
from ..models.random_streams import RandomStreams
from ..models.units import DAYS_PER_MONTH
from .collector import MonthlyCollector
from .decisions import decision_table
from .kpis import build_timeseries, summarise
from .posterior import drawn_config
from .reported import MonthlyReport

RUN_GC_THRESHOLD = 50_000
"""Allocations between two youngest-generation collections while the model runs (Python's
default is 700). A run allocates millions of short-lived events; collecting them in
larger batches costs less, and the memory they hold meanwhile is a few MB."""


@dataclass(frozen=True)
class RunResult:
    """The outcome of one replication.

    ``timeseries`` has one row per reporting period (columns documented in
    :data:`sqm_sim.run.kpis.COLUMN_DOCS`); ``summary`` is a flat dict of whole-run KPIs;
    ``customers`` has one row per customer ever active (segment, join / first order / loss
    day, orders, discounted orders, final satisfaction and expectation, personal standard);
    ``journeys`` has one row per customer event when the run was asked to trace them
    (:mod:`sqm_sim.models.journeys`), and is None otherwise. ``decisions`` has one row
    per firing of a decision rule, in order (:mod:`sqm_sim.run.decisions`; empty without
    rules or firings).
    """

    config: Config
    seed: int
    timeseries: pd.DataFrame
    summary: dict[str, float]
    customers: pd.DataFrame
    journeys: pd.DataFrame | None = None
    decisions: pd.DataFrame = field(default_factory=lambda: decision_table(()))


def simulate(config: Config, seed: int, *, trace_customers: bool = False) -> RunResult:
    """Run the model once. A pure function of ``(config, seed)``: same inputs, same bits.
    A config with a posterior (a calibrated profile) runs the parameter set the seed draws
    from it (:func:`~sqm_sim.run.posterior.drawn_config`); the result carries that config.
    ``trace_customers`` also records every customer's journey, event by event (memory grows
    with the number of events; the other results are the same bits either way)."""
    if not isinstance(config, Config):
        raise TypeError(f"config must be a sqm_sim.Config, got {type(config).__name__}")
    config = drawn_config(config, seed)  # a calibrated profile: its seed's parameter set
    streams = RandomStreams(seed)
    months = config.simulation.horizon_months
    env = simpy.Environment()
    collector = MonthlyCollector(env, months)  # first, so month-end samples come first
    journeys = JourneyRecorder() if trace_customers else None
    report = None
    if config.portfolio.rules:
        monthly = MonthlyReport(config)

        def report(months: int) -> dict[str, np.ndarray]:
            samples = collector.so_far()
            assert len(samples) == months, (len(samples), months)
            return monthly.update(samples, world.ledger.entries)

    world = build_world(env, config, streams, journeys, report)
    collector.attach(lambda: {**world.tally.snapshot(), **world.levels()})
    with frozen_world():
        env.run(until=months * DAYS_PER_MONTH)
    samples = collector.finish()
    timeseries = build_timeseries(samples, world.ledger.entries, config)
    summary = summarise(timeseries, config)
    return RunResult(
        config,
        seed,
        timeseries,
        summary,
        world.customers.table(),
        None if journeys is None else journeys.table(),
        decision_table(world.management.decisions),
    )


@contextmanager
def frozen_world() -> Iterator[None]:
    """Keep the garbage collector off the world built so far while the model runs.

    ``gc.freeze()`` moves every object alive now (the config, the components, the customers
    present at time 0) out of the collector's view, so that a collection of the oldest
    generation no longer scans the whole population; the youngest generation is collected
    every :data:`RUN_GC_THRESHOLD` allocations instead of 700. Both are restored on the way
    out, also after an exception. Nothing is frozen if the collector is disabled or if
    someone else froze objects before (their freeze is theirs to undo; a run in another
    thread of this process leaves the collector to the first). Results do not
    depend on it: the collector never changes what the model computes.
    """
    with _GC_LOCK:  # runs in threads of one process (a Dask worker): one freezes
        mine = gc.isenabled() and not gc.get_freeze_count()
        if mine:
            threshold = gc.get_threshold()
            gc.freeze()
            gc.set_threshold(RUN_GC_THRESHOLD, *threshold[1:])
    try:
        yield
    finally:
        if mine:
            with _GC_LOCK:
                gc.set_threshold(*threshold)
                gc.unfreeze()


_GC_LOCK = threading.Lock()
