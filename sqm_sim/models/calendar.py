"""Calendars of many pending events, kept outside SimPy's event heap.

SimPy keeps every pending event in one binary heap ordered by (time, priority, id). A
population of customers who each wait for their next order puts one entry per customer in
that heap: at 10^5 customers each push and pop walks 17 levels of a heap that no longer
fits the processor's caches, and the cost of an order grows with the population.

A calendar holds such entries itself, in buckets of ``bucket_days`` days, and keeps only
its earliest entry in SimPy's heap. Each entry gets the key SimPy would have given a
``Timeout`` of the same delay: the time ``now + delay`` computed as SimPy computes it,
normal priority, and the next id of the environment's counter. The earliest entry's event
is pushed into SimPy's heap under that key. So entries are handled at exactly the times
(bit for bit) and in exactly the order, ties included, in which one timeout per entry
would have been processed, and every other event keeps its own key. When the entry after
the one just handled comes before everything in SimPy's heap, the calendar handles it at
once, setting the clock to its time as SimPy's ``step`` would, instead of a round trip
through the heap. Each entry carries its step, the function its item goes to, so one
calendar serves every kind of entry: the model's customers' next orders, units in
transit and the ends of production jobs share the context's calendar
(:class:`~.context.Context`), and a run of entries of any kind comes due in one SimPy step
(with a calendar for each kind their entries interleave, and each switch costs a trip
through SimPy's heap: in a full-size baseline run, 1.35 trips per order with separate
calendars for orders and transit, 0.71 with one for both and the production lines in
SimPy's heap, 0.036 with the lines' job ends in it too, when SimPy itself takes 0.12 steps
per order instead of 1.80). So one SimPy step may handle several
entries: ``env.run(until=t)`` still stops exactly at ``t`` (its stop event is urgent, so
it comes before any entry due then), but a caller who drives SimPy with ``env.step()`` and
checks ``env.peek()`` against a horizon may see entries past it handled in the same step
(the model only uses ``run``).

Two layouts of a bucket, the same order (``tests/models/test_calendar.py`` runs every test
on both); :func:`calendar_for` picks one by the number of entries expected to wait:

- :class:`Calendar`: one ``(time, id, item)`` tuple per entry, a bucket sorted by time
  when its turn comes. The cheapest per entry while the entries fit the processor's
  caches.
- :class:`ArrayCalendar`: a bucket keeps its entries' times and ids in typed memory (8
  bytes each, side by side, no Python object per entry) beside the list of its items,
  and is ordered by a stable numpy sort of its times into a list of the times and a list
  of where each entry sits, both in reverse (the next entry last, popped off the end).
  At 10^5 waiting entries the tuples and floats of :class:`Calendar`, made over weeks,
  lie scattered over the heap, and touching each to sort, handle and free it makes an
  entry's cost grow with the population (3.0 against 6.0 µs per entry at 10^5 in a
  synthetic calendar); with few entries the typed arrays' fixed costs make it dearer
  (about 5 % of a full-size baseline run).

This uses three private attributes of ``simpy.Environment``: ``_queue``, the heap of
``(time, priority, id, event)`` tuples, ``_eid``, the id counter, and ``_now``, the clock.
``tests/models/test_calendar.py`` checks that layout against the installed SimPy.
"""

from __future__ import annotations

import bisect
import heapq
import operator
from collections.abc import Callable
from typing import Any

import numpy as np
import simpy
from simpy.events import NORMAL

Key = tuple[float, int]
"""An entry's place in SimPy's order: (due time in days, SimPy event id)."""

Step = Callable[[Any], None]
"""What is done with an entry's item when it is due."""

Entry = tuple[float, int, Step, Any]
"""(due time in days, SimPy event id, step, item): ``step(item)`` is called when due."""

_due = operator.itemgetter(0)
"""An entry's due time."""

MIN_BUCKET_CAPACITY = 64
"""Entries an :class:`ArrayCalendar` bucket has room for when it is made (doubled when
full)."""

LARGE_CALENDAR = 20_000
"""Entries expected to wait from which :func:`calendar_for` gives an
:class:`ArrayCalendar`: between the sizes where each layout is the cheaper per entry
(tuples at 10^4, arrays at 10^5; ``benchmarks/bench_calendar.py``)."""


def calendar_for(env: simpy.Environment, waiting: int) -> Calendar | ArrayCalendar:
    """A calendar for about ``waiting`` pending entries at a time."""
    if waiting >= LARGE_CALENDAR:
        return ArrayCalendar(env)
    return Calendar(env)


