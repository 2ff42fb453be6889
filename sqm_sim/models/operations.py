"""Operations: production lines making units to stock under an (s, S) policy.

Story of a unit: the inventory policy releases a work order; a free line takes the next
work order from the queue, works it for one cycle time, and the finished unit goes to
inspection. Whether the unit is defective is decided when it is made:

    p_defect = 1 - (1 - p_design) (1 - p_process) (1 - p_human)

    p_design  = design_defect_ppm / 1e6
    p_process = k * [Phi(-(3 Cpk - delta)) + Phi(-(3 Cpk + delta))]
                (normal process, specification limits at +-3 Cpk sigma from the target;
                 delta = 0 in control, drift_shift_sigma while out of control, so that
                 p_process = 2 Phi(-3 Cpk) in control: Montgomery, Introduction to SQC)
    p_human   = k * human_error_probability_untrained * (1 - skill)
    k         = prevention factor * continuous-improvement factor * capability factor
                (the first two <= 1; the capability factor is 1 at the start and moves
                with the improvement time operators get, :mod:`.workforce`)

    prevention factor = (1 - r) + r * exp(-capability / prevention_effect_scale),
                        r = prevention_max_reduction, capability = the month's prevention
                        capability (a stock that follows the spend with a delay,
                        :func:`sqm_sim.models.initiatives.levers`)

Line speed (assumption: operators pace the lines): cycle times are divided by the
operator hours on production relative to the configured staff at its planned improvement
time, so hiring or taking improvement time for production speeds the lines up, and
stretched by 1 / (1 - capacity lost to initiatives).

Tampering (opt-in, ``operations.adjustment_policy``): operators measure one unit every
``adjustment_interval_days`` and move the process setting (the mean, in process sigmas
from the target) by one of Deming's funnel rules or a Shewhart rule
(:class:`~.process_control.Adjuster`); the setting shifts the process like drift does,
delta = setting (+ drift_shift_sigma while out of control). Off by default.

Rework jobs share the lines with new work orders (first come, first served). The lines
pull from one job queue; an idle line sleeps until the next job wakes it (no SimPy event
per queued job, which halves the events per unit compared with a ``simpy.Store``). A line
is not a generator process: it starts as one SimPy event of its own (urgent, as SimPy
starts a process), and each job's end and each wake-up then waits in the context's
calendar (:mod:`.calendar`), which gives it the key a SimPy process's timeout would have
had (same time and next id of the environment's counter, normal priority). So units are
made at the same times and in the same order as with one process per line, without a
process resumption, a new ``Timeout`` or a trip through SimPy's heap per unit: the
calendar handles a unit's end in the same loop as the customers' orders and deliveries
around it.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable
from typing import Protocol

import simpy
from simpy.events import URGENT

from ..config import Config
from ..config.sections import QualitySystemSettings
from .context import Component, Context
from .initiatives import Levers, levers
from .ledger import PRODUCTION_COST
from .process_control import Adjuster
from .units import MINUTES_PER_DAY

MAKE = 0
REWORK = 1


def standard_normal_cdf(x: float) -> float:
    """Phi(x), the standard normal cumulative distribution function."""
    return 0.5 * math.erfc(-x / math.sqrt(2.0))


def process_defect_share(cpk: float, shift_sigma: float = 0.0) -> float:
    """Share of output outside the specification limits for capability ``cpk`` when the
    mean is shifted by ``shift_sigma`` process standard deviations."""
    half_width = 3.0 * cpk
    return standard_normal_cdf(-(half_width - shift_sigma)) + standard_normal_cdf(
        -(half_width + shift_sigma)
    )


def prevention_factor(quality: QualitySystemSettings, capability: float) -> float:
    """Multiplier on process- and human-caused defects bought by a prevention capability
    worth ``capability`` (currency/month of sustained spend)."""
    reducible = quality.prevention_max_reduction
    spend_ratio = capability / quality.prevention_effect_scale
    return 1.0 - reducible + reducible * math.exp(-spend_ratio)


def defect_probability(
    design_ppm: float,
    cpk: float,
    shift_sigma: float,
    human_error_untrained: float,
    skill: float,
    line_factor: float,
) -> float:
    """Chance that a newly made unit is defective (design, process and human causes)."""
    p_design = design_ppm / 1e6
    p_process = line_factor * process_defect_share(cpk, shift_sigma)
    p_human = line_factor * human_error_untrained * (1.0 - skill)
    return 1.0 - (1.0 - p_design) * (1.0 - p_process) * (1.0 - p_human)


def unit_defect_probability(config: Config, out_of_control: bool) -> float:
    """Defect probability of a unit made in month 0, before any improvement: month 0's
    levers (design defects, capability) with the configured skill and prevention."""
    first = levers(config, 0)
    return defect_probability(
        first.design_defect_ppm,
        first.process_capability_cpk,
        config.quality.drift_shift_sigma if out_of_control else 0.0,
        config.operations.human_error_probability_untrained,
        config.workforce.skill,
        prevention_factor(config.quality, first.prevention_capability),
    )


class ProcessState(Protocol):
    """What production needs to know about the process: is it out of control now?"""

    out_of_control: bool


class SkillSource(Protocol):
    """What production needs to know about the operators (see :mod:`.workforce`)."""

    improvement_factor: float

    def average_skill(self) -> float: ...

    def capability_factor(self) -> float: ...


class FinishedGoods(Protocol):
    """What the inventory policy needs to know about finished goods."""

    def stock_on_hand(self) -> int: ...

    def backorders_open(self) -> int: ...


class Production(Component):
    """Production lines, the work-order queue and the (s, S) replenishment policy."""

    def __init__(
        self,
        context: Context,
        levers: Levers,
        process: ProcessState,
        operators: SkillSource,
    ) -> None:
        super().__init__(context)
        env, config, streams = context.env, context.config, context.streams
        self._process = process
        self._operators = operators
        ops = config.operations
        self._reorder_point = ops.reorder_point_units
        self._order_up_to = ops.order_up_to_units
        self._unit_cost = config.finance.unit_cost
        self._rework_time_fraction = config.quality.rework_time_fraction
        self._human_error = ops.human_error_probability_untrained
        self._shift = config.quality.drift_shift_sigma
        self._quality = config.quality
        self._defect_probability = (0.0, 0.0)
        self._slowdown = 1.0
        self._levers = levers
        self.operator: Adjuster | None = None
        """the operators' adjustment of the process setting (opt-in policy)"""
        if ops.adjustment_policy != "none":
            self.operator = Adjuster(ops.adjustment_policy)
            self._measurement = streams.generator("process_measurement")
            env.process(self._adjust(ops.adjustment_interval_days))
        self._cycle_time = streams.duration("cycle_time", ops.cycle_time, 1.0 / MINUTES_PER_DAY)
        self._defect_draw = streams.uniform("unit_defect")
        self._jobs: deque[int] = deque()
        self._idle_lines: list[simpy.Event] = []  # lines asleep until a job comes
        self.finished_goods: FinishedGoods | None = None
        self.inspect: Callable[[bool], None] | None = None
        self.finish_rework: Callable[[], None] | None = None
        self.busy_days = 0.0
        """line time worked so far, summed over lines (days; a job's whole time is
        counted when it starts)"""
        self.lines = 0
        """production lines running"""
        for _ in range(ops.production_lines):
            self.add_line()
        self.apply_levers(levers)

    def add_line(self) -> None:
        """A production line starts taking jobs (at build, or a capacity expansion): its
        event is scheduled now with urgent priority, as SimPy starts a process."""
        self.lines += 1
        line = simpy.Event(self._env)
        line._ok, line._value = True, None
        line.callbacks = [self._take_job]
        self._env.schedule(line, URGENT, 0.0)

    def connect(
        self,
        finished_goods: FinishedGoods,
        inspect: Callable[[bool], None],
        finish_rework: Callable[[], None],
    ) -> None:
        """Wire the downstream steps (done once, when the world is built)."""
        self.finished_goods = finished_goods
        self.inspect = inspect
        self.finish_rework = finish_rework

    def apply_levers(self, levers: Levers) -> None:
        """The month's design defects, capability and capacity loss, with the operators'
        current skill, improvement and process capability: recompute defect chances; lost
        capacity stretches cycle times by 1 / (1 - loss), and the operator hours on
        production scale line speed (cycle times divided by the hours factor)."""
        operators = self._operators
        skill, line_factor = (
            operators.average_skill(),
            prevention_factor(self._quality, levers.prevention_capability)
            * operators.improvement_factor
            * operators.capability_factor(),
        )
        self._levers = levers
        offset = self.operator.setting if self.operator is not None else 0.0
        design_ppm, cpk = levers.design_defect_ppm, levers.process_capability_cpk
        in_control, out_of_control = (
            defect_probability(design_ppm, cpk, shift, self._human_error, skill, line_factor)
            for shift in (offset, offset + self._shift)
        )
        self._defect_probability = (in_control, out_of_control)
        self._slowdown = 1.0 / (1.0 - levers.capacity_loss) / levers.line_speed_factor

    def _adjust(self, interval_days: float):
        """The operators measure one unit (the setting, the drift shift if out of control
        and unit noise, in process sigmas) and move the setting as their policy says."""
        operator = self.operator
        assert operator is not None
        while True:
            yield self._env.timeout(interval_days)
            drift = self._shift if self._process.out_of_control else 0.0
            result = operator.setting + drift + float(self._measurement.standard_normal())
            before = operator.setting
            if operator.observe(result) != before:
                self.apply_levers(self._levers)

    def current_defect_probability(self, out_of_control: bool = False) -> float:
        """Defect chance of a unit made now, in or out of control."""
        return self._defect_probability[out_of_control]

    def pipeline_units(self) -> int:
        """Units released to production that have not yet reached stock or scrap."""
        tally = self._tally
        return tally.work_orders_released - tally.units_to_stock - tally.units_scrapped

    def inventory_position(self) -> int:
        """Stock on hand + pipeline - backorders (the quantity the policy steers)."""
        goods = self.finished_goods
        assert goods is not None
        return goods.stock_on_hand() + self.pipeline_units() - goods.backorders_open()

    def review(self) -> None:
        """Apply the (s, S) policy: if the position is at or below s, release up to S."""
        position = self.inventory_position()
        if position <= self._reorder_point:
            shortfall = self._order_up_to - position
            self._tally.work_orders_released += shortfall
            for _ in range(shortfall):
                self._add_job(MAKE)

    def request_rework(self) -> None:
        """Queue a rejected unit for rework on the lines."""
        self._tally.rework_started += 1
        self._add_job(REWORK)

    def _add_job(self, job: int) -> None:
        self._jobs.append(job)
        if self._idle_lines:  # wake a line now (as ``succeed`` on the event it sleeps on)
            self._calendar.add(0.0, self._take_job, self._idle_lines.pop())

    def _take_job(self, line: simpy.Event) -> None:
        """A free line takes the next job and works it, or sleeps until one comes."""
        jobs = self._jobs
        if not jobs:
            self._idle_lines.append(line)
            return
        if jobs.popleft() == MAKE:
            duration = self._cycle_time() * self._slowdown
            self.busy_days += duration
            self._calendar.add(duration, self._unit_made, line)
        else:
            duration = self._cycle_time() * self._rework_time_fraction * self._slowdown
            self.busy_days += duration
            self._calendar.add(duration, self._unit_reworked, line)

    def _unit_made(self, line: simpy.Event) -> None:
        self._finish_unit()
        self._take_job(line)

    def _unit_reworked(self, line: simpy.Event) -> None:
        self.finish_rework()  # type: ignore[misc]
        self._take_job(line)

    def _finish_unit(self) -> None:
        tally = self._tally
        tally.units_produced += 1
        self._ledger.book(PRODUCTION_COST, self._unit_cost)
        defective = self._defect_draw() < self._defect_probability[self._process.out_of_control]
        if defective:
            tally.defects_produced += 1
        self.inspect(defective)  # type: ignore[misc]
