"""Quality system: inspection of finished units (appraisal) and process control (SPC).

Inspection. A finished unit is inspected with probability ``inspection_coverage`` (cost
``cost_per_inspection``). An inspected defective unit is rejected with probability
``detection_probability``; a good one with ``false_reject_probability``. A rejected unit is
reworked with probability ``rework_share`` (line time, ``rework_cost_per_unit``) and is good
afterwards with ``rework_success_probability``; otherwise, or when rework fails, it is
scrapped (its ``unit_cost`` moves from production cost to internal failure, plus
``scrap_cost_per_unit``). Three uniform numbers are drawn per unit whatever happens, so that
the inspection stream stays aligned across configurations (common random numbers).

Process control. The process goes out of control at the times of a Poisson process with
rate ``drift_rate_per_month`` times ``drift_factor`` (initiatives lower the factor; events
are drawn by thinning the base-rate process, exact for a piecewise-constant factor <= 1);
while out of control its mean is shifted by ``drift_shift_sigma`` sigma (see
:mod:`.operations`). Every ``monitoring_interval_days`` an SPC check (cost
``monitoring_cost_per_check``) detects an out-of-control process with probability
``monitoring_detection_probability``; ``correction_time_days`` after detection
the process is back in control. The expected time out of control per episode is therefore
``interval * (1/p - 1/2) + correction`` for detection probability p (geometric number of
checks, uniform phase of the drift within an interval).
"""

from __future__ import annotations

from collections.abc import Callable

import simpy

from ..config import DurationDistribution
from .context import Component, Context
from .initiatives import Levers
from .ledger import APPRAISAL, INTERNAL_FAILURE, PRODUCTION_COST
from .operations import Production
from .units import DAYS_PER_MONTH


class Inspection(Component):
    """Inspect finished units; route them to stock, rework or scrap."""

    def __init__(
        self,
        context: Context,
        levers: Levers,
        production: Production,
        to_stock: Callable[[bool], None],
    ) -> None:
        super().__init__(context)
        config, streams = context.config, context.streams
        quality, finance = config.quality, config.finance
        self._production = production
        self._to_stock = to_stock
        self._false_reject = quality.false_reject_probability
        self._coverage = levers.inspection_coverage
        self._reject_probability = (self._false_reject, levers.detection_probability)
        self._rework_share = quality.rework_share
        self._rework_success = quality.rework_success_probability
        self._cost_per_inspection = finance.cost_per_inspection
        self._rework_cost = finance.rework_cost_per_unit
        self._unit_cost = finance.unit_cost
        self._scrap_cost = finance.scrap_cost_per_unit
        self._draw = streams.uniform("inspection")
        self._rework_draw = streams.uniform("rework")

    def apply_levers(self, levers: Levers) -> None:
        """The month's inspection coverage and detection probability."""
        self._coverage = levers.inspection_coverage
        self._reject_probability = (self._false_reject, levers.detection_probability)

    def inspect(self, defective: bool) -> None:
        """Inspect (or not) a finished unit and send it on."""
        draw = self._draw
        covered, reject_draw, route_draw = draw() < self._coverage, draw(), draw()
        if covered:
            tally = self._tally
            tally.units_inspected += 1
            self._ledger.book(APPRAISAL, self._cost_per_inspection)
            if reject_draw < self._reject_probability[defective]:
                tally.units_rejected += 1
                tally.defects_detected += defective
                if route_draw < self._rework_share:
                    self._production.request_rework()
                else:
                    self._scrap()
                return
        self._to_stock(defective)

    def finish_rework(self) -> None:
        """A unit comes off the line after rework: good to stock, or scrapped."""
        self._tally.units_reworked += 1
        self._ledger.book(INTERNAL_FAILURE, self._rework_cost)
        if self._rework_draw() < self._rework_success:
            self._to_stock(False)
        else:
            self._scrap()

    def _scrap(self) -> None:
        self._tally.units_scrapped += 1
        self._ledger.transfer(PRODUCTION_COST, INTERNAL_FAILURE, self._unit_cost)
        self._ledger.book(INTERNAL_FAILURE, self._scrap_cost)
        self._production.review()  # the scrapped unit leaves the pipeline


class ProcessControl(Component):
    """Process drift (assignable causes) and its detection by periodic SPC checks."""

    def __init__(self, context: Context, levers: Levers) -> None:
        super().__init__(context)
        env, config, streams = context.env, context.config, context.streams
        quality = config.quality
        self._check_cost = config.finance.monitoring_cost_per_check
        self._interval = levers.monitoring_interval_days
        self._detection_probability = levers.monitoring_detection_probability
        self._correction_time = quality.correction_time_days
        self.out_of_control = False
        self._out_of_control_since = 0.0
        self._closed_out_of_control_days = 0.0
        self._detected: simpy.Event | None = None
        self._check_draw = streams.uniform("spc_check")
        self._accept_draw = streams.uniform("drift_accept")
        self.drift_factor = levers.drift_rate_factor
        if quality.drift_rate_per_month > 0.0:
            time_between_drifts = DurationDistribution(
                kind="exponential", mean=DAYS_PER_MONTH / quality.drift_rate_per_month
            )
            self._time_to_drift = streams.duration("drift", time_between_drifts)
            env.process(self._drift())
        env.process(self._monitoring())

    def apply_levers(self, levers: Levers) -> None:
        """The month's drift-rate factor, SPC detection probability and SPC interval (from
        the next check on)."""
        self.drift_factor = levers.drift_rate_factor
        self._interval = levers.monitoring_interval_days
        self._detection_probability = levers.monitoring_detection_probability

    def out_of_control_days(self) -> float:
        """Total time the process has spent out of control so far (days)."""
        open_episode = self._env.now - self._out_of_control_since if self.out_of_control else 0.0
        return self._closed_out_of_control_days + open_episode

    def _drift(self):
        """The process: in control for a random time, then out of control until corrected."""
        env = self._env
        while True:
            yield env.timeout(self._time_to_drift())
            if self._accept_draw() >= self.drift_factor:
                continue  # a potential assignable cause that prevention removed
            self.out_of_control = True
            self._out_of_control_since = env.now
            self._tally.drift_events += 1
            self._detected = env.event()
            yield self._detected
            yield env.timeout(self._correction_time)
            self.out_of_control = False
            self._closed_out_of_control_days += env.now - self._out_of_control_since
            self._detected = None

    def _monitoring(self):
        """The SPC routine: check the process at a fixed interval."""
        env = self._env
        while True:
            yield env.timeout(self._interval)
            self._tally.spc_checks += 1
            self._ledger.book(APPRAISAL, self._check_cost)
            detects = self._check_draw() < self._detection_probability
            pending = self._detected
            if detects and pending is not None and not pending.triggered:
                self._tally.drift_detections += 1
                pending.succeed()
