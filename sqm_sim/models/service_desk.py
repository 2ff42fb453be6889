"""Customer service: complaints queue at a desk and end resolved (fast or slow) or not.

Story of a complaint: a dissatisfied customer files it; it waits for a free agent
(``desk_staff`` agents, a SimPy Resource), takes a handling time, costs
``complaint_handling_cost`` (external failure), and is resolved with probability
``recovery_quality``. A resolution within ``fast_resolution_days`` of filing is fast. With
no staff, complaints are closed unresolved at once, at no handling cost.

With employee satisfaction on (``people.model``), the agents are people with skill
(:class:`~.people.DeskStaff`): management tells the desk each month the agents' mean skill
and the staff's satisfaction (:meth:`ServiceDesk.staff_changed`), and the resolution
probability and handling time are the levers' moved by
:func:`~.people.recovery_probability` and :func:`~.people.handling_factor`.
"""

from __future__ import annotations

from collections.abc import Callable

import simpy

from .context import Component, Context
from .initiatives import Levers
from .ledger import EXTERNAL_FAILURE
from .people import handling_factor, recovery_probability

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
        self._people = config.people if config.people.model == "on" else None
        self._agent_skill = config.people.agent_skill
        self._staff_satisfaction = config.people.reference_satisfaction
        self._levers = levers
        self.busy_days = 0.0
        """agent time spent handling complaints so far (days)"""
        self.agents = service.desk_staff
        """agents on the desk"""

    def apply_levers(self, levers: Levers) -> None:
        """The month's resolution probability and handling-time multiplier (moved by the
        agents' skill and the staff's satisfaction with employee satisfaction on)."""
        self._levers = levers
        people = self._people
        if people is None:
            self._recovery_quality = levers.recovery_quality
            self._handling_factor = levers.handling_time_factor
            return
        self._recovery_quality = recovery_probability(
            people, levers.recovery_quality, self._agent_skill, self._staff_satisfaction
        )
        self._handling_factor = levers.handling_time_factor * handling_factor(
            people, self._agent_skill
        )

    def staff_changed(self, agent_skill: float, satisfaction: float) -> None:
        """The agents' mean skill and the staff's satisfaction this month (people on)."""
        self._agent_skill, self._staff_satisfaction = agent_skill, satisfaction
        self.apply_levers(self._levers)

    @property
    def recovery_quality(self) -> float:
        """Probability that a complaint handled now is resolved."""
        return self._recovery_quality

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
            duration = self._handling_time() * self._handling_factor
            self.busy_days += duration
            yield env.timeout(duration)
        self._ledger.book(EXTERNAL_FAILURE, self._cost)
        self.complaints_open -= 1
        resolved = self._resolution_draw() < self._recovery_quality
        fast = resolved and env.now - filed_at <= self._fast_days
        tally.complaints_closed += 1
        tally.complaint_days_total += env.now - filed_at
        tally.complaints_resolved += resolved
        tally.complaints_resolved_fast += fast
        on_closed(customer, resolved, fast)