class _CalendarBase:
    """What both layouts share: SimPy's side (the head event and the events superseded by
    an earlier entry) and the heap of bucket keys."""

    __slots__ = (
        "_bucket_keys",
        "_current_key",
        "_env",
        "_handling",
        "_head",
        "_head_key",
        "_per_day",
        "_superseded",
    )

    def __init__(self, env: simpy.Environment, bucket_days: float = 1.0) -> None:
        if not bucket_days > 0.0:
            raise ValueError(f"bucket_days = {bucket_days!r}: must be positive")
        self._env = env
        self._per_day = 1.0 / bucket_days
        self._bucket_keys: list[int] = []  # heap of the keys of the waiting buckets
        self._current_key = -1  # the bucket being worked through (-1: none)
        self._head: simpy.Event | None = None  # in SimPy's heap for the earliest entry
        self._head_key: Key | Entry | None = None
        self._superseded: dict[int, simpy.Event] = {}  # in SimPy's heap, not the head
        self._handling = False

    def _supersede_head(self, due: float, ident: int) -> None:
        """A new entry (``due``, ``ident``) was added outside a step: it becomes the
        head if it is due strictly earlier (its id is the largest yet, so at the head's
        time the head still comes first)."""
        head = self._head_key
        if head is None or due < head[0]:
            if head is not None:  # its event stays in SimPy's heap until its entry is due
                self._superseded[head[1]] = self._head  # type: ignore[assignment]
            self._schedule((due, ident), None)

    def _schedule(self, key: Key | Entry, event: simpy.Event | None) -> None:
        """Make the entry of ``key`` the head: its event in SimPy's heap under its key (the
        one still there from before it was superseded, or ``event``, or a new one)."""
        if self._superseded:
            waiting = self._superseded.pop(key[1], None)
            if waiting is not None:
                self._head, self._head_key = waiting, key
                return
        if event is None:
            event = simpy.Event(self._env)
            event._ok = True
            event._value = None
        event.callbacks = [self._fire]
        heapq.heappush(self._env._queue, (key[0], NORMAL, key[1], event))
        self._head, self._head_key = event, key

    def _fire(self, event: simpy.Event) -> None:  # pragma: no cover - each layout's own
        raise NotImplementedError


class Calendar(_CalendarBase):
    """Items due at future times, each with its step; ``step(item)`` is called at its
    time. One tuple per entry: for up to about 10^4 waiting entries."""

    __slots__ = ("_buckets", "_current", "_position")

    def __init__(self, env: simpy.Environment, bucket_days: float = 1.0) -> None:
        super().__init__(env, bucket_days)
        self._buckets: dict[int, list[Entry]] = {}
        self._current: list[Entry] = []  # the earliest bucket, sorted, from _position on
        self._position = 0  # its first entry not yet handled

    def __len__(self) -> int:
        """Entries not yet handled."""
        waiting = sum(len(bucket) for bucket in self._buckets.values())
        return waiting + len(self._current) - self._position

    def add(self, delay: float, step: Step, item: Any) -> None:
        """Call ``step(item)`` ``delay`` days from now (as a callback of
        ``env.timeout(delay)`` would be)."""
        if delay < 0:
            raise ValueError(f"delay = {delay!r}: must not be negative")
        env = self._env
        entry = (env._now + delay, next(env._eid), step, item)  # SimPy's own time and id
        key = int(entry[0] * self._per_day)
        if key > self._current_key:
            bucket = self._buckets.get(key)
            if bucket is None:
                self._buckets[key] = [entry]
                heapq.heappush(self._bucket_keys, key)
            else:
                bucket.append(entry)  # ids grow: a bucket's equal times stay in id order
        elif key == self._current_key:
            bisect.insort(self._current, entry, lo=self._position)
        else:
            self._reopen_current()
            self._buckets[key] = [entry]
            heapq.heappush(self._bucket_keys, key)
        if not self._handling:
            self._supersede_head(entry[0], entry[1])

    def _reopen_current(self) -> None:
        """An entry earlier than the bucket being worked through: put its rest back."""
        rest = self._current[self._position :]
        if rest:
            self._buckets[self._current_key] = rest
            heapq.heappush(self._bucket_keys, self._current_key)
        self._current, self._position, self._current_key = [], 0, -1

    def _earliest(self) -> Entry | None:
        """The entry due first (loading and sorting the next bucket when needed)."""
        if self._position < len(self._current):
            return self._current[self._position]
        if not self._bucket_keys:
            self._current, self._position, self._current_key = [], 0, -1
            return None
        key = heapq.heappop(self._bucket_keys)
        bucket = self._buckets.pop(key)
        # by time; the sort is stable and a bucket holds equal times in id order
        bucket.sort(key=_due)  # a C function: no Python call per entry
        self._current, self._position, self._current_key = bucket, 0, key
        return bucket[0]

    def _fire(self, event: simpy.Event) -> None:
        """The head is due: handle it, then every following entry that comes before
        anything in SimPy's heap (advancing the clock as SimPy's ``step`` would, without
        the round trip through the heap), then put the next one in the heap."""
        assert event is self._head, "a calendar event came up before its entry was due"
        env, queue = self._env, self._env._queue
        self._head = self._head_key = None
        entry = self._earliest()  # the head, _current[_position] (its bucket loaded)
        self._handling = True
        try:
            while entry is not None:
                self._position += 1
                env._now = entry[0]
                entry[2](entry[3])
                if self._position < len(self._current):  # re-read: a step may add
                    entry = self._current[self._position]
                else:
                    entry = self._earliest()
                    if entry is None:
                        return
                if queue:
                    due, first = entry[0], queue[0]
                    if due > first[0] or (due == first[0] and not _ahead(entry[1], first)):
                        break
        finally:
            self._handling = False
        if entry is not None:
            self._schedule(entry, event)  # SimPy is done with this event: reuse it


