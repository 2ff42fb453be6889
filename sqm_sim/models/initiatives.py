"""Initiative effects: from the portfolio and the month to the month's levers.

This module is the one home of the arithmetic of initiatives. :func:`levers` is a pure
function of ``(config, month, previous)`` that returns a frozen :class:`Levers` record
of every setting an initiative can change (design defects, capability, drift,
inspection, SPC, service recovery, feature level, involvement, capacity loss), the
training sessions that end that month and the month's spend by initiative and cost
account. Management pushes the record to the components each month; the components take
month 0's record when they are built; the configuration's validation (budget,
probabilities, capacity) and the return-on-quality valuation read the same records.

Timing. An initiative starts at ``start_month`` (0 = the first month) and is implemented
over ``duration_months``; its effect arrives after ``effect_delay_months`` and ramps in
linearly over ``duration_months``:

    ramp(m) = clip((m + 1 - start - delay) / duration, 0, 1)   for month index m

Effects that add (capability, coverage, probabilities, feature level) add ramp * gain;
effects that multiply (design defects, drift rate) multiply by (1 - ramp * reduction);
factors (SPC interval, handling time) multiply by factor^ramp; involvement is the largest
of the base share and each programme's ramp * share; technology grows the feature level by
(1 + ramp * growth)^(1/12) each month, compounding (a lever with memory, carried in
``Levers.technology_multiplier``). General prevention spending builds a capability stock
(the other lever with memory): starting at ``prevention_spend_before_per_month``, each
month it closes 1 - exp(-1 / prevention_build_months) of its gap to the month's
``prevention_spend_per_month`` (at once if the build time is 0).

Spend. A session (the implementation period; training may repeat it every
``repeat_every_months``) costs ``one_off_cost`` (training: plus operators * trained share *
hours per trainee * cost per hour) spread evenly over its months; ``recurring_cost_per_month``
runs from the start to the horizon. A QA system books ``appraisal_share`` of its spend as
appraisal, a technology investment all of it as technology cost (outside the cost of
quality: a feature upgrade prevents no defect), every other initiative all of it as
prevention. While a session runs it
takes ``disruption`` of line capacity (training: plus the trainees' hours off the line).

Decisions (rules firing, :mod:`sqm_sim.models.rules`) change the schedule from the month
they are taken. An initiative's clock counts only the months it is active: it starts in
its ``start_month`` (or, if it waits for a rule, in the month a rule starts it), a
``pause`` stops the clock for ``pause_months`` and a ``stop`` for good. In an active month
the timing above applies with the start moved later by the months stood still (so a
paused initiative resumes where it was); in an idle month it spends nothing, takes no
capacity and completes no training, and its effect is (assumption) kept where it was for
a redesign or a process improvement (built into the product or the process) and gone
for the others (procedures, circles, service and technology programmes last only while
they run; skill already trained stays with the trainees). A ``scale`` multiplies the
initiative's share of effect, its spend, capacity loss and trained share by ``factor``
from then on (factors of several firings multiply). A ``set`` replaces a configured lever
(``quality.prevention_spend_per_month``, ``quality.inspection_coverage``,
``workforce.improvement_time_share``, ``finance.unit_price``) from then on.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from operator import attrgetter
from typing import TYPE_CHECKING

from ..config import Config
from ..config.initiatives import (
    CustomerServiceImprovement,
    InitiativeBase,
    InvolvementProgram,
    PortfolioSettings,
    ProcessImprovement,
    ProductRedesign,
    QualityAssuranceSystem,
    TechnologyInvestment,
    TrainingProgram,
)
from ..config.people_sections import WorkforceSettings
from ..config.rules import INITIATIVE_ACTIONS

if TYPE_CHECKING:
    from .rules import Decision


@dataclass(frozen=True, slots=True)
class Spend:
    """What one initiative costs in one month (currency)."""

    initiative: str
    amount: float
    """total spend of the month (currency)"""
    appraisal: float
    """part of ``amount`` booked as appraisal cost (currency)"""
    technology: float = 0.0
    """part of ``amount`` booked as technology cost, outside the cost of quality
    (currency); the rest is prevention"""

    @property
    def prevention(self) -> float:
        """Part of ``amount`` booked as prevention cost (currency)."""
        return self.amount - self.appraisal - self.technology


@dataclass(frozen=True, slots=True)
class TrainingCompletion:
    """A training session whose trainees gain their skill at the start of the month."""

    initiative: str
    trained_share: float
    """share of operators trained (chosen at random)"""
    skill_gap_closed: float
    """share of each trainee's skill gap closed"""


