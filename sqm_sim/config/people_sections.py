"""Config sections for the people on the lines: skill, learning, turnover, involvement."""

from __future__ import annotations

from typing import Literal

from .fields import Section, param


class WorkforceSettings(Section):
    """Operators: skill drives human error; learning raises it, turnover lowers it.

    An operator with cumulative output e (units) has skill
        skill(e) = 1 - (1 - new_hire_skill) * ((e + e0) / e0)^b,   b = log2(learning_rate)
    (Wright's unit learning curve on the skill gap; e0 = learning_reference_units). Operators
    present at t=0 start with the experience that gives ``skill``. Each month every operator
    leaves with probability 1 - exp(-turnover_rate_per_year / 12) and is replaced by a new
    hire. Output is shared equally among operators.

    Operator time (off unless ``improvement_time_share`` > 0): a share s of the hours goes
    to improvement work and builds a process capability K, dK/dt = a s (1 - K) - e K,
    which multiplies process- and human-caused defects by (1 - r K) / (1 - r K0) and line
    speed by (1 - u (1 - K)) / (1 - u (1 - K0)); line speed also follows the production
    hours N (1 - s) / (N0 (1 - s_before)). Under schedule pressure P management uses
    s (1 - pressure_response P_felt). See :mod:`sqm_sim.models.workforce` and
    :mod:`sqm_sim.models.management`.
    """

    skill: float = param(
        0.7,
        unit="share of full proficiency",
        description="average operator skill at t=0; human error probability is "
        "human_error_probability_untrained * (1 - skill)",
        source="assumption: experienced but untrained workforce",
        ge=0.0,
        le=1.0,
    )
    operators: int = param(
        40,
        unit="people",
        description="operators on the production lines",
        source="assumption: about 20 per line",
        ge=1,
        le=100_000,
    )
    new_hire_skill: float = param(
        0.3,
        unit="share of full proficiency",
        description="skill of a newly hired operator",
        source="assumption",
        ge=0.0,
        le=1.0,
    )
    learning_rate: float = param(
        0.85,
        unit="ratio per doubling",
        description="the skill gap falls to this share with each doubling of an operator's "
        "cumulative output",
        source="Wright 1936: 80-90% learning curves",
        gt=0.0,
        le=1.0,
    )
    learning_reference_units: float = param(
        200.0,
        unit="units",
        description="e0 of the learning curve: output after which a new hire's gap has "
        "fallen once by the learning rate",
        source="assumption: about five months of one operator's share of output",
        gt=0.0,
        le=1e9,
    )
    turnover_rate_per_year: float = param(
        0.15,
        unit="1/year",
        description="rate at which operators leave (replaced at once by new hires)",
        source="assumption: manufacturing quit rates of 15-25% a year",
        ge=0.0,
        le=12.0,
    )
    hours_per_month: float = param(
        160.0,
        unit="hours/month",
        description="working hours of one operator per month (for training time off the line)",
        source="40-hour week",
        gt=0.0,
        le=744.0,
    )
    improvement_time_share: float = param(
        0.0,
        unit="share of operator hours",
        description="hours operators spend on improvement work (problem solving, "
        "suggestions, standard work) instead of production, as planned; the configured "
        "cycle time is that of the lines staffed with the rest of the hours. 0 = the time "
        "split is off (no capability stock)",
        source="assumption: a few to 10 % in firms with improvement time (Repenning & "
        "Sterman 2001, 2002)",
        ge=0.0,
        le=0.9,
    )
    improvement_time_share_before: float | None = param(
        None,
        unit="share of operator hours",
        description="improvement time before the run (omit: the same as "
        "improvement_time_share): the run starts at the capability this share sustains "
        "and the configured cycle time is that of the lines with the rest of the hours, so "
        "raising improvement_time_share above it starts an improvement programme (fewer "
        "production hours now, capability later)",
        source="scenario input",
        ge=0.0,
        le=0.9,
    )
    capability_build_per_year: float = param(
        5.0,
        unit="1/year per share of hours",
        description="a in dK/dt = a s (1 - K) - e K: how fast improvement time s builds "
        "process capability K (0-1)",
        source="assumption: at s = 0.1 capability closes its gap with a time constant of "
        "about a year (Repenning & Sterman 2002; Keating et al. 1999)",
        ge=0.0,
        le=100.0,
    )
    capability_erosion_per_year: float = param(
        0.5,
        unit="1/year",
        description="e in dK/dt = a s (1 - K) - e K: capability decays without improvement "
        "work (equipment wears, procedures drift, knowledge is lost)",
        source="Repenning & Sterman 2001 (capability erodes unless maintained); rate "
        "assumed, like the 0.4/yr forgetting of involvement.forgetting_rate_per_year",
        ge=0.0,
        le=12.0,
    )
    capability_max_reduction: float = param(
        0.8,
        unit="share",
        description="r: process- and human-caused defects are multiplied by (1 - r K) / "
        "(1 - r K0), K0 the steady state of the improvement time before the run, so the "
        "run starts at the calibrated defect rate",
        source="assumption",
        ge=0.0,
        le=0.95,
    )
    capability_throughput_loss: float = param(
        0.3,
        unit="share of line time",
        description="u: line speed is multiplied by (1 - u (1 - K)) / (1 - u (1 - K0)); "
        "the share of line time a process without capability (K = 0) loses to stoppages, "
        "breakdowns, set-up trouble and firefighting",
        source="Repenning & Sterman 2002 (net throughput = effort x capability); "
        "Nakajima 1988 (TPM: typical equipment effectiveness 50-65 %, world class 85 %); "
        "share assumed",
        ge=0.0,
        le=0.9,
    )
    pressure_response: float = param(
        0.0,
        unit="share",
        description="management's policy under schedule pressure P (0-1): the improvement "
        "time used is s (1 - pressure_response P_felt); 0 protects improvement time ('work "
        "smarter'), 1 moves all of it to production at full pressure ('work harder')",
        source="policy input (Repenning & Sterman 2001)",
        ge=0.0,
        le=1.0,
    )
    pressure_memory_months: float = param(
        0.0,
        unit="months",
        description="felt pressure rises at once with the schedule pressure and fades with "
        "this time constant: P_felt = max(P, P_felt(last month) exp(-1 / memory)); 0 = no "
        "memory. Firefighting, once learned, outlasts the backlog that started it",
        source="Repenning & Sterman 2001, 2002 (managers cut improvement fast and restore "
        "it slowly; 'work harder' becomes the norm); time constant assumed",
        ge=0.0,
        le=120.0,
    )
    full_pressure_backlog: float = param(
        0.25,
        unit="months of orders",
        description="open backorders, as a share of last month's orders, at which schedule "
        "pressure is full: P = min(1, backorders / (orders last month * this))",
        source="assumption",
        gt=0.0,
        le=12.0,
    )
    wage_per_month: float = param(
        3500.0,
        unit="currency/month",
        description="cost of one operator hired by a rule, booked as fixed cost every "
        "month from the hire (the configured operators' wages are part of "
        "finance.fixed_cost_per_month)",
        source="assumption: a production operator's loaded monthly wage",
        ge=0.0,
        le=1e6,
    )

    @property
    def improvement_share_before(self) -> float:
        """The improvement time share sustained before the run."""
        if self.improvement_time_share_before is None:
            return self.improvement_time_share
        return self.improvement_time_share_before


