"""The calendar of pending events kept outside SimPy's heap: the same order and the same
times, bit for bit, as one SimPy timeout per entry."""

from __future__ import annotations

import itertools
import random
import weakref
from collections.abc import Callable
from typing import Any

import pandas as pd
import pytest
import simpy
from simpy.events import NORMAL, URGENT

from sqm_sim import load_scenario, simulate
from sqm_sim.models import calendar as calendar_module
from sqm_sim.models.calendar import (
    LARGE_CALENDAR,
    MIN_BUCKET_CAPACITY,
    ArrayCalendar,
    Calendar,
    calendar_for,
)
from sqm_sim.models.random_streams import RandomStreams
from sqm_sim.models.world import build_world
from sqm_sim.scenarios.sizes import at_size

LAYOUTS = pytest.mark.parametrize("layout", [Calendar, ArrayCalendar])
"""Every test runs on both layouts of a bucket."""


def test_simpy_heap_layout_is_what_the_calendar_relies_on():
    env = simpy.Environment()
    assert isinstance(env._eid, itertools.count)
    env.timeout(0.5)
    timeout = env.timeout(2.25)
    (first, second) = sorted(env._queue)
    assert second[:2] == (2.25, NORMAL)
    assert second[3] is timeout
    assert first[2] < second[2]  # ids count up in the order events are scheduled
    assert next(env._eid) == second[2] + 1
    env.run(until=0.75)
    assert env._now == env.now == 0.75  # the clock the model's per-order code reads


def test_a_process_starts_under_the_key_production_lines_reuse():
    """operations.Production.add_line schedules a line's start as SimPy starts a process."""
    env = simpy.Environment()
    env.run(until=1.5)

    def line():
        yield env.timeout(1.0)

    env.process(line())
    time, priority, ident, _ = max(env._queue, key=lambda entry: entry[2])  # the newest
    assert (time, priority) == (1.5, URGENT)
    assert next(env._eid) == ident + 1


def _timeouts(env: simpy.Environment, handler: Callable[[Any], None]):
    """The reference: one SimPy timeout per entry."""

    def add(delay: float, item: Any) -> None:
        env.timeout(delay, item).callbacks.append(lambda event: handler(event.value))

    return add


def _story(make_add, seed: int, bucket_days: float) -> list[tuple[float, Any]]:
    """A busy mix: a daily process and a process at odd times add entries (ties at whole
    days, zero delays, entries earlier than every pending one), and handling an entry
    sometimes adds another. Returns (time, item) of every entry handled, in order."""
    env = simpy.Environment()
    rng = random.Random(seed)
    log: list[tuple[float, Any]] = []
    counter = itertools.count()

    def handle(item: Any) -> None:
        log.append((env.now, item))
        if rng.random() < 0.3:
            add(rng.choice([0.0, 1.0, rng.random() * 3.0]), ("again", next(counter)))

    add = make_add(env, handle) if make_add is _timeouts else make_add(env, handle, bucket_days)

    def daily():
        while True:
            yield env.timeout(1.0)
            log.append((env.now, "day"))
            for _ in range(rng.randrange(4)):
                delay = rng.choice([0.0, 1.0, 2.0, 7.0, rng.random() * 10.0, rng.random() * 0.01])
                add(delay, ("daily", next(counter)))

    def odd():
        while True:
            yield env.timeout(rng.random() * 2.0)
            add(rng.random() * 0.5, ("odd", next(counter)))  # often before every pending one

    env.process(daily())
    env.process(odd())
    env.run(until=60.0)
    return log


@LAYOUTS
@pytest.mark.parametrize("bucket_days", [1.0, 0.3, 5.0])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_entries_come_at_the_times_and_in_the_order_of_one_timeout_each(seed, bucket_days, layout):
    reference = _story(_timeouts, seed, bucket_days)
    assert len(reference) > 200
    assert len({time for time, _ in reference}) < len(reference)  # there are ties

    def calendar(env: simpy.Environment, handler, bucket_days: float):
        add = layout(env, bucket_days).add
        return lambda delay, item: add(delay, handler, item)

    assert _story(calendar, seed, bucket_days) == reference


