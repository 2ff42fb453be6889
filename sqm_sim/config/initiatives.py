"""Quality initiatives and the portfolio that holds them.

Every initiative starts at ``start_month`` (0 = the first month), is implemented over
``duration_months`` and pays its ``one_off_cost`` evenly over that period; from its start
to the horizon it also costs ``recurring_cost_per_month``. Its effect arrives after
``effect_delay_months`` and ramps in linearly over ``duration_months``:

    ramp(m) = clip((m + 1 - start - delay) / duration, 0, 1)   for month index m

While it is implemented, ``disruption`` is the share of line capacity it takes away. The
effect parameters are specific to each kind (``kind = "..."`` selects it).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from .fields import Section, param
from .people_sections import WorkforceSettings


class InitiativeBase(Section):
    """Timing and cost shared by every initiative."""

    name: str = Field(description="unique name of the initiative within its portfolio")
    start_month: int = param(
        0,
        unit="months",
        description="month the initiative starts (0 = first month)",
        source="portfolio input",
        ge=0,
        le=600,
    )
    duration_months: int = param(
        6,
        unit="months",
        description="implementation period: one-off cost is spread over "
        "it and the effect ramps in over it",
        source="portfolio input",
        ge=1,
        le=600,
    )
    effect_delay_months: int = param(
        0,
        unit="months",
        description="months between the start and the first effect",
        source="portfolio input",
        ge=0,
        le=600,
    )
    one_off_cost: float = param(
        0.0,
        unit="currency",
        description="implementation cost, spread evenly over the implementation period",
        source="portfolio input",
        ge=0.0,
        le=1e12,
    )
    recurring_cost_per_month: float = param(
        0.0,
        unit="currency/month",
        description="running cost from the start to the horizon",
        source="portfolio input",
        ge=0.0,
        le=1e12,
    )
    disruption: float = param(
        0.0,
        unit="share of capacity",
        description="line capacity lost during implementation",
        source="portfolio input",
        ge=0.0,
        le=0.9,
    )

    def ramp(self, month: int) -> float:
        """Share of the full effect in force during month ``month`` (0-based)."""
        done = month + 1 - self.start_month - self.effect_delay_months
        return min(1.0, max(0.0, done / self.duration_months))

    def session_starts(self, horizon_months: int) -> list[int]:
        """Months in which an implementation period (a session) begins."""
        return [self.start_month] if self.start_month < horizon_months else []

    def session_cost(self, workforce: WorkforceSettings) -> float:
        """Cost of one implementation period (spread evenly over it)."""
        return self.one_off_cost

    def session_capacity_loss(self, workforce: WorkforceSettings) -> float:
        """Share of line capacity lost while a session runs."""
        return self.disruption

    def spend_by_month(self, horizon_months: int, workforce: WorkforceSettings) -> list[float]:
        """Money spent in each month of the horizon (currency)."""
        spend = [0.0] * horizon_months
        per_month = self.session_cost(workforce) / self.duration_months
        for start in self.session_starts(horizon_months):
            for month in range(start, min(start + self.duration_months, horizon_months)):
                spend[month] += per_month
        for month in range(self.start_month, horizon_months):
            spend[month] += self.recurring_cost_per_month
        return spend

    def capacity_loss_by_month(
        self, horizon_months: int, workforce: WorkforceSettings
    ) -> list[float]:
        """Share of line capacity lost in each month of the horizon."""
        loss = [0.0] * horizon_months
        for start in self.session_starts(horizon_months):
            for month in range(start, min(start + self.duration_months, horizon_months)):
                loss[month] += self.session_capacity_loss(workforce)
        return loss


class ProductRedesign(InitiativeBase):
    """Better design: more features and performance, fewer design-caused defects."""

    kind: Literal["redesign"] = "redesign"
    feature_level_gain: float = param(
        0.1,
        unit="index",
        description="rise of product.feature_level at full effect",
        source="portfolio input",
        ge=0.0,
        le=3.0,
    )
    design_defect_reduction: float = param(
        0.5,
        unit="share",
        description="share of design-caused defects removed at full effect",
        source="portfolio input",
        ge=0.0,
        le=1.0,
    )


class ProcessImprovement(InitiativeBase):
    """Better process: higher capability, fewer assignable causes."""

    kind: Literal["process_improvement"] = "process_improvement"
    cpk_gain: float = param(
        0.2,
        unit="Cpk",
        description="rise of process capability at full effect",
        source="portfolio input",
        ge=0.0,
        le=3.0,
    )
    drift_rate_reduction: float = param(
        0.3,
        unit="share",
        description="share of out-of-control events removed at full effect",
        source="portfolio input",
        ge=0.0,
        le=1.0,
    )


class TrainingProgram(InitiativeBase):
    """Operator training: a share of operators is trained, off the line, and gains skill.

    A session trains ``trained_share`` of the operators (chosen at random) over the
    implementation period, costing operators * trained_share * hours_per_trainee *
    cost_per_trainee_hour on top of ``one_off_cost`` and taking the same hours off the
    lines; at the end of the period (plus the delay) each trainee's skill gap shrinks by
    ``skill_gap_closed``. With ``repeat_every_months`` > 0 sessions recur.
    """

    kind: Literal["training"] = "training"
    trained_share: float = param(
        0.5,
        unit="share of operators",
        description="operators trained per session",
        source="portfolio input",
        ge=0.0,
        le=1.0,
    )
    hours_per_trainee: float = param(
        40.0,
        unit="hours",
        description="training hours per trainee and session",
        source="portfolio input",
        ge=0.0,
        le=2000.0,
    )
    cost_per_trainee_hour: float = param(
        60.0,
        unit="currency/hour",
        description="trainer, material and wage cost per hour",
        source="assumption",
        ge=0.0,
        le=1e6,
    )
    skill_gap_closed: float = param(
        0.5,
        unit="share",
        description="share of a trainee's skill gap closed per session",
        source="assumption",
        ge=0.0,
        le=1.0,
    )
    repeat_every_months: int = param(
        0,
        unit="months",
        description="months between session starts; 0 = one session",
        source="portfolio input",
        ge=0,
        le=600,
    )

    def session_starts(self, horizon_months: int) -> list[int]:
        if self.repeat_every_months == 0:
            return super().session_starts(horizon_months)
        return list(range(self.start_month, horizon_months, self.repeat_every_months))

    def session_cost(self, workforce: WorkforceSettings) -> float:
        trainee_hours = workforce.operators * self.trained_share * self.hours_per_trainee
        return self.one_off_cost + trainee_hours * self.cost_per_trainee_hour

    def session_capacity_loss(self, workforce: WorkforceSettings) -> float:
        hours_away = self.trained_share * self.hours_per_trainee
        away = hours_away / (self.duration_months * workforce.hours_per_month)
        return self.disruption + away

    def completion_months(self, horizon_months: int) -> list[int]:
        """Months at whose start a session's trainees gain their skill."""
        done = [
            start + self.duration_months + self.effect_delay_months
            for start in self.session_starts(horizon_months)
        ]
        return [month for month in done if month < horizon_months]