class InvolvementSettings(Section):
    """Staff involvement and continuous improvement (suggestion system).

    Each month, accepted suggestions ~ Poisson(operators * share_involved *
    suggestions_per_month * skill * acceptance_probability); each one removes
    defect_reduction_per_suggestion of the remaining process- and human-caused defects. With
    steady involvement those defects decay exponentially (Schneiderman's half-life) with
        half-life = ln 2 / (accepted suggestions per month * defect_reduction_per_suggestion)
    e.g. 40 * 0.5 * 0.5 * 0.7 * 0.5 * 0.02 = 0.07/month -> about 10 months.
    """

    share_involved: float = param(
        0.0,
        unit="share of operators",
        description="operators who understand the quality goals and take part in improvement "
        "(an involvement initiative raises it)",
        source="baseline has no involvement programme",
        ge=0.0,
        le=1.0,
    )
    suggestions_per_month: float = param(
        0.5,
        unit="suggestions/person/month",
        description="suggestions of one involved operator of full skill",
        source="assumption: Japanese-style suggestion systems report several per person "
        "per month; Western ones far fewer",
        ge=0.0,
        le=100.0,
    )
    acceptance_probability: float = param(
        0.5,
        unit="probability",
        description="share of suggestions that are implemented",
        source="assumption",
        ge=0.0,
        le=1.0,
    )
    defect_reduction_per_suggestion: float = param(
        0.02,
        unit="share",
        description="share of the remaining process- and human-caused defects one implemented "
        "suggestion removes",
        source="calibrated to a half-life of about 10 months at 50% involvement, inside "
        "the 1-22 months reported by Schneiderman (1988)",
        ge=0.0,
        le=1.0,
    )
    improvement_floor: float = param(
        0.3,
        unit="share of today's process- and human-caused defects",
        description="level the improvement factor approaches and cannot pass: the half-life "
        "applies to the gap between the factor and this floor (defects whose causes the "
        "suggestion system cannot reach: equipment, materials, design of the process)",
        source="Schneiderman 1988: half-life curves level off once the easy causes are gone; "
        "level assumed",
        ge=0.0,
        le=1.0,
    )
    forgetting_rate_per_year: float = param(
        0.4,
        unit="1/year",
        description="in a month with no involvement, the improvement won so far decays toward "
        "none at this continuous rate (1 - factor shrinks by exp(-rate/12) a month); no decay "
        "while any operators are involved",
        source="Argote, Beckman & Epple 1990 (knowledge depreciation in production); Keating, "
        "Oliva, Repenning, Rockart & Sterman 1999 (improvement programmes decay when "
        "attention moves on); rate assumed",
        ge=0.0,
        le=12.0,
    )