def _float_places(room: int) -> memoryview[float]:
    """Room for ``room`` 8-byte floats, zeroed. A number stored through a memoryview is
    converted by the memoryview itself; one stored into an ``array.array`` goes through
    Python's general argument parser (``PyArg_Parse``): at 10^5 customers the memoryviews
    take 466 fewer instructions an order (1.1 %; cachegrind, compiled model)."""
    return memoryview(bytearray(8 * room)).cast("d")


def _int_places(room: int) -> memoryview[int]:
    """Room for ``room`` 8-byte signed ints, zeroed (see :func:`_float_places`)."""
    return memoryview(bytearray(8 * room)).cast("q")


class _Bucket:
    """The entries of one bucket in the order they were added (so in id order).

    The times and ids fill the first ``len(items)`` places of typed memory (memoryviews of
    8-byte floats and ints) made with room for :data:`MIN_BUCKET_CAPACITY` entries and
    doubled when full: a bucket fills over the weeks before its turn while dozens of
    others fill too, and an ``array.array`` grown an entry at a time (by 1/16 each time) may be
    moved and copied at every growth (at 10^5 customers these copies were a third of the
    misses of a 1 MB cache in ``memcpy``, counted by cachegrind). Room for the last loaded
    bucket's entries from the start saves the doubling's copies too, but every bucket far
    ahead, which holds a few entries of the long tail of purchase gaps, then takes that
    room: 300 MB more at 10^6 customers. The steps and items stay in lists that grow as
    Python grows them: a list made with room ahead holds empty places that every
    collection of the garbage collector walks through (more memory traffic, measured,
    than the copies it saves)."""

    __slots__ = ("ids", "items", "steps", "times")

    def __init__(self) -> None:
        self.times = _float_places(MIN_BUCKET_CAPACITY)  # due time, days
        self.ids = _int_places(MIN_BUCKET_CAPACITY)  # SimPy event id
        self.steps: list[Step] = []
        self.items: list[Any] = []  # None once handled (see ArrayCalendar._fire)

    def add(self, due: float, ident: int, step: Step, item: Any) -> None:
        size = len(self.items)  # entries so far
        if size == len(self.times):  # full: double the room
            times, ids = _float_places(2 * size), _int_places(2 * size)
            times[:size], ids[:size] = self.times, self.ids
            self.times, self.ids = times, ids
        self.times[size] = due
        self.ids[size] = ident
        self.steps.append(step)
        self.items.append(item)


