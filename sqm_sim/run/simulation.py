"""One replication: ``simulate(config, seed) -> RunResult``."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import simpy

from ..config import Config
from ..models import build_world
from ..models.journeys import JourneyRecorder
from ..models.random_streams import RandomStreams
from ..models.units import DAYS_PER_MONTH
from .collector import MonthlyCollector
from .kpis import build_timeseries, summarise
from .reported import MonthlyReport


@dataclass(frozen=True)
class RunResult:
    """The outcome of one replication.

    ``timeseries`` has one row per reporting period (columns documented in
    :data:`sqm_sim.run.kpis.COLUMN_DOCS`); ``summary`` is a flat dict of whole-run KPIs;
    ``customers`` has one row per customer ever active (segment, join / first order / loss
    day, orders, discounted orders, final satisfaction and expectation, personal standard);
    ``journeys`` has one row per customer event when the run was asked to trace them
    (:mod:`sqm_sim.models.journeys`), and is None otherwise.
    """

    config: Config
    seed: int
    timeseries: pd.DataFrame
    summary: dict[str, float]
    customers: pd.DataFrame
    journeys: pd.DataFrame | None = None


def simulate(config: Config, seed: int, *, trace_customers: bool = False) -> RunResult:
    """Run the model once. A pure function of ``(config, seed)``: same inputs, same bits.
    ``trace_customers`` also records every customer's journey, event by event (memory grows
    with the number of events; the other results are the same bits either way)."""
    if not isinstance(config, Config):
        raise TypeError(f"config must be a sqm_sim.Config, got {type(config).__name__}")
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
    )