@dataclass(frozen=True, slots=True)
class Levers:
    """Every time-varying setting in force during one month (0-based ``month``)."""

    month: int
    design_defect_ppm: float
    """design-caused defects (defective units per million)"""
    process_capability_cpk: float
    """process capability index Cpk"""
    drift_rate_factor: float
    """multiplier (0-1) on the configured out-of-control rate per month"""
    inspection_coverage: float
    """share of finished units inspected"""
    detection_probability: float
    """probability that inspection finds a defective unit"""
    monitoring_interval_days: float
    """days between SPC checks"""
    monitoring_detection_probability: float
    """probability that one SPC check detects an out-of-control process"""
    recovery_quality: float
    """probability that a complaint is resolved"""
    handling_time_factor: float
    """multiplier on complaint handling time"""
    feature_level: float
    """product feature level (index; customers compare it with the state of the art)"""
    technology_multiplier: float
    """compounded growth of the feature level from technology investments so far"""
    prevention_capability: float
    """prevention capability built by general prevention spending (currency/month of
    sustained spend it is worth; follows the spend with a first-order delay)"""
    share_involved: float
    """share of operators taking part in the suggestion system"""
    capacity_loss: float
    """share of line capacity lost to disruption and training time"""
    trainings_completed: tuple[TrainingCompletion, ...]
    """training sessions whose trainees gain skill at the start of this month"""
    spend: tuple[Spend, ...]
    """this month's spend of each initiative that spends anything"""
    improvement_time_share: float = 0.0
    """share of operator hours planned for improvement work (``levers``: the configured
    or rule-set share; management replaces it with the share used under pressure)"""
    unit_price: float = 0.0
    """price per unit this month (``finance.unit_price``, or a rule's)"""
    line_speed_factor: float = 1.0
    """line speed relative to the configured cycle time (management sets it): operator
    hours on production relative to the configured staff at the planned improvement
    share (hires, time moved between production and improvement) times the throughput
    factor of process capability"""

    @property
    def initiative_spend(self) -> float:
        """Total initiative spend of the month (currency)."""
        return sum(item.amount for item in self.spend)

    def spend_of(self, initiative: str) -> float:
        """Spend of the named initiative this month (currency; 0 if none)."""
        return sum(item.amount for item in self.spend if item.initiative == initiative)


# -- timing and cost of one initiative --------------------------------------------------
def ramp(initiative: InitiativeBase, month: int) -> float:
    """Share of the initiative's full effect in force during ``month`` (0-based)."""
    done = month + 1 - initiative.start_month - initiative.effect_delay_months
    return min(1.0, max(0.0, done / initiative.duration_months))


def session_starts(initiative: InitiativeBase, horizon_months: int) -> list[int]:
    """Months in which an implementation period (a session) begins."""
    if isinstance(initiative, TrainingProgram) and initiative.repeat_every_months > 0:
        return list(range(initiative.start_month, horizon_months, initiative.repeat_every_months))
    return [initiative.start_month] if initiative.start_month < horizon_months else []


def session_cost(initiative: InitiativeBase, staff: WorkforceSettings) -> float:
    """Cost of one session (currency), spread evenly over its months."""
    if isinstance(initiative, TrainingProgram):
        trainee_hours = staff.operators * initiative.trained_share * initiative.hours_per_trainee
        return initiative.one_off_cost + trainee_hours * initiative.cost_per_trainee_hour
    return initiative.one_off_cost


def session_capacity_loss(initiative: InitiativeBase, staff: WorkforceSettings) -> float:
    """Share of line capacity lost while one session runs."""
    if isinstance(initiative, TrainingProgram):
        hours_away = initiative.trained_share * initiative.hours_per_trainee
        away = hours_away / (initiative.duration_months * staff.hours_per_month)
        return initiative.disruption + away
    return initiative.disruption


def _sessions_running(initiative: InitiativeBase, month: int, horizon_months: int) -> int:
    """Number of the initiative's sessions under way in ``month``."""
    duration = initiative.duration_months
    return sum(
        1
        for start in session_starts(initiative, horizon_months)
        if start <= month < start + duration
    )


