"""Management: the monthly cycle that runs the initiative portfolio and the workforce.

At the start of every month (after the collector has closed the previous one):
1. the workforce works off last month's output (learning) and turnover happens;
2. training sessions that end now raise their trainees' skill;
3. the suggestion system runs at the month's involvement share (continuous improvement);
4. every initiative's effect is set to its ramp for the month (see
   :mod:`sqm_sim.config.initiatives`) and pushed to the components: design and capability
   to production, inspection and SPC settings to the quality system, feature level to the
   customers, recovery quality and handling speed to the service desk;
5. disruption and training time stretch the lines' cycle times;
6. the month's initiative spend is booked: prevention, or appraisal for the appraisal
   share of a QA system, and in the memo account ``initiative_spend``.
Effects that add (capability, coverage, probabilities) add ramp * gain; effects that
multiply (defect and drift reductions, interval and handling factors) multiply by
(1 - ramp * reduction) or factor^ramp; technology grows the feature level by
(1 + ramp * growth)^(1/12) each month.
"""

from __future__ import annotations

from typing import TypeVar

from ..config.initiatives import (
    CustomerServiceImprovement,
    InitiativeBase,
    InvolvementProgram,
    ProcessImprovement,
    ProductRedesign,
    QualityAssuranceSystem,
    TechnologyInvestment,
    TrainingProgram,
)
from .context import Component, Context
from .customers import CustomerBase
from .ledger import APPRAISAL, INITIATIVE_SPEND, PREVENTION
from .operations import Production
from .quality import Inspection, ProcessControl
from .service_desk import ServiceDesk
from .units import DAYS_PER_MONTH
from .workforce import Workforce

KindT = TypeVar("KindT", bound=InitiativeBase)


class Management(Component):
    """Runs the portfolio and the workforce month by month."""

    def __init__(
        self,
        context: Context,
        workforce: Workforce,
        production: Production,
        process: ProcessControl,
        inspection: Inspection,
        desk: ServiceDesk,
        customers: CustomerBase,
    ) -> None:
        super().__init__(context)
        env, config = context.env, context.config
        self._config = config
        self._workforce = workforce
        self._production = production
        self._process = process
        self._inspection = inspection
        self._desk = desk
        self._customers = customers
        horizon = config.simulation.horizon_months
        self._months = horizon
        self._initiatives = list(config.portfolio.initiatives)
        staff = config.workforce
        self._spend = [i.spend_by_month(horizon, staff) for i in self._initiatives]
        self._capacity_loss = config.portfolio.capacity_loss_by_month(horizon, staff)
        self._training = [
            (program, set(program.completion_months(horizon)))
            for program in self._initiatives
            if isinstance(program, TrainingProgram)
        ]
        self._technology_multiplier = 1.0
        self._units_seen = 0
        self.share_involved = config.involvement.share_involved
        self.capacity_loss = 0.0
        env.process(self._monthly_cycle())

    def _monthly_cycle(self):
        for month in range(self._months):
            self._start_month(month)
            yield self._env.timeout(DAYS_PER_MONTH)

    def _start_month(self, month: int) -> None:
        workforce = self._workforce
        if month > 0:
            produced = self._tally.units_produced
            workforce.month_passed(produced - self._units_seen)
            self._units_seen = produced
        for program, completions in self._training:
            if month in completions:
                workforce.train(program.trained_share, program.skill_gap_closed)
        self._apply_effects(month)
        self.capacity_loss = self._capacity_loss[month]
        self._production.set_capacity_loss(self.capacity_loss)
        self._book_spend(month)

    def _ramps(self, month: int, kind: type[KindT]) -> list[tuple[KindT, float]]:
        """The initiatives of one kind with their ramp (share of full effect) this month."""
        return [(i, i.ramp(month)) for i in self._initiatives if isinstance(i, kind)]

    def _apply_effects(self, month: int) -> None:
        config = self._config
        ops, quality, service = config.operations, config.quality, config.service

        involved = config.involvement.share_involved
        for program, ramp in self._ramps(month, InvolvementProgram):
            involved = max(involved, program.share_involved * ramp)
        self.share_involved = involved
        improvement = self._workforce.improve(involved)

        design_ppm, feature = ops.design_defect_ppm, config.product.feature_level
        for redesign, ramp in self._ramps(month, ProductRedesign):
            design_ppm *= 1.0 - ramp * redesign.design_defect_reduction
            feature += ramp * redesign.feature_level_gain
        for technology, ramp in self._ramps(month, TechnologyInvestment):
            growth = ramp * technology.feature_growth_per_year
            self._technology_multiplier *= (1.0 + growth) ** (1.0 / 12.0)
        self._customers.feature_level = feature * self._technology_multiplier

        cpk, drift_factor = ops.process_capability_cpk, 1.0
        for improvement_project, ramp in self._ramps(month, ProcessImprovement):
            cpk += ramp * improvement_project.cpk_gain
            drift_factor *= 1.0 - ramp * improvement_project.drift_rate_reduction
        self._production.set_quality_drivers(
            design_ppm, cpk, self._workforce.average_skill(), improvement
        )
        self._process.drift_factor = drift_factor

        coverage, detection = quality.inspection_coverage, quality.detection_probability
        spc_detection, interval = (
            quality.monitoring_detection_probability,
            quality.monitoring_interval_days,
        )
        for qa, ramp in self._ramps(month, QualityAssuranceSystem):
            coverage += ramp * qa.inspection_coverage_gain
            detection += ramp * qa.detection_gain
            spc_detection += ramp * qa.monitoring_detection_gain
            interval *= qa.monitoring_interval_factor**ramp
        self._inspection.set_inspection(coverage, detection)
        self._process.set_monitoring(interval, spc_detection)

        recovery, handling = service.recovery_quality, 1.0
        for upgrade, ramp in self._ramps(month, CustomerServiceImprovement):
            recovery += ramp * upgrade.recovery_quality_gain
            handling *= upgrade.handling_time_factor**ramp
        self._desk.set_service(recovery, handling)

    def _book_spend(self, month: int) -> None:
        ledger = self._ledger
        for initiative, spend in zip(self._initiatives, self._spend, strict=True):
            amount = spend[month]
            if amount == 0.0:
                continue
            appraisal = amount * getattr(initiative, "appraisal_share", 0.0)
            ledger.book(APPRAISAL, appraisal)
            ledger.book(PREVENTION, amount - appraisal)
            ledger.book(INITIATIVE_SPEND, amount)
