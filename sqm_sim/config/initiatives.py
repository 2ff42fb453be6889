"""Quality initiatives and the portfolio that holds them: data and validation only.

Every initiative starts at ``start_month`` (0 = the first month), is implemented over
``duration_months`` and pays its ``one_off_cost`` evenly over that period; from its start
to the horizon it also costs ``recurring_cost_per_month``. Its effect arrives after
``effect_delay_months`` and ramps in linearly over ``duration_months``. While it is
implemented, ``disruption`` is the share of line capacity it takes away. The effect
parameters are specific to each kind (``kind = "..."`` selects it).

What an initiative does month by month (ramp, effects, spend by account, capacity lost,
training completions) is computed in one place, :mod:`sqm_sim.models.initiatives`.
"""

from __future__ import annotations

import difflib
from typing import Annotated, Literal

from pydantic import Field, model_validator

from .errors import MAX_LISTED, repeated
from .fields import Section, param
from .rules import INITIATIVE_ACTIONS, Rule


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
    waits_for_rule: bool | None = param(
        None,
        unit="-",
        description="true: the initiative does not start on its own; a rule's start "
        "action starts it in the month the rule fires (leave start_month out)",
        source="portfolio input",
    )


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
    rules: tuple[Rule, ...] | None = Field(
        default=None,
        strict=False,
        description="decision rules: when a KPI crosses a threshold, start, stop, pause or "
        "scale an initiative, set a lever or hire (see sqm_sim/config/rules.py)",
        json_schema_extra={"unit": "-", "source": "portfolio input"},
    )

    @model_validator(mode="after")
    def _names_unique_and_no_overlapping_duplicates(self) -> PortfolioSettings:
        names = [i.name for i in self.initiatives]
        twice = repeated(names)
        if twice:
            raise ValueError(f"initiative names must be unique, repeated: {twice[:MAX_LISTED]}")
        self._rules_consistent(names)
        scheduled = [i for i in self.initiatives if not i.waits_for_rule]
        for position, first in enumerate(scheduled):
            for second in scheduled[position + 1 :]:
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

    def _rules_consistent(self, names: list[str]) -> None:
        """Rule names unique; every initiative a rule names exists; only initiatives that
        wait for a rule are started by one, and each of them is."""
        rules = self.rules or ()
        twice = repeated([rule.name for rule in rules])
        if twice:
            raise ValueError(f"rule names must be unique, repeated: {twice[:MAX_LISTED]}")
        waiting = {i.name for i in self.initiatives if i.waits_for_rule}
        for rule in rules:
            if rule.action not in INITIATIVE_ACTIONS:
                continue
            if rule.initiative not in names:
                close = difflib.get_close_matches(str(rule.initiative), names, n=1)
                hint = f"; did you mean '{close[0]}'?" if close else ""
                have = ", ".join(names) if names else "no initiatives"
                raise ValueError(
                    f"rule '{rule.name}': unknown initiative '{rule.initiative}'{hint} "
                    f"(portfolio '{self.name}' has: {have})"
                )
            if rule.action == "start" and rule.initiative not in waiting:
                raise ValueError(
                    f"rule '{rule.name}' starts initiative '{rule.initiative}', which starts "
                    "on its own schedule; set waits_for_rule = true on it"
                )
        started = {rule.initiative for rule in rules if rule.action == "start"}
        for initiative in self.initiatives:
            if initiative.waits_for_rule and initiative.start_month != 0:
                raise ValueError(
                    f"initiative '{initiative.name}' waits for a rule, so it has no "
                    f"start_month ({initiative.start_month} given); leave it out"
                )
            if initiative.waits_for_rule and initiative.name not in started:
                raise ValueError(
                    f"initiative '{initiative.name}' waits for a rule, but no rule starts it"
                )