def initiative_spend(
    initiative: InitiativeBase, month: int, horizon_months: int, staff: WorkforceSettings
) -> float:
    """Money the initiative spends in ``month`` (currency)."""
    spend = 0.0
    per_month = session_cost(initiative, staff) / initiative.duration_months
    for _ in range(_sessions_running(initiative, month, horizon_months)):
        spend += per_month
    if month >= initiative.start_month:
        spend += initiative.recurring_cost_per_month
    return spend


def initiative_capacity_loss(
    initiative: InitiativeBase, month: int, horizon_months: int, staff: WorkforceSettings
) -> float:
    """Share of line capacity the initiative takes in ``month``."""
    loss = 0.0
    for _ in range(_sessions_running(initiative, month, horizon_months)):
        loss += session_capacity_loss(initiative, staff)
    return loss


def completion_months(program: TrainingProgram, horizon_months: int) -> list[int]:
    """Months at whose start a training session's trainees gain their skill."""
    done = [
        start + program.duration_months + program.effect_delay_months
        for start in session_starts(program, horizon_months)
    ]
    return [month for month in done if month < horizon_months]


# -- decisions: an initiative's course and the settings in force -------------------------
BUILT_KINDS = (ProductRedesign, ProcessImprovement)
"""Kinds whose effect stays, at the share reached, when the initiative stops or pauses
(assumption: a redesign or a process change is built in; other kinds must keep running)."""


@dataclass(frozen=True, slots=True)
class Course:
    """Where one initiative stands in one month under the decisions taken so far."""

    timing: InitiativeBase | None
    """the initiative with its start moved by the months stood still, in an active
    month; ``None`` in an idle month (not started, paused or stopped)"""
    share: float
    """share of the full effect in force (before scaling)"""
    scale: float
    """product of the scale factors decided so far"""


def course(initiative: InitiativeBase, month: int, decisions: Sequence[Decision] = ()) -> Course:
    """The initiative's timing, share of effect and scale in ``month`` given
    ``decisions`` (all taken so far; later ones are ignored)."""
    own = [
        d
        for d in decisions
        if d.month <= month
        and d.rule.action in INITIATIVE_ACTIONS
        and d.rule.initiative == initiative.name
    ]
    if not own and not initiative.waits_for_rule:
        return Course(initiative, ramp(initiative, month), 1.0)
    scale = 1.0
    for decision in own:
        if decision.rule.action == "scale":
            scale *= decision.rule.factor  # type: ignore[operator]
    starts = [d.month for d in own if d.rule.action == "start"]
    start = starts[0] if initiative.waits_for_rule and starts else initiative.start_month
    if initiative.waits_for_rule and not starts:
        return Course(None, 0.0, scale)
    idle: set[int] = set()
    for decision in own:
        if decision.rule.action == "stop":
            idle.update(range(decision.month, month + 1))
        elif decision.rule.action == "pause":
            paused = decision.rule.pause_months or 0
            idle.update(range(decision.month, decision.month + paused))
    active = [j for j in range(start, month + 1) if j not in idle]
    if month in active:
        timing = initiative.model_copy(update={"start_month": month + 1 - len(active)})
        return Course(timing, ramp(timing, month), scale)
    if not active or not isinstance(initiative, BUILT_KINDS):
        return Course(None, 0.0, scale)
    last = active[-1]
    kept = initiative.model_copy(update={"start_month": last + 1 - len(active)})
    return Course(None, ramp(kept, last), scale)


def settings_in_force(config: Config, month: int, decisions: Sequence[Decision] = ()) -> Config:
    """``config`` with the levers set by decisions taken up to ``month`` (later ones win);
    ``config`` itself if there are none."""
    changes: dict[str, dict[str, float]] = {}
    for decision in decisions:
        rule = decision.rule
        if decision.month <= month and rule.action == "set":
            section, field = str(rule.lever).split(".")
            changes.setdefault(section, {})[field] = float(rule.value)  # type: ignore[arg-type]
    if not changes:
        return config
    return config.model_copy(
        update={
            section: getattr(config, section).model_copy(update=fields)
            for section, fields in changes.items()
        }
    )


