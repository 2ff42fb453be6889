"""What every model component shares: the clock, the configuration, the random streams,
the event counters, the ledger and the calendar of the many pending events."""

from __future__ import annotations

import simpy

from ..config import Config
from .calendar import ArrayCalendar, Calendar, calendar_for
from .ledger import Ledger
from .random_streams import RandomStreams
from .tally import Tally


class Context:
    """The shared state objects of one simulated company."""

    __slots__ = ("calendar", "config", "env", "ledger", "streams", "tally")

    def __init__(
        self,
        env: simpy.Environment,
        config: Config,
        streams: RandomStreams,
        tally: Tally,
        ledger: Ledger,
        calendar: Calendar | ArrayCalendar | None = None,
    ) -> None:
        self.env = env
        self.config = config
        self.streams = streams
        self.tally = tally
        self.ledger = ledger
        if calendar is None:  # one next order waits per customer
            calendar = calendar_for(env, config.market.initial_customers)
        self.calendar: Calendar | ArrayCalendar = calendar
        """Pending events that come with every order (customers' next orders, units in
        transit, the ends of production jobs), outside SimPy's heap (:mod:`.calendar`);
        one for all of them, so that consecutive entries are handled without a trip
        through SimPy's heap whichever component they belong to. Made for the configured
        customer base if not given."""


class Component:
    """Base of the components: keeps the clock, counters, ledger and calendar at hand.

    Per-order code reads the clock as ``env._now``, the attribute behind SimPy's ``now``
    property, saving a call per read (``tests/models/test_calendar.py`` checks SimPy's
    layout)."""

    def __init__(self, context: Context) -> None:
        self._env = context.env
        self._tally = context.tally
        self._ledger = context.ledger
        self._calendar = context.calendar  # next orders, units in transit, job ends