class ArrayCalendar(_CalendarBase):
    """Items due at future times, each with its step; ``step(item)`` is called at its
    time. Typed memory per bucket: for about 10^4 waiting entries and more.

    The bucket being worked through is held in reverse: its entries not yet handled, the
    next one last, as minus their due times (so in ascending order, for ``bisect``) and
    the index of each in the bucket. The next entry is popped off the end, and an entry
    added to this bucket (a production job ending in minutes, a line woken now) goes in
    before the entries due at or before it, so only those few move, not the rest of the
    day's entries (at 10^5 customers thousands: a list insertion moving them all cost
    about as much as the rest of an order's calendar work)."""

    __slots__ = ("_buckets", "_current", "_minus_times", "_order")

    def __init__(self, env: simpy.Environment, bucket_days: float = 1.0) -> None:
        super().__init__(env, bucket_days)
        self._buckets: dict[int, _Bucket] = {}
        self._current = _Bucket()  # the bucket being worked through
        self._minus_times: list[float] = []  # minus the due times left, the next one last
        self._order: list[int] = []  # the index in _current of each of them

    def __len__(self) -> int:
        """Entries not yet handled."""
        waiting = sum(len(bucket.items) for bucket in self._buckets.values())
        return waiting + len(self._minus_times)

    def add(self, delay: float, step: Step, item: Any) -> None:
        """Call ``step(item)`` ``delay`` days from now (as a callback of
        ``env.timeout(delay)`` would be)."""
        if delay < 0:
            raise ValueError(f"delay = {delay!r}: must not be negative")
        env = self._env
        due = env._now + delay  # SimPy's own time and id
        ident = next(env._eid)
        key = int(due * self._per_day)
        if key > self._current_key:
            bucket = self._buckets.get(key)
            if bucket is None:
                bucket = self._buckets[key] = _Bucket()
                heapq.heappush(self._bucket_keys, key)
            bucket.add(due, ident, step, item)
        elif key == self._current_key:
            # handled after every entry left that is due at or before it (its id is the
            # largest yet), so placed before them in the reversed lists
            minus_due = -due
            at = bisect.bisect_left(self._minus_times, minus_due)
            self._minus_times.insert(at, minus_due)
            self._order.insert(at, len(self._current.items))
            self._current.add(due, ident, step, item)
        else:
            self._reopen_current()
            self._buckets[key] = bucket = _Bucket()
            heapq.heappush(self._bucket_keys, key)
            bucket.add(due, ident, step, item)
        if not self._handling:
            self._supersede_head(due, ident)

    def _reopen_current(self) -> None:
        """An entry earlier than the bucket being worked through: put its rest back."""
        current = self._current
        if self._minus_times:
            rest = _Bucket()  # in the order they come, so equal times stay in id order
            for minus_due, index in zip(
                reversed(self._minus_times), reversed(self._order), strict=True
            ):
                rest.add(-minus_due, current.ids[index], current.steps[index], current.items[index])
            self._buckets[self._current_key] = rest
            heapq.heappush(self._bucket_keys, self._current_key)
        self._load(_Bucket(), [], [], -1)

    def _load(self, bucket: _Bucket, minus_times: list[float], order: list[int], key: int) -> None:
        self._current, self._minus_times, self._order = bucket, minus_times, order
        self._current_key = key

    def _any_waiting(self) -> bool:
        """Whether an entry waits; if so, the one due first is the last of the loaded
        bucket's lists (the next bucket is loaded and sorted when the current one is
        done)."""
        if self._minus_times:
            return True
        if not self._bucket_keys:
            self._load(_Bucket(), [], [], -1)
            return False
        key = heapq.heappop(self._bucket_keys)
        bucket = self._buckets.pop(key)
        times = np.frombuffer(bucket.times.cast("B"), dtype=np.float64, count=len(bucket.items))
        # by time, equal times in id order (the sort is stable); reversed: the first last
        order = times.argsort(kind="stable")[::-1]
        self._load(bucket, (-times[order]).tolist(), order.tolist(), key)
        return True

    def _fire(self, event: simpy.Event) -> None:
        """The head is due: handle it, then every following entry that comes before
        anything in SimPy's heap (advancing the clock as SimPy's ``step`` would, without
        the round trip through the heap), then put the next one in the heap."""
        assert event is self._head, "a calendar event came up before its entry was due"
        env, queue = self._env, self._env._queue
        self._head = self._head_key = None
        self._any_waiting()  # the head: the last of the loaded bucket's lists
        minus_times, order, bucket = self._minus_times, self._order, self._current
        self._handling = True
        try:
            while True:
                env._now = -minus_times.pop()  # minus minus: the due time, bit for bit
                index = order.pop()
                items = bucket.items
                item = items[index]
                items[index] = None  # let go of it while it is at hand, not when freed
                bucket.steps[index](item)
                if self._minus_times is not minus_times or not minus_times:
                    if not self._any_waiting():
                        return
                    minus_times, order, bucket = self._minus_times, self._order, self._current
                if queue:
                    due, first = -minus_times[-1], queue[0]
                    if due > first[0] or (
                        due == first[0] and not _ahead(bucket.ids[order[-1]], first)
                    ):
                        break
        finally:
            self._handling = False
        key = -minus_times[-1], bucket.ids[order[-1]]
        self._schedule(key, event)  # SimPy is done with this event: reuse it


def _ahead(ident: int, queued: tuple[float, int, int, Any]) -> bool:
    """Whether the entry of id ``ident`` comes before the event ``queued`` due at the same
    time in SimPy's order (priority, then id)."""
    return (NORMAL, ident) < (queued[1], queued[2])
