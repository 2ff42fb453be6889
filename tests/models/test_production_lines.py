"""Production lines without a generator process each (a line's jobs and wake-ups wait in
the context's calendar, its start in SimPy's heap): the order and times one SimPy process
per line would give, ties included, with either layout of the calendar."""

from __future__ import annotations

from collections import deque
from dataclasses import replace

import pytest
import simpy

from sqm_sim import Config
from sqm_sim.models.calendar import ArrayCalendar, Calendar
from sqm_sim.models.context import Context
from sqm_sim.models.initiatives import levers
from sqm_sim.models.ledger import Ledger
from sqm_sim.models.operations import Production
from sqm_sim.models.random_streams import RandomStreams
from sqm_sim.models.tally import Tally
from tests.models.test_operations import _Goods, _Operators, _Process

CYCLE_DAYS = 0.25
"""A deterministic cycle of 360 minutes: every time below is exact in binary, so steps
of different kinds fall due at the same instant and only SimPy's order decides."""

REWORK_FRACTION = 0.5


def _arrivals(env: simpy.Environment, trace: list, request_rework, times: list[float]):
    """Rework requests at the given absolute times (a SimPy process, as the firm's
    inspection and daily processes are)."""

    def source():
        for time in times:
            yield env.timeout(time - env.now)
            trace.append((env.now, "rework requested"))
            request_rework()

    env.process(source())


REQUESTS = [0.0, 0.125, 0.125, 0.25, 0.25, 0.25, 0.5, 0.625, 1.0, 1.0, 1.125]
"""When reworks are requested: several at once, and at the very times lines finish."""


class _ReferenceFactory:
    """The same factory with one SimPy process per line (the model before the change):
    a line takes the next job, works it for one cycle (a rework for half), or sleeps on an
    event the next job triggers. Records (time, what) and the busy time, counted when a
    line takes a job."""

    def __init__(self, env: simpy.Environment) -> None:
        self.env = env
        self.trace: list[tuple[float, str]] = []
        self.busy_days = 0.0
        self._jobs: deque[str] = deque()
        self._idle: list[simpy.Event] = []

    def add_line(self) -> None:
        self.env.process(self._line())

    def add(self, job: str) -> None:
        self._jobs.append(job)
        if self._idle:
            self._idle.pop().succeed()

    def request_rework(self) -> None:
        self.add("rework")

    def _line(self):
        env, jobs = self.env, self._jobs
        while True:
            if not jobs:
                wake_up = env.event()
                self._idle.append(wake_up)
                yield wake_up
                continue
            job = jobs.popleft()
            duration = CYCLE_DAYS if job == "make" else CYCLE_DAYS * REWORK_FRACTION
            self.busy_days += duration
            yield env.timeout(duration)
            self.trace.append((env.now, "unit made" if job == "make" else "unit reworked"))


def _reference_trace(lines: int, added_line_at: float | None) -> list[tuple[float, str]]:
    """The trace of :class:`_ReferenceFactory` with ``lines`` lines, three units released
    at once and the reworks of :data:`REQUESTS` (and a line added at ``added_line_at``)."""
    env = simpy.Environment()
    factory = _ReferenceFactory(env)
    for _ in range(lines):
        factory.add_line()
    for _ in range(3):  # the (s, S) policy's first release: S = 3 units
        factory.add("make")
    _arrivals(env, factory.trace, factory.request_rework, REQUESTS)
    if added_line_at is not None:
        env.process(_add_line_later(env, added_line_at, factory.add_line))
    env.run(until=3.0)
    return factory.trace


def _add_line_later(env: simpy.Environment, at: float, add_line):
    yield env.timeout(at)
    add_line()