class QualityAssuranceSystem(InitiativeBase):
    """Procedures, audits and monitoring: more and better inspection, faster SPC."""

    kind: Literal["qa_system"] = "qa_system"
    inspection_coverage_gain: float = param(
        0.2,
        unit="share",
        description="rise of inspection coverage at full effect",
        source="portfolio input",
        ge=0.0,
        le=1.0,
    )
    detection_gain: float = param(
        0.05,
        unit="probability",
        description="rise of inspection detection probability",
        source="portfolio input",
        ge=0.0,
        le=1.0,
    )
    monitoring_detection_gain: float = param(
        0.2,
        unit="probability",
        description="rise of the SPC check's detection probability",
        source="portfolio input",
        ge=0.0,
        le=1.0,
    )
    monitoring_interval_factor: float = param(
        0.5,
        unit="ratio",
        description="SPC interval multiplied by this at full effect",
        source="portfolio input",
        gt=0.0,
        le=1.0,
    )
    appraisal_share: float = param(
        0.5,
        unit="share",
        description="share of the spend booked as appraisal (the rest is prevention)",
        source="assumption",
        ge=0.0,
        le=1.0,
    )


class InvolvementProgram(InitiativeBase):
    """Quality circles and suggestion system: more operators take part in improvement."""

    kind: Literal["involvement"] = "involvement"
    share_involved: float = param(
        0.5,
        unit="share of operators",
        description="involvement reached at full effect",
        source="portfolio input",
        ge=0.0,
        le=1.0,
    )


