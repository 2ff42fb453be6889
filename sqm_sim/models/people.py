"""People: employee satisfaction and the desk agents' skill (opt-in, ``people.model``).

The service-profit chain (Heskett et al. 1994; Rucci, Kirn & Quinn 1998 at Sears): how
people are treated drives how satisfied they are, which drives whether they stay (and so
the skill kept in the firm) and how they serve customers. Employee satisfaction J (0-1)
is one state for operators and desk agents. At the start of every month management feeds
it the month's drivers:

    T   <- T exp(-1 / tau_T) + trained share completed this month      (recent training)
    J*   = clip(J0 + b_T (1 - exp(-T)) + b_I v - b_W W - b_P P, 0, 1)
    J   <- J* + (J - J*) exp(-1 / tau)                                  (J* at once if tau = 0)

v = share of operators involved, W = overload = max(0, U - U_n) / (1 - U_n) with U the
utilisation of the lines and the desk last month (weighted by operators and agents),
P = felt schedule pressure (:mod:`.management`). Voluntary turnover follows J:

    turnover rate = r0 exp(-k (J - J0))            (r0 = workforce.turnover_rate_per_year)

The desk agents are people with skill: each has handled c complaints and has skill
1 - g ((c + c0) / c0)^b (Wright's curve as the operators', b = log2(learning_rate), g the
gap at hire); agents leave at the same rate as operators and are replaced by new hires.
Their mean skill K and the staff's satisfaction J (courtesy) set the month's recovery:

    logit(recovery) = logit(recovery lever) + g_K (K - K0) + g_J (J - J0)
    handling time  x= exp(-h (K - K0))

so at J = J0 and K = K0 the levers are unchanged. Every coefficient is in
:class:`sqm_sim.config.people_sections.PeopleSettings` with its source or marked as an
assumption.
"""

from __future__ import annotations

import math
from typing import Protocol

import numpy as np

from ..config.people_sections import PeopleSettings
from .context import Context
from .satisfaction import logistic
from .units import DAYS_PER_MONTH
from .workforce import replace_leavers, skills_on_curve, starting_state


def satisfaction_target(
    people: PeopleSettings, training: float, involved: float, overload: float, pressure: float
) -> float:
    """J* = clip(J0 + b_T (1 - exp(-T)) + b_I v - b_W W - b_P P, 0, 1)."""
    target = (
        people.reference_satisfaction
        + people.training_effect * -math.expm1(-training)
        + people.involvement_effect * involved
        - people.workload_effect * overload
        - people.pressure_effect * pressure
    )
    return min(1.0, max(0.0, target))


def overload(utilisation: float, normal: float) -> float:
    """W = max(0, U - U_n) / (1 - U_n): 0 at or below normal utilisation, 1 when busy all
    the time (a month's utilisation counts whole jobs started in it, so it may pass 1 by a
    job: W stays at 1)."""
    return min(1.0, max(0.0, utilisation - normal) / (1.0 - normal))


def turnover_factor(people: PeopleSettings, satisfaction: float) -> float:
    """exp(-k (J - J0)): the multiplier on the configured turnover rate."""
    return math.exp(-people.turnover_sensitivity * (satisfaction - people.reference_satisfaction))


def recovery_probability(
    people: PeopleSettings, lever: float, agent_skill: float, satisfaction: float
) -> float:
    """logit^-1(logit(lever) + g_K (K - K0) + g_J (J - J0)); a lever of 0 or 1 is kept."""
    if lever <= 0.0 or lever >= 1.0:
        return lever
    shift = people.recovery_skill_effect * (agent_skill - people.agent_skill)
    shift += people.recovery_courtesy_effect * (satisfaction - people.reference_satisfaction)
    return logistic(math.log(lever / (1.0 - lever)) + shift)


def handling_factor(people: PeopleSettings, agent_skill: float) -> float:
    """exp(-h (K - K0)): the multiplier on complaint handling time from agents' skill."""
    return math.exp(-people.handling_skill_effect * (agent_skill - people.agent_skill))


class EmployeeSatisfaction:
    """The staff's satisfaction J and the memory of recent training T."""

    def __init__(self, people: PeopleSettings) -> None:
        self._people = people
        self.satisfaction = people.reference_satisfaction
        """employee satisfaction J (0-1)"""
        self.recent_training = 0.0
        """T: trained share of the last months, fading"""
        self._kept = (
            math.exp(-1.0 / people.adjustment_months) if people.adjustment_months > 0 else 0.0
        )
        self._training_kept = math.exp(-1.0 / people.training_memory_months)

    def month(self, trained: float, involved: float, load: float, pressure: float) -> float:
        """A month's drivers (trained share completed now, share involved, overload W,
        felt pressure P); returns the new J."""
        self.recent_training = self.recent_training * self._training_kept + trained
        target = satisfaction_target(self._people, self.recent_training, involved, load, pressure)
        self.satisfaction = target + (self.satisfaction - target) * self._kept
        return self.satisfaction

    def turnover_factor(self) -> float:
        """Multiplier on the configured turnover rate at the current satisfaction."""
        return turnover_factor(self._people, self.satisfaction)


