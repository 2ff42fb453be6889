"""The agenda: one calendar for the steps every order goes through.

A customer's next order, a unit in transit and a production line's current job are each
one entry of a single calendar (:func:`~.calendar.calendar_for`), outside SimPy's event
heap. Each entry is a ``(step, argument)`` pair; at its time the calendar calls
``step(argument)``. Because the calendar gives each entry the key SimPy would have given a
timeout of the same delay, steps happen at the same times and in the same order as with
one SimPy event per step. Sharing one calendar lets it work through consecutive steps of
different kinds (an order, then a delivery, then a finished unit) without a round trip
through SimPy's heap between them; only the firm's daily and monthly processes, the
complaint desk and process control stay SimPy processes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import simpy

from .calendar import ArrayCalendar, Calendar, calendar_for

Agenda = Calendar | ArrayCalendar
"""The calendar of ``(step, argument)`` entries."""

Step = Callable[[Any], None]
"""What an entry does when it is due: called with the entry's argument."""


def run_step(entry: tuple[Step, Any]) -> None:
    """Do an agenda entry's step: ``step(argument)``."""
    entry[0](entry[1])


def agenda_for(env: simpy.Environment, waiting: int) -> Agenda:
    """An agenda for about ``waiting`` pending steps at a time (its layout by size, as
    :func:`~.calendar.calendar_for` chooses)."""
    return calendar_for(env, run_step, waiting)