# -- the month's levers ----------------------------------------------------------------
def levers(
    config: Config,
    month: int,
    previous: Levers | None = None,
    decisions: Sequence[Decision] = (),
) -> Levers:
    """The levers in force during ``month`` (0-based) under ``config``'s portfolio and the
    ``decisions`` its rules have taken so far (see :func:`course`).

    ``previous`` is the record of ``month - 1`` (it carries the technology multiplier and
    the prevention capability, the levers with memory); without it they are compounded
    from month 0 under the same decisions.
    """
    horizon = config.simulation.horizon_months
    if not 0 <= month < horizon:
        raise ValueError(f"month = {month}: must be 0 <= month < horizon ({horizon})")
    if previous is not None and previous.month != month - 1:
        raise ValueError(f"previous record is for month {previous.month}, not {month - 1}")
    if previous is None and month > 0:
        previous = levers(config, 0, None, decisions)
        for earlier in range(1, month):
            previous = levers(config, earlier, previous, decisions)
    config = settings_in_force(config, month, decisions)
    initiatives = config.portfolio.initiatives
    ops, quality, service = config.operations, config.quality, config.service
    courses = {i.name: course(i, month, decisions) for i in initiatives}

    def ramps(kind: type) -> list[tuple]:
        return [
            (i, courses[i.name].share * courses[i.name].scale)
            for i in initiatives
            if isinstance(i, kind)
        ]

    involved = config.involvement.share_involved
    for program, share in ramps(InvolvementProgram):
        involved = max(involved, program.share_involved * share)

    design_ppm, feature = ops.design_defect_ppm, config.product.feature_level
    for redesign, share in ramps(ProductRedesign):
        design_ppm *= 1.0 - share * redesign.design_defect_reduction
        feature += share * redesign.feature_level_gain
    technology = 1.0 if previous is None else previous.technology_multiplier
    for investment, share in ramps(TechnologyInvestment):
        technology *= (1.0 + share * investment.feature_growth_per_year) ** (1.0 / 12.0)

    build = quality.prevention_build_months
    built = (
        quality.prevention_spend_before_per_month
        if previous is None
        else previous.prevention_capability
    )
    spend_now = quality.prevention_spend_per_month
    prevention = (
        spend_now if build == 0.0 else built + (spend_now - built) * -math.expm1(-1.0 / build)
    )

    cpk, drift_factor = ops.process_capability_cpk, 1.0
    for project, share in ramps(ProcessImprovement):
        cpk += share * project.cpk_gain
        drift_factor *= 1.0 - share * project.drift_rate_reduction

    coverage, detection = quality.inspection_coverage, quality.detection_probability
    spc_detection, interval = (
        quality.monitoring_detection_probability,
        quality.monitoring_interval_days,
    )
    for system, share in ramps(QualityAssuranceSystem):
        coverage += share * system.inspection_coverage_gain
        detection += share * system.detection_gain
        spc_detection += share * system.monitoring_detection_gain
        interval *= system.monitoring_interval_factor**share

    recovery, handling = service.recovery_quality, 1.0
    for upgrade, share in ramps(CustomerServiceImprovement):
        recovery += share * upgrade.recovery_quality_gain
        handling *= upgrade.handling_time_factor**share

    staff = config.workforce
    capacity_loss = 0.0
    spend = []
    for initiative in initiatives:
        timing, scale = courses[initiative.name].timing, courses[initiative.name].scale
        if timing is None:
            continue
        capacity_loss += initiative_capacity_loss(timing, month, horizon, staff) * scale
        amount = initiative_spend(timing, month, horizon, staff) * scale
        if amount != 0.0:
            share = (
                initiative.appraisal_share
                if isinstance(initiative, QualityAssuranceSystem)
                else 0.0
            )
            upgrade = amount if isinstance(initiative, TechnologyInvestment) else 0.0
            spend.append(Spend(initiative.name, amount, amount * share, upgrade))
    trainings = tuple(
        TrainingCompletion(
            program.name,
            program.trained_share * courses[program.name].scale,
            program.skill_gap_closed,
        )
        for program in initiatives
        if isinstance(program, TrainingProgram)
        and (timing := courses[program.name].timing) is not None
        and month in completion_months(timing, horizon)  # type: ignore[arg-type]
    )
    return Levers(
        month=month,
        design_defect_ppm=design_ppm,
        process_capability_cpk=cpk,
        drift_rate_factor=drift_factor,
        inspection_coverage=coverage,
        detection_probability=detection,
        monitoring_interval_days=interval,
        monitoring_detection_probability=spc_detection,
        recovery_quality=recovery,
        handling_time_factor=handling,
        feature_level=feature * technology,
        technology_multiplier=technology,
        prevention_capability=prevention,
        share_involved=involved,
        capacity_loss=capacity_loss,
        trainings_completed=trainings,
        spend=tuple(spend),
        improvement_time_share=config.workforce.improvement_time_share,
        unit_price=config.finance.unit_price,
    )


