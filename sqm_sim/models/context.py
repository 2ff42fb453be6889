"""What every model component shares: the clock, the configuration, the random streams,
the event counters and the ledger."""

from __future__ import annotations

from dataclasses import dataclass

import simpy

from ..config import Config
from .ledger import Ledger
from .random_streams import RandomStreams
from .tally import Tally


@dataclass(frozen=True)
class Context:
    """The shared state objects of one simulated company."""

    env: simpy.Environment
    config: Config
    streams: RandomStreams
    tally: Tally
    ledger: Ledger


class Component:
    """Base of the components: keeps the clock, counters and ledger at hand.

    Per-order code reads the clock as ``env._now``, the attribute behind SimPy's ``now``
    property, saving a call per read (``tests/models/test_calendar.py`` checks SimPy's
    layout)."""

    def __init__(self, context: Context) -> None:
        self._env = context.env
        self._tally = context.tally
        self._ledger = context.ledger