class PeopleSettings(Section):
    """Employee satisfaction and the service-profit chain (opt-in: ``model = "on"``).

    Employee satisfaction J (0-1, one state for operators and desk agents) moves each
    month toward a target set by training, involvement, workload and schedule pressure:

        J*   = clip(J0 + b_T (1 - exp(-T)) + b_I v - b_W W - b_P P, 0, 1)
        J   <- J* + (J - J*) exp(-1 / adjustment_months)
        T   <- T exp(-1 / training_memory_months) + trained share completed this month

    (v = share involved, W = overload of the lines and the desk beyond normal utilisation,
    P = felt schedule pressure). J drives voluntary turnover, rate = r0 exp(-k (J - J0)),
    and, with the desk agents' skill (a learning curve on complaints handled, lost to the
    same turnover), service recovery: logit(recovery) = logit(recovery lever) +
    g_K (skill - skill0) + g_J (J - J0), handling time x exp(-h (skill - skill0)). With
    ``model = "off"`` (the default) none of it runs. See :mod:`sqm_sim.models.people`.
    """

    model: Literal["off", "on"] = param(
        "off",
        unit="-",
        description="opt-in: 'on' makes employee satisfaction a state that drives turnover "
        "and the desk agents' recovery quality and speed, and gives desk agents skill "
        "(sqm_sim/models/people.py); 'off' keeps turnover constant and the desk a parameter",
        source="Heskett et al. 1994 (service-profit chain); off in the baseline",
    )
    reference_satisfaction: float = param(
        0.65,
        unit="0-1 scale",
        description="J0: employee satisfaction at t=0 and with no training, no involvement, "
        "normal workload and no pressure; turnover is workforce.turnover_rate_per_year and "
        "recovery quality the lever's at J = J0",
        source="assumption: about two thirds of employees satisfied with their job in "
        "manufacturing surveys",
        ge=0.0,
        le=1.0,
    )
    training_effect: float = param(
        0.1,
        unit="0-1 scale",
        description="b_T: satisfaction gained at saturating recent training (T large); "
        "1 - exp(-T) of it at a recent trained share T",
        source="assumption: training as a sign of investment in people (Heskett et al. "
        "1994: internal service quality drives employee satisfaction)",
        ge=0.0,
        le=1.0,
    )
    involvement_effect: float = param(
        0.15,
        unit="0-1 scale per share involved",
        description="b_I: satisfaction gained with every operator involved in improvement",
        source="assumption: involvement and job satisfaction (Heskett et al. 1994; Rucci, "
        "Kirn & Quinn 1998: 'attitude about the job')",
        ge=0.0,
        le=1.0,
    )
    workload_effect: float = param(
        0.2,
        unit="0-1 scale per unit overload",
        description="b_W: satisfaction lost at full overload W = 1 (lines and desk busy all "
        "the time beyond normal_utilisation)",
        source="assumption: workload and burnout lower job satisfaction",
        ge=0.0,
        le=1.0,
    )
    pressure_effect: float = param(
        0.1,
        unit="0-1 scale per unit pressure",
        description="b_P: satisfaction lost at full felt schedule pressure P = 1",
        source="assumption (Repenning & Sterman 2001: firefighting wears people out)",
        ge=0.0,
        le=1.0,
    )
    normal_utilisation: float = param(
        0.85,
        unit="share of time",
        description="utilisation of the lines (and the desk) above which people feel "
        "overloaded: W = max(0, U - U_n) / (1 - U_n), U = busy time / available time last "
        "month, weighted by operators and agents",
        source="assumption: sustained utilisation above 85 % means overtime and rush",
        ge=0.0,
        lt=1.0,
    )
    adjustment_months: float = param(
        6.0,
        unit="months",
        description="time constant with which satisfaction follows its target (0 = at once)",
        source="assumption: attitudes move over months",
        ge=0.0,
        le=120.0,
    )
    training_memory_months: float = param(
        12.0,
        unit="months",
        description="time constant with which the memory of recent training T fades",
        source="assumption: a year",
        gt=0.0,
        le=120.0,
    )
    turnover_sensitivity: float = param(
        3.0,
        unit="1 per unit satisfaction",
        description="k in turnover = workforce.turnover_rate_per_year exp(-k (J - J0)); "
        "k = 3 gives 36 % lower turnover at 0.15 more satisfaction",
        source="Harter, Schmidt & Hayes 2002: top- vs bottom-quartile units by employee "
        "satisfaction-engagement have 25-50 % lower turnover; Griffeth, Hom & Gaertner "
        "2000: satisfaction-turnover correlation about -0.2; level assumed",
        ge=0.0,
        le=50.0,
    )
    agent_skill: float = param(
        0.7,
        unit="share of full proficiency",
        description="skill0: mean desk agent skill at t=0 (recovery quality and handling "
        "time are the levers' at this skill)",
        source="assumption, as workforce.skill",
        ge=0.0,
        le=1.0,
    )
    agent_learning_reference: float = param(
        50.0,
        unit="complaints",
        description="c0 of the agents' learning curve skill = 1 - (1 - "
        "workforce.new_hire_skill) ((c + c0) / c0)^log2(workforce.learning_rate), c = "
        "complaints an agent has handled",
        source="assumption: a few weeks on the desk",
        gt=0.0,
        le=1e9,
    )
    recovery_skill_effect: float = param(
        4.0,
        unit="log-odds per unit skill",
        description="g_K: a skill 0.1 above skill0 multiplies the odds of resolving a "
        "complaint by exp(0.1 g_K) (1.49 at 4)",
        source="assumption (Tax, Brown & Chandrashekaran 1998: handling competence drives "
        "complaint satisfaction)",
        ge=0.0,
        le=50.0,
    )
    recovery_courtesy_effect: float = param(
        3.0,
        unit="log-odds per unit satisfaction",
        description="g_J: courtesy of satisfied staff; 0.1 more employee satisfaction "
        "multiplies the odds of resolving a complaint by exp(0.1 g_J) (1.35 at 3)",
        source="Schneider & Bowen 1985, Schneider, White & Paul 1998 (employee climate and "
        "customer perceptions); Rucci, Kirn & Quinn 1998; level assumed",
        ge=0.0,
        le=50.0,
    )
    handling_skill_effect: float = param(
        1.5,
        unit="per unit skill",
        description="h: handling time multiplied by exp(-h (skill - skill0)) (0.1 more "
        "skill: 14 % faster at 1.5)",
        source="assumption: experienced agents resolve faster",
        ge=0.0,
        le=20.0,
    )