def lever_schedule(config: Config) -> tuple[Levers, ...]:
    """The levers of every month of the horizon, in order."""
    schedule: list[Levers] = []
    for month in range(config.simulation.horizon_months):
        schedule.append(levers(config, month, schedule[-1] if schedule else None))
    return tuple(schedule)


def portfolio_spend_by_month(
    initiatives: Sequence[InitiativeBase], horizon_months: int, staff: WorkforceSettings
) -> list[float]:
    """Total spend of ``initiatives`` in each month of the horizon (currency), without
    building a configuration (a menu of candidate portfolios checks budgets with it)."""
    return [
        sum(initiative_spend(i, month, horizon_months, staff) for i in initiatives)
        for month in range(horizon_months)
    ]


def spend_by_month(config: Config, initiative: str | None = None) -> list[float]:
    """Initiative spend in each month of the horizon (currency): of the named initiative,
    or of the whole portfolio for ``None``."""
    schedule = lever_schedule(config)
    if initiative is None:
        return [month.initiative_spend for month in schedule]
    return [month.spend_of(initiative) for month in schedule]


# -- what validation checks ------------------------------------------------------------
PROBABILITY_LEVERS = {
    "inspection_coverage": "quality.inspection_coverage",
    "detection_probability": "quality.detection_probability",
    "monitoring_detection_probability": "quality.monitoring_detection_probability",
    "recovery_quality": "service.recovery_quality",
}
"""Levers that are probabilities: lever name -> the configuration key of its base value."""

MAX_CAPACITY_LOSS = 0.9
"""Largest share of line capacity initiatives may take at once."""


def portfolio_problems(config: Config) -> list[str]:
    """What makes the portfolio infeasible under ``config``, one message per problem:
    an initiative starting at or after the horizon, a model year over budget, a
    probability pushed past 1, more than 90 % of line capacity lost in a month; with
    rules, the same again with every rule fired in the first month it can (the worst
    case, :func:`_worst_case`). The budget covers the initiatives' spend, also that of
    initiatives a rule starts or scales; prevention spend, configured or set by a rule
    (:func:`rule_prevention_spend`), is an operating cost outside it, booked as prevention
    in the cost of quality."""
    horizon = config.simulation.horizon_months
    portfolio = config.portfolio
    problems = [
        f"initiative '{i.name}' starts in month {i.start_month}, at or after the horizon "
        f"({horizon} months; months are numbered from 0)"
        for i in portfolio.initiatives
        if i.start_month >= horizon
    ]
    if not portfolio.initiatives and not portfolio.rules:
        return problems
    schedule = lever_schedule(config)
    problems.extend(budget_problems(portfolio, [month.initiative_spend for month in schedule]))
    problems.extend(_schedule_problems(config, schedule))
    if portfolio.rules:
        worst = _worst_case(config)
        worst_schedule: list[Levers] = []
        for month in range(horizon):
            previous = worst_schedule[-1] if worst_schedule else None
            worst_schedule.append(levers(config, month, previous, worst))
        worst_spend = [month.initiative_spend for month in worst_schedule]
        problems.extend(
            f"with every rule fired in the first month it can: {problem}"
            for problem in [
                *budget_problems(portfolio, worst_spend),
                *_schedule_problems(config, worst_schedule),
            ]
            if problem not in problems
        )
    return problems


def rule_prevention_spend(config: Config, month: int, decisions: Sequence[Decision] = ()) -> float:
    """Prevention spend a ``set`` decision adds to the configured spend in ``month``
    (currency; 0 without one, negative if it cuts the spend): an operating cost, outside
    the portfolio's improvement budget like the configured prevention spend, a line's
    cost (``add_line``) and a hire's wage."""
    configured = config.quality.prevention_spend_per_month
    in_force = settings_in_force(config, month, decisions)
    return in_force.quality.prevention_spend_per_month - configured


