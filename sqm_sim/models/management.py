"""Management: the monthly cycle that runs the initiative portfolio and the workforce.

At the start of every month (after the collector has closed the previous one):
1. the workforce works off last month's output (learning) and turnover happens (with
   employee satisfaction on, :mod:`.people`, at a rate set by satisfaction, and the desk
   agents learn and leave too);
2. training sessions that end now raise their trainees' skill;
3. the suggestion system runs at the month's involvement share (continuous improvement);
   operator hours are split between production and improvement work: the planned share
   (``workforce.improvement_time_share``, or a rule's) cut under schedule pressure by the
   policy ``workforce.pressure_response``; the share used builds process capability
   (:class:`~.workforce.Workforce`), and the production hours set the line speed;
   with employee satisfaction on, the month's training, involvement, last month's
   workload and the felt pressure move employee satisfaction, which sets the desk's
   recovery with the agents' skill;
4. the month's levers (:func:`sqm_sim.models.initiatives.levers`: design and capability,
   inspection and SPC, service recovery, feature level, capacity loss) are pushed to every
   component that takes them;
5. the month's initiative spend is booked: the appraisal part of each initiative's spend
   as appraisal, a technology investment's as technology cost, the rest as prevention,
   and the whole in the memo account ``initiative_spend``.

With decision rules (``portfolio.rules``), step 0 comes first: at a month where a rule is
due, the manager reads the monthly report of the months closed so far (``reported``, the
values the run's time series will show) and :func:`sqm_sim.models.rules.review` says
which rules fire; hires join the workforce at once, a line decided on is paid for at once
(``capacity_cost``) and runs from ``lead_time_months`` later, and the month's levers are computed
under every decision so far (:func:`sqm_sim.models.initiatives.levers`). A prevention
spend set by a rule is booked as the difference to the configured spend (which the world
books every month); each hired operator costs ``workforce.wage_per_month`` a month, booked
as fixed cost.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import Protocol

from ..config import Config
from .context import Component, Context
from .initiatives import Levers, levers, rule_prevention_spend
from .ledger import APPRAISAL, CAPACITY, FIXED_COST, INITIATIVE_SPEND, PREVENTION, TECHNOLOGY
from .people import People
from .rules import Decision, is_review_month, review
from .units import DAYS_PER_MONTH
from .workforce import Workforce

Report = Callable[[int], Mapping[str, Sequence[float]]]
"""The monthly report of months 0 .. m - 1 (KPI name -> values), asked for at month m."""


class LeverTaker(Protocol):
    """A component whose settings follow the month's levers."""

    def apply_levers(self, levers: Levers) -> None: ...


class Backlog(Protocol):
    """What management needs to know about the order book: the open backorders."""

    def backorders_open(self) -> int: ...


class Capacity(Protocol):
    """What management needs to add production capacity: a new line."""

    def add_line(self) -> None: ...