@LAYOUTS
def test_entries_of_different_steps_come_in_one_order_with_simpys_events(layout):
    """Orders and deliveries share one calendar in the model: entries for two steps,
    added in a random mix with SimPy timeouts between them, are handled in the order and
    at the times of one timeout per entry, each by its own step."""

    def story(use_calendar: bool) -> list[tuple[float, str, int]]:
        env = simpy.Environment()
        rng = random.Random(7)
        log: list[tuple[float, str, int]] = []
        calendar = layout(env)

        def order(item: int) -> None:
            log.append((env.now, "order", item))

        def deliver(item: int) -> None:
            log.append((env.now, "deliver", item))

        for item in range(300):
            kind = rng.choice(["order", "deliver", "timeout"])
            delay = rng.choice([0.0, 1.0, rng.random() * 5.0])
            if kind == "timeout":
                timeout = env.timeout(delay)
                timeout.callbacks.append(lambda _, i=item: log.append((env.now, "timeout", i)))
                continue
            step = order if kind == "order" else deliver
            if use_calendar:
                calendar.add(delay, step, item)
            else:
                env.timeout(delay).callbacks.append(lambda _, s=step, i=item: s(i))
        env.run()
        return log

    reference = story(use_calendar=False)
    assert {kind for _, kind, _ in reference} == {"order", "deliver", "timeout"}
    assert story(use_calendar=True) == reference


@LAYOUTS
def test_the_heap_holds_only_the_earliest_entry(layout):
    env = simpy.Environment()
    handled: list[int] = []
    calendar = layout(env)
    for item in range(1000):
        calendar.add(1.0 + item * 0.5, handled.append, item)
    assert len(calendar) == 1000
    assert len(env._queue) == 1
    env.run(until=250.6)
    assert handled == list(range(500))
    assert len(calendar) == 500
    assert sum(priority == NORMAL for _, priority, _, _ in env._queue) == 1  # and run's stop


@LAYOUTS
def test_entries_added_before_the_earliest_are_handled_first(layout):
    env = simpy.Environment()
    handled: list[int] = []
    calendar = layout(env)
    for item in range(100):
        calendar.add(100.0 - item, handled.append, item)  # each before every pending one
    env.run()
    assert handled == list(range(99, -1, -1))
    assert len(calendar) == 0


def test_a_full_bucket_doubles_its_room_and_keeps_its_entries_in_order():
    """197 entries in the bucket of day 5: its room of 64 doubles to 128, then 256, and
    they are handled in (time, id) order; a bucket made later starts again at 64."""
    env = simpy.Environment()
    calendar = ArrayCalendar(env)
    rng = random.Random(5)
    count = 3 * MIN_BUCKET_CAPACITY + 5
    times = [5.0 + rng.choice([0.0, 0.5, rng.random()]) for _ in range(count)]  # with ties
    handled: list[int] = []
    for item, time in enumerate(times):
        calendar.add(time, handled.append, item)
    assert len(calendar._buckets[5].times) == 4 * MIN_BUCKET_CAPACITY
    assert len(calendar) == count
    env.run(until=6.0)
    assert handled == sorted(range(count), key=lambda item: (times[item], item))
    for item in range(10):
        calendar.add(1.0 + item / 20, handled.append, item)  # days 7 to 7.45
    assert len(calendar._buckets[7].times) == MIN_BUCKET_CAPACITY
    env.run(until=8.0)
    assert handled[count:] == list(range(10))


def test_an_item_is_let_go_as_soon_as_it_is_handled():
    """The bucket being worked through keeps no reference to an item already handled, so
    an item is freed while at hand, not when its bucket is freed later."""

    class Item:
        pass

    env = simpy.Environment()
    calendar = ArrayCalendar(env)
    first: list[weakref.ref[Item]] = []
    alive_at_second: list[bool] = []
    calendar.add(1.25, lambda item: first.append(weakref.ref(item)), Item())
    calendar.add(1.5, lambda item: alive_at_second.append(first[0]() is not None), Item())
    env.run()
    assert alive_at_second == [False]


@LAYOUTS
def test_a_negative_delay_or_bucket_width_is_refused(layout):
    env = simpy.Environment()
    with pytest.raises(ValueError, match=r"delay = -1.0: must not be negative"):
        layout(env).add(-1.0, print, "x")
    with pytest.raises(ValueError, match=r"bucket_days = 0: must be positive"):
        layout(env, bucket_days=0)


@LAYOUTS
def test_the_count_of_entries_left_is_right_inside_a_bucket_and_after_an_earlier_entry(layout):
    """Bucket width 1 day. Entries at 0.5, 2.25, 2.5 and 2.75: after the first, the next
    bucket (day 2) is loaded; an entry added at day 1 for day 1.2 comes before that bucket
    (the loaded bucket is put back); then two entries into the day-2 bucket. The count is
    the entries not yet handled at every step: 3, 4, then 1, then 0."""
    env = simpy.Environment()
    handled: list[str] = []
    calendar = layout(env)
    for delay, item in ((0.5, "a"), (2.25, "b"), (2.5, "c"), (2.75, "d")):
        calendar.add(delay, handled.append, item)
    env.run(until=1.0)
    assert handled == ["a"]
    assert len(calendar) == 3
    calendar.add(0.2, handled.append, "early")
    assert len(calendar) == 4
    env.run(until=2.6)
    assert handled == ["a", "early", "b", "c"]
    assert len(calendar) == 1
    env.run()
    assert handled == ["a", "early", "b", "c", "d"]
    assert len(calendar) == 0