@pytest.mark.parametrize("layout", [Calendar, ArrayCalendar])
@pytest.mark.parametrize(("lines", "added_line_at"), [(1, None), (2, None), (2, 0.25)])
def test_lines_work_in_the_order_of_one_process_per_line(lines, added_line_at, layout):
    """Production lines (one or two, and a third added at 0.25 days, when jobs finish)
    working three units and eleven reworks requested at times that coincide with
    finishing jobs: the trace of (time, what) is the reference's with one SimPy process
    per line, ties included, whichever layout the calendar has."""
    config = Config().with_overrides(
        {
            "operations.production_lines": lines,
            "operations.cycle_time": {"kind": "deterministic", "mean": CYCLE_DAYS * 1440},
            "operations.reorder_point_units": 0,
            "operations.order_up_to_units": 3,
            "quality.rework_time_fraction": REWORK_FRACTION,
        }
    )
    env = simpy.Environment()
    context = Context(env, config, RandomStreams(1), Tally(), Ledger(env, 12), layout(env))
    month_0 = replace(levers(config, 0), capacity_loss=0.0, line_speed_factor=1.0)
    production = Production(context, month_0, _Process(False), _Operators(0.6))
    trace: list[tuple[float, str]] = []
    production.connect(
        _Goods(),
        lambda _defective: trace.append((env.now, "unit made")),
        lambda: trace.append((env.now, "unit reworked")),
    )
    production.review()
    _arrivals(env, trace, production.request_rework, REQUESTS)
    if added_line_at is not None:
        env.process(_add_line_later(env, added_line_at, production.add_line))
    env.run(until=3.0)
    reference = _reference_trace(lines, added_line_at)
    assert trace == reference
    assert len(trace) == 3 + 2 * len(REQUESTS)  # every job done by the end
    assert production.lines == lines + (added_line_at is not None)
    assert len(production._idle_lines) == production.lines  # nothing left: all sleep


def _start_then_rework(env: simpy.Environment, add_line, request_rework, busy_days) -> list:
    """Two processes whose timeouts end at day 1, the first made first: it adds a line
    and, after a zero timeout, reads the busy time; the second requests a rework."""
    seen: list[float] = []

    def expansion():
        yield env.timeout(1.0)
        add_line()
        yield env.timeout(0.0)
        seen.append(busy_days())

    def inspection():
        yield env.timeout(1.0)
        request_rework()

    env.process(expansion())
    env.process(inspection())
    return seen


def _reference_busy_days_seen() -> list[float]:
    """The same story with one SimPy process per line (SimPy starts a process with urgent
    priority)."""
    env = simpy.Environment()
    factory = _ReferenceFactory(env)
    factory.add_line()
    seen = _start_then_rework(
        env, factory.add_line, factory.request_rework, lambda: factory.busy_days
    )
    env.run(until=3.0)
    return seen


def test_an_added_line_starts_before_the_instants_other_events_as_a_process_would():
    """One idle line; at day 1 a line is added, a rework is requested by an event already
    due at that instant, and a probe scheduled right after the addition (a zero timeout)
    reads the busy time. The new line starts first (urgent, as SimPy starts a process),
    finds no job and sleeps; the rework wakes the last line to sleep, the new one, through
    an event scheduled after the probe's, so the probe sees no job taken yet: busy time 0
    (started with normal priority, the line would start after the request, take the job
    at once and the probe would see 0.125 days). Same as one SimPy process per line."""
    config = Config().with_overrides(
        {
            "operations.production_lines": 1,
            "operations.cycle_time": {"kind": "deterministic", "mean": CYCLE_DAYS * 1440},
            "quality.rework_time_fraction": REWORK_FRACTION,
        }
    )
    env = simpy.Environment()
    context = Context(env, config, RandomStreams(1), Tally(), Ledger(env, 12))
    month_0 = replace(levers(config, 0), capacity_loss=0.0, line_speed_factor=1.0)
    production = Production(context, month_0, _Process(False), _Operators(0.6))
    reworked: list[float] = []
    production.connect(_Goods(), lambda _defective: None, lambda: reworked.append(env.now))
    seen = _start_then_rework(
        env, production.add_line, production.request_rework, lambda: production.busy_days
    )
    env.run(until=3.0)
    assert seen == [0.0] == _reference_busy_days_seen()
    assert reworked == [1.0 + CYCLE_DAYS * REWORK_FRACTION]
    assert production.busy_days == CYCLE_DAYS * REWORK_FRACTION
    assert production.lines == 2
