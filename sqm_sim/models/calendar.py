"""A calendar of many pending events, kept outside SimPy's event heap.

SimPy keeps every pending event in one binary heap ordered by (time, priority, id). A
population of customers who each wait for their next order puts one entry per customer in
that heap: at 10^5 customers each push and pop walks 17 levels of a heap that no longer
fits the processor's caches, and the cost of an order grows with the population.

A :class:`Calendar` holds such entries itself, in buckets of ``bucket_days`` days (one
list per bucket, appended to in O(1); the bucket being worked through is sorted once), and
keeps only its earliest entry in SimPy's heap. Each entry gets the key SimPy would have
given a ``Timeout`` of the same delay: the time ``now + delay`` computed as SimPy computes
it, normal priority, and the next id of the environment's counter. The earliest entry's
event is pushed into SimPy's heap under that key. So entries are handled at exactly the
times (bit for bit) and in exactly the order, ties included, in which one timeout per
entry would have been processed, and every other event keeps its own key.

When the entry after the one just handled comes before everything in SimPy's heap, the
calendar handles it at once, setting the clock to its time as SimPy's ``step`` would,
instead of a round trip through the heap.

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

import simpy
from simpy.events import NORMAL

Entry = tuple[float, int, Any]
"""(due time in days, SimPy event id, item)."""

_due = operator.itemgetter(0)
"""An entry's due time."""


class Calendar:
    """Items due at future times; ``handler(item)`` is called for each at its time."""

    __slots__ = (
        "_bucket_keys",
        "_buckets",
        "_current",
        "_current_key",
        "_env",
        "_handler",
        "_handling",
        "_head",
        "_head_entry",
        "_per_day",
        "_position",
        "_superseded",
    )

    def __init__(
        self, env: simpy.Environment, handler: Callable[[Any], None], bucket_days: float = 1.0
    ) -> None:
        if not bucket_days > 0.0:
            raise ValueError(f"bucket_days = {bucket_days!r}: must be positive")
        self._env = env
        self._handler = handler
        self._per_day = 1.0 / bucket_days
        self._buckets: dict[int, list[Entry]] = {}
        self._bucket_keys: list[int] = []  # heap of the keys of _buckets
        self._current: list[Entry] = []  # the earliest bucket, sorted, from _position on
        self._current_key = -1
        self._position = 0
        self._head: simpy.Event | None = None  # in SimPy's heap for the earliest entry
        self._head_entry: Entry | None = None
        self._superseded: dict[int, simpy.Event] = {}  # in SimPy's heap, not the head
        self._handling = False

    def __len__(self) -> int:
        """Entries not yet handled."""
        waiting = sum(len(bucket) for bucket in self._buckets.values())
        return waiting + len(self._current) - self._position

    def add(self, delay: float, item: Any) -> None:
        """Hand ``item`` to the handler ``delay`` days from now (as ``env.timeout(delay)``
        would)."""
        if delay < 0:
            raise ValueError(f"delay = {delay!r}: must not be negative")
        env = self._env
        entry = (env._now + delay, next(env._eid), item)  # SimPy's own time and id
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
        if not self._handling and (self._head_entry is None or entry < self._head_entry):
            if self._head is not None:  # stays in SimPy's heap until its entry is due
                self._superseded[self._head_entry[1]] = self._head  # type: ignore[index]
            self._schedule(entry, None)

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

    def _schedule(self, entry: Entry, event: simpy.Event | None) -> None:
        """Make ``entry`` the head: its event in SimPy's heap under its key (the one still
        there from before it was superseded, or ``event``, or a new one)."""
        if self._superseded:
            waiting = self._superseded.pop(entry[1], None)
            if waiting is not None:
                self._head, self._head_entry = waiting, entry
                return
        if event is None:
            event = simpy.Event(self._env)
            event._ok = True
            event._value = None
        event.callbacks = [self._fire]
        heapq.heappush(self._env._queue, (entry[0], NORMAL, entry[1], event))
        self._head, self._head_entry = event, entry

    def _fire(self, event: simpy.Event) -> None:
        """The head is due: handle it, then every following entry that comes before
        anything in SimPy's heap (advancing the clock as SimPy's ``step`` would, without
        the round trip through the heap), then put the next one in the heap."""
        assert event is self._head, "a calendar event came up before its entry was due"
        env, queue, handler = self._env, self._env._queue, self._handler
        entry: Entry | None = self._head_entry
        self._head = self._head_entry = None
        self._earliest()  # the head is _current[_position] (its bucket loaded)
        self._handling = True
        try:
            while True:
                self._position += 1
                env._now = entry[0]  # type: ignore[index]
                handler(entry[2])  # type: ignore[index]
                if self._position < len(self._current):  # re-read: handler may add
                    entry = self._current[self._position]
                else:
                    entry = self._earliest()
                    if entry is None:
                        break
                if queue:
                    due, first = entry[0], queue[0]
                    if due > first[0] or (due == first[0] and not _before(entry, first)):
                        break
        finally:
            self._handling = False
        if entry is not None:
            self._schedule(entry, event)  # SimPy is done with this event: reuse it


def _before(entry: Entry, queued: tuple[float, int, int, Any]) -> bool:
    """Whether ``entry`` comes before the event ``queued`` in SimPy's order."""
    if entry[0] != queued[0]:
        return entry[0] < queued[0]
    return (NORMAL, entry[1]) < (queued[1], queued[2])