@LAYOUTS
def test_an_event_in_simpys_heap_between_two_entries_comes_between_them(layout):
    """Entries at 0.2 and 0.5 days and a SimPy timeout at 0.3 (all within the first day):
    handled in time order, with the clock at each one's time."""
    env = simpy.Environment()
    log: list[tuple[float, str]] = []
    calendar = layout(env)
    note = lambda item: log.append((env.now, item))  # noqa: E731
    calendar.add(0.2, note, "first")
    calendar.add(0.5, note, "second")
    env.timeout(0.3).callbacks.append(lambda _: log.append((env.now, "timeout")))
    env.run()
    assert log == [(0.2, "first"), (0.3, "timeout"), (0.5, "second")]


@LAYOUTS
@pytest.mark.parametrize("bucket_days", [1.0, 5.0])
def test_entries_ahead_of_everything_in_simpys_heap_are_handled_in_the_same_step(
    layout, bucket_days
):
    """The fast path, counted in SimPy steps. SimPy's order is (time, priority, id). A
    timeout at day 3 made first (id 0), entries at days 1, 2, 3 and 4 (ids 1-4), a timeout
    at day 4 made last (id 5). Step 1 handles the entries at 1 and 2 (2 comes before the
    timeout at 3, although its id is larger) and stops before the entry at 3 (a tie that
    the timeout's smaller id wins); step 2 is the timeout at 3; step 3 handles the entries
    at 3 and 4 (a tie that the entry's smaller id wins); step 4 is the timeout at 4."""
    env = simpy.Environment()
    log: list[tuple[float, str]] = []
    env.timeout(3.0).callbacks.append(lambda _: log.append((env.now, "timeout 3")))
    calendar = layout(env, bucket_days)
    for day in (1.0, 2.0, 3.0, 4.0):
        calendar.add(day, lambda item: log.append((env.now, item)), f"entry {day:g}")
    env.timeout(4.0).callbacks.append(lambda _: log.append((env.now, "timeout 4")))
    steps = []
    while env.peek() < float("inf"):
        env.step()
        steps.append(log.copy())
        log.clear()
    assert steps == [
        [(1.0, "entry 1"), (2.0, "entry 2")],
        [(3.0, "timeout 3")],
        [(3.0, "entry 3"), (4.0, "entry 4")],
        [(4.0, "timeout 4")],
    ]


@pytest.mark.parametrize("large", [False, True])
def test_next_orders_and_units_in_transit_wait_in_one_calendar(monkeypatch, large):
    """The model's customers and fulfilment share the context's calendar: whenever SimPy's
    heap is looked at during a run, every calendar event in it belongs to one calendar
    (with one calendar each, their entries interleave and each switch is a trip through
    the heap). Checked at 40 instants, with the tuple and the array layout."""
    if large:
        monkeypatch.setattr(calendar_module, "LARGE_CALENDAR", 0)
    config = at_size(load_scenario("baseline"), "quick")
    env = simpy.Environment()
    world = build_world(env, config, RandomStreams(1))
    fires = (Calendar._fire, ArrayCalendar._fire)
    owners: set[int] = set()
    for day in range(1, 41):
        env.run(until=day * 3.3)
        for _, _, _, event in env._queue:
            for callback in event.callbacks or ():
                if getattr(callback, "__func__", None) in fires:
                    owners.add(id(callback.__self__))
    assert world.tally.units_delivered > 100  # deliveries and orders both went through it
    assert len(owners) == 1


def test_a_large_population_gets_the_array_layout():
    env = simpy.Environment()
    assert type(calendar_for(env, LARGE_CALENDAR - 1)) is Calendar
    assert type(calendar_for(env, LARGE_CALENDAR)) is ArrayCalendar


@pytest.mark.parametrize("seed", [1, 2])
def test_a_run_gives_the_same_numbers_with_either_layout(monkeypatch, seed):
    """The quick baseline with a year of history: every customer's orders and units in
    transit in tuple buckets, then in typed-array buckets: the same bits."""
    config = at_size(load_scenario("baseline"), "quick").with_overrides(
        {"simulation.horizon_months": 12}
    )
    tuples = simulate(config, seed)
    monkeypatch.setattr(calendar_module, "LARGE_CALENDAR", 0)
    arrays = simulate(config, seed)
    assert tuples.summary == arrays.summary
    pd.testing.assert_frame_equal(tuples.timeseries, arrays.timeseries, check_exact=True)
    pd.testing.assert_frame_equal(tuples.customers, arrays.customers, check_exact=True)