class Management(Component):
    """Runs the portfolio and the workforce month by month.

    ``schedule`` holds the levers of every month of the horizon; ``takers`` receive each
    month's record in order (production last, so that it sees this month's skill and
    improvement)."""

    def __init__(
        self,
        context: Context,
        schedule: Sequence[Levers],
        workforce: Workforce,
        takers: Sequence[LeverTaker],
        reported: Report | None = None,
        backlog: Backlog | None = None,
        people: People | None = None,
        capacity: Capacity | None = None,
    ) -> None:
        super().__init__(context)
        self._config = context.config
        self._schedule = schedule
        self._workforce = workforce
        self._takers = takers
        self._units_seen = 0
        self._rules = context.config.portfolio.rules or ()
        if self._rules and reported is None:
            raise ValueError("a portfolio with rules needs the monthly report (reported=)")
        self._reported = reported
        self.decisions: list[Decision] = []
        """every decision the rules have taken so far, in order"""
        self.hired = 0
        """operators hired by rules so far"""
        self._hires_due = 0
        self._capacity = capacity
        self._lines_due: list[int] = []
        self.lines_added = 0
        """production lines added by rules so far"""
        self._backlog = backlog
        self._orders_seen = 0
        self.schedule_pressure = 0.0
        """schedule pressure P (0-1) at the start of this month"""
        self.felt_pressure = 0.0
        """pressure management acts on: P, or its slowly fading memory"""
        self.levers = schedule[0]
        self.people = people
        """employee satisfaction and the desk agents (``people.model = "on"``), or None"""
        context.env.process(self._monthly_cycle())

    @property
    def config(self) -> Config:
        """The run's configuration."""
        return self._config

    @property
    def share_involved(self) -> float:
        """Share of operators in the suggestion system this month."""
        return self.levers.share_involved

    @property
    def improvement_time_share(self) -> float:
        """Share of operator hours on improvement work this month (after pressure)."""
        return self.levers.improvement_time_share

    @property
    def capacity_loss(self) -> float:
        """Share of line capacity lost to initiatives this month."""
        return self.levers.capacity_loss

    def _monthly_cycle(self):
        if not self._rules:
            for month_levers in self._schedule:
                self._start_month(month_levers)
                yield self._env.timeout(DAYS_PER_MONTH)
            return
        month_levers = self._schedule[0]
        for month in range(len(self._schedule)):
            if month > 0:
                month_levers = self._decide(month, month_levers)
            self._start_month(month_levers)
            yield self._env.timeout(DAYS_PER_MONTH)

    def _decide(self, month: int, previous: Levers) -> Levers:
        """Review the rules due this month; the month's levers under all decisions."""
        if any(is_review_month(rule, month) for rule in self._rules):
            assert self._reported is not None
            taken = review(self._rules, month, self._reported(month), self.decisions)
            self.decisions.extend(taken)
            staff = self._config.workforce
            for decision in taken:
                rule = decision.rule
                if rule.action == "hire":
                    share = float(rule.hire_share)  # type: ignore[arg-type]
                    self._hires_due += max(1, round(share * staff.operators))
                elif rule.action == "add_line":
                    self._ledger.book(CAPACITY, float(rule.line_cost))  # type: ignore[arg-type]
                    self._lines_due.append(month + int(rule.lead_time_months))  # type: ignore[arg-type]
        for _ in range(self._lines_due.count(month)):
            if self._capacity is None:
                raise ValueError("a rule adds a line but management has no capacity= to add to")
            self._capacity.add_line()
            self.lines_added += 1
        if self.hired + self._hires_due:
            self._ledger.book(
                FIXED_COST, (self.hired + self._hires_due) * self._config.workforce.wage_per_month
            )
        if not self.decisions:
            return self._schedule[month]
        extra = rule_prevention_spend(self._config, month, self.decisions)
        if extra != 0.0:
            self._ledger.book(PREVENTION, extra)
        return levers(self._config, month, previous, self.decisions)

    def _pressure(self) -> float:
        """Schedule pressure P = min(1, backorders / (orders last month * full-pressure
        backlog)); 0 in month 0 and without an order book."""
        placed = self._tally.orders_placed
        last_month, self._orders_seen = placed - self._orders_seen, placed
        if self._backlog is None:
            return 0.0
        backlog = self._backlog.backorders_open()
        if backlog == 0:
            return 0.0
        if last_month == 0:
            return 1.0
        full = last_month * self._config.workforce.full_pressure_backlog
        return min(1.0, backlog / full)

    def _split_time(self, month_levers: Levers) -> Levers:
        """Operator hours between production and improvement this month: the planned
        improvement share cut by the pressure policy, s = s_plan (1 - response * P_felt),
        P_felt = max(P, P_felt(last month) exp(-1 / memory)) (P itself without memory); the
        capability it builds; the line speed: production hours relative to the configured
        staff times the throughput factor of capability (Repenning & Sterman: throughput =
        effort x capability)."""
        staff, workforce = self._config.workforce, self._workforce
        self.schedule_pressure = self._pressure()
        memory = staff.pressure_memory_months
        if memory > 0.0:
            faded = self.felt_pressure * math.exp(-1.0 / memory)
            self.felt_pressure = max(self.schedule_pressure, faded)
        else:
            self.felt_pressure = self.schedule_pressure
        planned = month_levers.improvement_time_share
        used = planned * (1.0 - staff.pressure_response * self.felt_pressure)
        workforce.build_capability(used)
        hours = workforce.operators * (1.0 - used)
        factor = hours / (staff.operators * (1.0 - staff.improvement_share_before))
        factor *= workforce.throughput_factor()
        if used == planned and factor == 1.0:
            return month_levers
        return replace(month_levers, improvement_time_share=used, line_speed_factor=factor)

    def _start_month(self, month_levers: Levers) -> None:
        workforce = self._workforce
        self.levers = month_levers
        people = self.people
        if month_levers.month > 0:
            produced = self._tally.units_produced
            made, self._units_seen = produced - self._units_seen, produced
            if people is None:
                self._tally.staff_departures += workforce.month_passed(made)
            else:
                left = workforce.month_passed(made, people.turnover_factor())
                self._tally.staff_departures += left + people.month_passed()
        if self._hires_due:  # after last month's learning and turnover
            workforce.hire(self._hires_due)
            self.hired += self._hires_due
            self._hires_due = 0
        for session in month_levers.trainings_completed:
            workforce.train(session.trained_share, session.skill_gap_closed)
        workforce.improve(month_levers.share_involved)
        month_levers = self._split_time(month_levers)
        self.levers = month_levers
        if people is not None:
            trained = sum(session.trained_share for session in month_levers.trainings_completed)
            people.month(
                trained, month_levers.share_involved, self.felt_pressure, workforce.operators
            )
        for taker in self._takers:
            taker.apply_levers(month_levers)
        ledger = self._ledger
        for spend in month_levers.spend:
            ledger.book(APPRAISAL, spend.appraisal)
            ledger.book(PREVENTION, spend.prevention)
            ledger.book(TECHNOLOGY, spend.technology)
            ledger.book(INITIATIVE_SPEND, spend.amount)