def _worst_case(config: Config) -> tuple[Decision, ...]:
    """Decisions that push the levers furthest, each rule firing in the first month it can
    (:func:`~sqm_sim.models.rules.earliest_firing_month`): every start, every scale up (as
    often as the rule may fire) and every set that raises its lever above what the sets
    before it (by month, then value) could have set, so that a set lever is the highest
    value any of its rules could have put in force by then."""
    from .rules import Decision, earliest_firing_month

    rules = config.portfolio.rules or ()
    chosen = [
        Decision(earliest_firing_month(rule), rule, -1) for rule in rules if rule.action == "start"
    ]
    for rule in rules:
        if rule.action == "scale" and (rule.factor or 0.0) > 1.0:
            month = earliest_firing_month(rule)
            chosen.extend(Decision(month, rule, -1) for _ in range(rule.max_firings))
    sets = sorted(
        (rule for rule in rules if rule.action == "set"),
        key=lambda r: (earliest_firing_month(r), r.value or 0.0),
    )
    highest: dict[str, float] = {}
    for rule in sets:
        value, lever = rule.value or 0.0, str(rule.lever)
        if value >= highest.get(lever, -math.inf):
            highest[lever] = value
            chosen.append(Decision(earliest_firing_month(rule), rule, -1))
    return tuple(chosen)


def _schedule_problems(config: Config, schedule: Sequence[Levers]) -> list[str]:
    """Probabilities past 1, shares and multipliers out of range, too much capacity lost."""
    problems = []
    for lever, key in PROBABILITY_LEVERS.items():
        worst = max(schedule, key=attrgetter(lever))
        value = getattr(worst, lever)
        if value > 1.0 + 1e-9:
            section, name = key.split(".")
            base = getattr(getattr(config, section), name)
            problems.append(
                f"{key} ({base:g}) plus the initiatives' gains reaches {value:g} in month "
                f"{worst.month}; a probability cannot exceed 1"
            )
    worst = max(schedule, key=lambda month: month.capacity_loss)
    if worst.capacity_loss > MAX_CAPACITY_LOSS:
        problems.append(
            f"initiatives take {worst.capacity_loss:.0%} of line capacity in month "
            f"{worst.month}; at most {MAX_CAPACITY_LOSS:.0%} may be lost to disruption and "
            "training at once"
        )
    for lever, what in (
        ("design_defect_ppm", "design defects"),
        ("drift_rate_factor", "the drift rate factor"),
    ):
        lowest = min(schedule, key=attrgetter(lever))
        if getattr(lowest, lever) < 0.0:
            problems.append(
                f"scaled initiatives push {what} below 0 ({getattr(lowest, lever):g}) in month "
                f"{lowest.month}; a reduction times its scale factor cannot exceed 1"
            )
    most = max(schedule, key=attrgetter("share_involved"))
    if most.share_involved > 1.0 + 1e-9:
        problems.append(
            f"scaled involvement reaches {most.share_involved:g} of operators in month "
            f"{most.month}; a share cannot exceed 1"
        )
    for month in schedule:
        for session in month.trainings_completed:
            if session.trained_share > 1.0 + 1e-9:
                problems.append(
                    f"scaled training '{session.initiative}' trains {session.trained_share:g} "
                    f"of operators in month {month.month}; a share cannot exceed 1"
                )
    return problems


def budget_problems(portfolio: PortfolioSettings, spend: Sequence[float]) -> list[str]:
    """One message per model year (months 1-12, 13-24, ...) whose ``spend`` (currency per
    month, one entry per month of the horizon) exceeds the portfolio's yearly budget."""
    horizon = len(spend)
    if portfolio.budget_per_year is None:
        return []
    problems = []
    for year_start in range(0, horizon, 12):
        year_spend = sum(spend[year_start : year_start + 12])
        if year_spend > portfolio.budget_per_year * (1.0 + 1e-9):
            problems.append(
                f"portfolio '{portfolio.name}' spends {year_spend:,.0f} in year "
                f"{year_start // 12 + 1} (months {year_start + 1}-"
                f"{min(year_start + 12, horizon)}), over its budget of "
                f"{portfolio.budget_per_year:,.0f} per year"
            )
    return problems