class TechnologyInvestment(InitiativeBase):
    """Keeping the product up with the market: feature level grows over time."""

    kind: Literal["technology"] = "technology"
    feature_growth_per_year: float = param(
        0.03,
        unit="1/year",
        description="yearly growth of the feature level at full effect",
        source="portfolio input",
        ge=0.0,
        le=1.0,
    )


class CustomerServiceImprovement(InitiativeBase):
    """A better service desk: complaints resolved more often and faster."""

    kind: Literal["customer_service"] = "customer_service"
    recovery_quality_gain: float = param(
        0.2,
        unit="probability",
        description="rise of service.recovery_quality",
        source="portfolio input",
        ge=0.0,
        le=1.0,
    )
    handling_time_factor: float = param(
        0.5,
        unit="ratio",
        description="complaint handling time multiplied by this",
        source="portfolio input",
        gt=0.0,
        le=1.0,
    )


Initiative = Annotated[
    ProductRedesign
    | ProcessImprovement
    | TrainingProgram
    | QualityAssuranceSystem
    | InvolvementProgram
    | TechnologyInvestment
    | CustomerServiceImprovement,
    Field(discriminator="kind"),
]

INITIATIVE_KINDS = (
    "redesign",
    "process_improvement",
    "training",
    "qa_system",
    "involvement",
    "technology",
    "customer_service",
)


class PortfolioSettings(Section):
    """A named set of initiatives with a yearly budget."""

    name: str = param("none", unit="-", description="portfolio name", source="portfolio input")
    budget_per_year: float | None = param(
        None,
        unit="currency/year",
        description="largest spend on initiatives allowed in any "
        "model year (months 1-12, 13-24, ...); omit for no limit",
        source="portfolio input",
        ge=0.0,
        le=1e12,
    )
    initiatives: tuple[Initiative, ...] = Field(
        default=(),
        strict=False,
        description="the initiatives of the portfolio (kinds: "
        + ", ".join(INITIATIVE_KINDS)
        + "; see sqm_sim/config/initiatives.py)",
        json_schema_extra={"unit": "-", "source": "portfolio input"},
    )

    def spend_by_month(self, horizon_months: int, workforce: WorkforceSettings) -> list[float]:
        """Total initiative spend in each month of the horizon (currency)."""
        total = [0.0] * horizon_months
        for initiative in self.initiatives:
            for month, amount in enumerate(initiative.spend_by_month(horizon_months, workforce)):
                total[month] += amount
        return total

    def capacity_loss_by_month(
        self, horizon_months: int, workforce: WorkforceSettings
    ) -> list[float]:
        """Share of line capacity lost to all initiatives in each month of the horizon."""
        total = [0.0] * horizon_months
        for initiative in self.initiatives:
            losses = initiative.capacity_loss_by_month(horizon_months, workforce)
            for month, loss in enumerate(losses):
                total[month] += loss
        return total

    def budget_problems(self, horizon_months: int, workforce: WorkforceSettings) -> list[str]:
        """One message per model year whose spend exceeds ``budget_per_year``."""
        if self.budget_per_year is None:
            return []
        spend = self.spend_by_month(horizon_months, workforce)
        problems = []
        for year_start in range(0, horizon_months, 12):
            year_spend = sum(spend[year_start : year_start + 12])
            if year_spend > self.budget_per_year * (1.0 + 1e-9):
                problems.append(
                    f"portfolio '{self.name}' spends {year_spend:,.0f} in year "
                    f"{year_start // 12 + 1} (months {year_start + 1}-"
                    f"{min(year_start + 12, horizon_months)}), over its budget of "
                    f"{self.budget_per_year:,.0f} per year"
                )
        return problems

    @model_validator(mode="after")
    def _names_unique_and_no_overlapping_duplicates(self) -> PortfolioSettings:
        names = [i.name for i in self.initiatives]
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:
            raise ValueError(f"initiative names must be unique, repeated: {repeated}")
        for position, first in enumerate(self.initiatives):
            for second in self.initiatives[position + 1 :]:
                if first.kind != second.kind:
                    continue
                first_end = first.start_month + first.duration_months
                second_end = second.start_month + second.duration_months
                if first.start_month < second_end and second.start_month < first_end:
                    raise ValueError(
                        f"initiatives '{first.name}' and '{second.name}' are both "
                        f"'{first.kind}' and overlap in time (months {first.start_month}-"
                        f"{first_end} and {second.start_month}-{second_end}); run them one "
                        "after the other or merge them"
                    )
        return self
