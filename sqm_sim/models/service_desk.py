"""Customer service: complaints queue at a desk and end resolved (fast or slow) or not.

Story of a complaint: a dissatisfied customer files it; it waits for a free agent
(``desk_staff`` agents, a SimPy Resource), takes a handling time, costs
``complaint_handling_cost`` (external failure), and is resolved with probability
``recovery_quality``. A resolution within ``fast_resolution_days`` of filing is fast. With
no staff, complaints are closed unresolved at once, at no handling cost.
"""

from __future__ import annotations

from collections.abc import Callable

import simpy

from .context import Component, Context
from .initiatives import Levers
from .ledger import EXTERNAL_FAILURE

ComplaintOutcome = Callable[[object, bool, bool], None]
"""Called when a complaint is closed with (customer, resolved, fast)."""


class ServiceDesk(Component):
    """The complaint desk."""

    def __init__(self, context: Context, levers: Levers) -> None:
        super().__init__(context)
        env, config, streams = context.env, context.config, context.streams
        service = config.service
        self._cost = config.finance.complaint_handling_cost
        self._recovery_quality = levers.recovery_quality
        self._fast_days = service.fast_resolution_days
        self._agents = simpy.Resource(env, service.desk_staff) if service.desk_staff else None
        self._handling_time = streams.duration("complaint_handling", service.handling_time)
        self._resolution_draw = streams.uniform("complaint_resolution")
        self.complaints_open = 0
        self._handling_factor = levers.handling_time_factor

    def apply_levers(self, levers: Levers) -> None:
        """The month's resolution probability and handling-time multiplier."""
        self._recovery_quality = levers.recovery_quality
        self._handling_factor = levers.handling_time_factor

    def file(self, customer: object, on_closed: ComplaintOutcome) -> None:
        """A customer complains; ``on_closed`` hears the outcome."""
        self._tally.complaints_filed += 1
        if self._agents is None:
            self._tally.complaints_closed += 1
            on_closed(customer, False, False)
            return
        self.complaints_open += 1
        self._env.process(self._handle(customer, on_closed))

    def _handle(self, customer: object, on_closed: ComplaintOutcome):
        env, tally = self._env, self._tally
        filed_at = env.now
        with self._agents.request() as agent:  # type: ignore[union-attr]
            yield agent
            yield env.timeout(self._handling_time() * self._handling_factor)
        self._ledger.book(EXTERNAL_FAILURE, self._cost)
        self.complaints_open -= 1
        resolved = self._resolution_draw() < self._recovery_quality
        fast = resolved and env.now - filed_at <= self._fast_days
        tally.complaints_closed += 1
        tally.complaint_days_total += env.now - filed_at
        tally.complaints_resolved += resolved
        tally.complaints_resolved_fast += fast
        on_closed(customer, resolved, fast)