class DeskStaff:
    """The complaint desk's agents: experience (complaints handled), skill, turnover."""

    def __init__(self, context: Context) -> None:
        config = context.config
        staff, people = config.workforce, config.people
        self._exponent = math.log2(staff.learning_rate)
        self._reference = people.agent_learning_reference
        self._new_hire_gap = 1.0 - staff.new_hire_skill
        self._turnover_rate = staff.turnover_rate_per_year
        gap, handled = self._starting_state(people.agent_skill)
        agents = config.service.desk_staff
        self.handled = np.full(agents, handled)
        self.gap_at_hire = np.full(agents, gap)
        self._turnover = context.streams.generator("desk_turnover")
        self.hired = 0
        """agents who joined to replace one who left"""

    def _starting_state(self, skill: float) -> tuple[float, float]:
        """(gap at hire, complaints handled) of an agent with ``skill`` on the curve
        (:func:`.workforce.starting_state`, as an operator)."""
        return starting_state(skill, self._new_hire_gap, self._exponent, self._reference)

    def skills(self) -> np.ndarray:
        """Skill of every agent (0-1)."""
        return skills_on_curve(self.handled, self.gap_at_hire, self._reference, self._exponent)

    def average_skill(self) -> float:
        """Mean agent skill (0 with no agents)."""
        return float(self.skills().mean()) if len(self.handled) else 0.0

    def month_passed(self, complaints_handled: int, turnover_factor: float) -> int:
        """A month on the desk: experience shared equally, then turnover at the configured
        rate times ``turnover_factor``; returns the agents who left."""
        if not len(self.handled):
            return 0
        self.handled += complaints_handled / len(self.handled)
        count = replace_leavers(
            self.handled,
            self.gap_at_hire,
            self._turnover,
            self._turnover_rate * turnover_factor,
            self._new_hire_gap,
        )
        self.hired += count
        return count


class Lines(Protocol):
    """What the people need to know of the production lines: time worked, lines."""

    busy_days: float
    lines: int


class Desk(Protocol):
    """What the people need to know of the complaint desk, and tell it."""

    busy_days: float
    agents: int

    def staff_changed(self, agent_skill: float, satisfaction: float) -> None: ...


class People:
    """Employee satisfaction and the desk agents, month by month (people on)."""

    def __init__(self, context: Context, lines: Lines, desk: Desk) -> None:
        self._people = context.config.people
        self._tally = context.tally
        self._operators = context.config.workforce.operators
        self._lines, self._desk = lines, desk
        self.satisfaction = EmployeeSatisfaction(self._people)
        self.agents = DeskStaff(context)
        self._busy_seen = (0.0, 0.0)
        self._closed_seen = 0
        self.overload = 0.0
        """W of the last update"""

    @property
    def employee_satisfaction(self) -> float:
        """J (0-1)."""
        return self.satisfaction.satisfaction

    def turnover_factor(self) -> float:
        """Multiplier on the configured turnover rate now: exp(-k (J - J0))."""
        return self.satisfaction.turnover_factor()

    def month_passed(self) -> int:
        """The desk's month: agents learn from the complaints closed and some leave;
        returns the agents who left."""
        closed = self._tally.complaints_closed
        handled, self._closed_seen = closed - self._closed_seen, closed
        return self.agents.month_passed(handled, self.turnover_factor())

    def utilisation(self, operators: int) -> float:
        """U of the month since the last call: line and desk time worked over time
        available, weighted by ``operators`` and agents."""
        lines, desk = self._lines, self._desk
        line_busy, desk_busy = lines.busy_days, desk.busy_days
        worked = (line_busy - self._busy_seen[0], desk_busy - self._busy_seen[1])
        self._busy_seen = (line_busy, desk_busy)
        shares = [
            (operators, worked[0] / (lines.lines * DAYS_PER_MONTH) if lines.lines else 0.0),
            (desk.agents, worked[1] / (desk.agents * DAYS_PER_MONTH) if desk.agents else 0.0),
        ]
        heads = sum(count for count, _ in shares)
        return sum(count * value for count, value in shares) / heads if heads else 0.0

    def month(self, trained: float, involved: float, pressure: float, operators: int) -> None:
        """Update J from the month's drivers and tell the desk its agents' skill and the
        staff's satisfaction."""
        self.overload = overload(self.utilisation(operators), self._people.normal_utilisation)
        satisfaction = self.satisfaction.month(trained, involved, self.overload, pressure)
        self._desk.staff_changed(self.agents.average_skill(), satisfaction)
