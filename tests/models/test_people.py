"""People: employee satisfaction, turnover and the desk agents' skill, each equation of
:mod:`sqm_sim.models.people` on a reduced case with a hand-derived answer."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
import simpy
from scipy import stats

from sqm_sim import Config, simulate
from sqm_sim.config.people_sections import PeopleSettings
from sqm_sim.models.context import Context
from sqm_sim.models.ledger import Ledger
from sqm_sim.models.people import (
    DeskStaff,
    EmployeeSatisfaction,
    People,
    handling_factor,
    overload,
    recovery_probability,
    satisfaction_target,
    turnover_factor,
)
from sqm_sim.models.random_streams import RandomStreams
from sqm_sim.models.tally import Tally
from sqm_sim.models.units import DAYS_PER_MONTH
from sqm_sim.models.workforce import Workforce

PEOPLE = PeopleSettings(model="on")


def _context(overrides: dict[str, Any]) -> Context:
    config = Config().with_overrides(overrides)
    env = simpy.Environment()
    return Context(env, config, RandomStreams(1), Tally(), Ledger(env, 60))


def test_satisfaction_target_adds_the_drivers_to_the_reference():
    """J0 0.65, T = ln 2 (1 - exp(-T) = 0.5), half involved, overload 0.5, full pressure:
    0.65 + 0.1 * 0.5 + 0.15 * 0.5 - 0.2 * 0.5 - 0.1 * 1 = 0.575."""
    assert satisfaction_target(PEOPLE, math.log(2.0), 0.5, 0.5, 1.0) == pytest.approx(0.575)
    assert satisfaction_target(PEOPLE, 0.0, 0.0, 0.0, 0.0) == 0.65
    # the target is a 0-1 scale: strong drivers stop at its ends
    harsh = PEOPLE.model_copy(update={"workload_effect": 1.0, "pressure_effect": 1.0})
    assert satisfaction_target(harsh, 0.0, 0.0, 1.0, 1.0) == 0.0
    kind = PEOPLE.model_copy(update={"involvement_effect": 1.0})
    assert satisfaction_target(kind, 0.0, 1.0, 0.0, 0.0) == 1.0


@pytest.mark.parametrize(
    ("utilisation", "expected"), [(0.5, 0.0), (0.85, 0.0), (0.925, 0.5), (1.0, 1.0), (1.2, 1.0)]
)
def test_overload_is_the_utilisation_beyond_normal_over_the_room_left(utilisation, expected):
    """W = max(0, U - 0.85) / 0.15, at most 1."""
    assert overload(utilisation, 0.85) == pytest.approx(expected)


def test_satisfaction_follows_its_target_with_a_first_order_delay():
    """tau = 6 months, target 0.575 from month 0 on (trained share completed T, fading with
    a 12-month memory): J_m = J* + (J0 - J*) exp(-m / 6) while T is held; T after a month
    without training is T exp(-1 / 12)."""
    state = EmployeeSatisfaction(PEOPLE)
    assert state.satisfaction == 0.65
    trained = math.log(2.0)
    first = state.month(trained, 0.5, 0.5, 1.0)
    assert first == pytest.approx(0.575 + (0.65 - 0.575) * math.exp(-1.0 / 6.0))
    state.month(0.0, 0.5, 0.5, 1.0)
    assert state.recent_training == pytest.approx(trained * math.exp(-1.0 / 12.0))
    at_once = EmployeeSatisfaction(PEOPLE.model_copy(update={"adjustment_months": 0.0}))
    assert at_once.month(math.log(2.0), 0.5, 0.5, 1.0) == pytest.approx(0.575)


def test_turnover_falls_exponentially_with_satisfaction():
    """k = 3: 0.15 above J0 multiplies turnover by exp(-0.45) = 0.638 (36 % lower, inside
    Harter et al.'s 25-50 %); at J0 by exactly 1; 0.1 below by exp(0.3)."""
    assert turnover_factor(PEOPLE, 0.80) == pytest.approx(math.exp(-0.45))
    assert turnover_factor(PEOPLE, 0.65) == 1.0
    assert turnover_factor(PEOPLE, 0.55) == pytest.approx(math.exp(0.3))


def test_recovery_shifts_the_log_odds_by_skill_and_courtesy():
    """Lever 0.7 (odds 7/3); skill 0.1 above K0 with g_K = 4: odds x exp(0.4), p = 0.77683;
    satisfaction 0.1 above J0 with g_J = 3 too: odds x exp(0.7), p = 0.82452. At K0 and J0
    the lever itself; a lever of 0 or 1 stays (no log-odds to shift)."""
    odds = 7.0 / 3.0
    skilled = recovery_probability(PEOPLE, 0.7, 0.8, 0.65)
    assert skilled == pytest.approx(odds * math.exp(0.4) / (1 + odds * math.exp(0.4)))
    assert skilled == pytest.approx(0.77683, abs=1e-5)
    both = recovery_probability(PEOPLE, 0.7, 0.8, 0.75)
    assert both == pytest.approx(0.82452, abs=1e-5)
    assert recovery_probability(PEOPLE, 0.7, 0.7, 0.65) == pytest.approx(0.7, abs=1e-15)
    assert recovery_probability(PEOPLE, 0.0, 1.0, 1.0) == 0.0
    assert recovery_probability(PEOPLE, 1.0, 0.0, 0.0) == 1.0


def test_skilled_agents_handle_complaints_faster():
    """h = 1.5: 0.1 more skill than K0 is exp(-0.15) = 0.861 of the handling time."""
    assert handling_factor(PEOPLE, 0.8) == pytest.approx(math.exp(-0.15))
    assert handling_factor(PEOPLE, 0.7) == 1.0


def test_desk_agents_start_at_their_skill_and_learn_on_the_curve():
    """Learning rate 0.85, new hire 0.3, c0 = 50: an agent of skill 0.7 has handled c with
    0.7 ((c + 50) / 50)^b = 0.3, b = log2(0.85); 100 more complaints shared by 2 agents add
    50 each: skill = 1 - 0.7 ((c + 100) / 50)^b. No turnover (factor 0)."""
    staff = DeskStaff(_context({"people.model": "on", "service.desk_staff": 2}))
    assert staff.skills() == pytest.approx([0.7, 0.7])
    b = math.log2(0.85)
    handled = 50.0 * ((0.3 / 0.7) ** (1.0 / b) - 1.0)
    assert staff.month_passed(100, 0.0) == 0
    expected = 1.0 - 0.7 * ((handled + 100.0) / 50.0) ** b
    assert staff.average_skill() == pytest.approx(expected)


def test_agents_leave_with_the_monthly_hazard_times_the_satisfaction_factor():
    """500 agents, turnover 0.6/yr times 2: each leaves a month with 1 - exp(-0.1); over
    24 months the leavers are Binomial(12,000, 1 - exp(-0.1)) (99.9 % interval)."""
    staff = DeskStaff(
        _context(
            {
                "people.model": "on",
                "service.desk_staff": 500,
                "workforce.turnover_rate_per_year": 0.6,
            }
        )
    )
    left = sum(staff.month_passed(0, 2.0) for _ in range(24))
    low, high = stats.binom(12_000, -math.expm1(-0.1)).interval(0.999)
    assert low <= left <= high
    assert staff.hired == left


def test_operators_turnover_factor_scales_the_rate_and_one_is_the_old_draw():
    """A factor of 1 gives the very draws of the configured rate (runs with people off are
    unchanged); a factor of 0.5 halves the rate: leavers over 24 months of 500 operators at
    1.2/yr x 0.5 are Binomial(12,000, 1 - exp(-0.05))."""
    overrides = {
        "workforce.operators": 500,
        "workforce.turnover_rate_per_year": 1.2,
        "workforce.learning_rate": 1.0,
    }
    one, plain = (Workforce(_context(overrides)) for _ in range(2))
    for _ in range(6):
        assert one.month_passed(500, 1.0) == plain.month_passed(500)
    np.testing.assert_array_equal(one.experience, plain.experience)
    half = Workforce(_context(overrides))
    left = sum(half.month_passed(500, 0.5) for _ in range(24))
    low, high = stats.binom(12_000, -math.expm1(-0.05)).interval(0.999)
    assert low <= left <= high


def test_people_off_reports_no_employee_satisfaction_and_the_plain_recovery_lever():
    """With people off the new levels stay at their references (at which turnover and
    recovery are the configured ones) and the desk resolves at the lever; with people on,
    month 0 starts at J0 and K0."""
    small = {"simulation.horizon_months": 2, "market.initial_customers": 50}
    off = simulate(Config().with_overrides(small), seed=1).timeseries
    assert (off["employee_satisfaction"] == 0.65).all()
    assert (off["desk_skill"] == 0.7).all()
    assert (off["recovery_quality"] == 0.7).all()
    on = simulate(Config().with_overrides({**small, "people.model": "on"}), seed=1).timeseries
    assert on["employee_satisfaction"].iloc[0] == pytest.approx(0.65)
    assert on["desk_skill"].iloc[0] == pytest.approx(0.7)


def test_recovery_of_a_nearly_hopeless_desk_does_not_overflow():
    """A lever of 1e-300 has log-odds -690.8: shifted up by 0.4 the resolution chance is
    still about 1.49e-300 (the logistic is computed without overflow)."""
    assert recovery_probability(PEOPLE, 1e-300, 0.8, 0.65) == pytest.approx(
        1e-300 * math.exp(0.4), rel=1e-9
    )
    assert recovery_probability(PEOPLE, 1e-300, 0.0, 0.0) >= 0.0


class _Lines:
    """Production lines seen by :class:`People`: time worked so far, lines running."""

    def __init__(self, lines: int) -> None:
        self.busy_days = 0.0
        self.lines = lines


class _Desk:
    """The complaint desk seen by :class:`People`; remembers what it was told."""

    def __init__(self, agents: int) -> None:
        self.busy_days = 0.0
        self.agents = agents
        self.told: list[tuple[float, float]] = []

    def staff_changed(self, agent_skill: float, satisfaction: float) -> None:
        self.told.append((agent_skill, satisfaction))


def _people(
    lines: int = 2, agents: int = 4, turnover: float = 0.0
) -> tuple[People, _Lines, _Desk, Context]:
    """People (on) over stub lines and desk; no turnover unless asked."""
    context = _context(
        {
            "people.model": "on",
            "service.desk_staff": agents,
            "workforce.turnover_rate_per_year": turnover,
        }
    )
    line_stub, desk_stub = _Lines(lines), _Desk(agents)
    return People(context, line_stub, desk_stub), line_stub, desk_stub, context


def test_utilisation_is_time_worked_since_the_last_call_weighted_by_heads():
    """2 lines busy 90 % of a month, 4 agents busy 50 %, 6 operators: U = (6 x 0.9 + 4 x
    0.5) / 10 = 0.74. The next month counts only the new time: lines 50 %, desk 100 %:
    U = (6 x 0.5 + 4 x 1) / 10 = 0.7. No lines and no agents: U = 0."""
    people, lines, desk, _ = _people()
    lines.busy_days, desk.busy_days = 2 * DAYS_PER_MONTH * 0.9, 4 * DAYS_PER_MONTH * 0.5
    assert people.utilisation(6) == pytest.approx(0.74)
    lines.busy_days += 2 * DAYS_PER_MONTH * 0.5
    desk.busy_days += 4 * DAYS_PER_MONTH
    assert people.utilisation(6) == pytest.approx(0.7)
    idle, *_ = _people(lines=0, agents=0)
    assert idle.utilisation(0) == 0.0
    no_desk, lines, _, _ = _people(agents=0)
    lines.busy_days = 2 * DAYS_PER_MONTH * 0.9
    assert no_desk.utilisation(6) == pytest.approx(0.9)
    no_lines, _, desk, _ = _people(lines=0)
    desk.busy_days = 4 * DAYS_PER_MONTH * 0.5
    assert no_lines.utilisation(6) == pytest.approx(4 * 0.5 / 10)


def test_a_month_moves_satisfaction_by_the_overload_and_tells_the_desk():
    """Everyone busy all month (U = 1, W = 1), T = ln 2, half involved, full pressure:
    J* = 0.65 + 0.1 x 0.5 + 0.15 x 0.5 - 0.2 - 0.1 = 0.475, J = J* + (0.65 - J*) e^(-1/6);
    the desk hears the agents' mean skill (0.7, untouched) and that J."""
    people, lines, desk, _ = _people()
    lines.busy_days, desk.busy_days = 2 * DAYS_PER_MONTH, 4 * DAYS_PER_MONTH
    people.month(math.log(2.0), 0.5, 1.0, 6)
    expected = 0.475 + (0.65 - 0.475) * math.exp(-1.0 / 6.0)
    assert people.overload == pytest.approx(1.0)
    assert people.employee_satisfaction == pytest.approx(expected)
    assert desk.told == [(pytest.approx(0.7), pytest.approx(expected))]
    assert people.turnover_factor() == pytest.approx(math.exp(-3.0 * (expected - 0.65)))


def test_agents_learn_from_the_complaints_closed_since_the_last_month():
    """No turnover; 4 agents; 100 complaints closed by the first month end, 150 by the
    second: each agent handled 25, then 12.5 more."""
    people, _, _, context = _people()
    start = people.agents.handled.copy()
    context.tally.complaints_closed = 100
    assert people.month_passed() == 0
    np.testing.assert_allclose(people.agents.handled, start + 25.0)
    context.tally.complaints_closed = 150
    people.month_passed()
    np.testing.assert_allclose(people.agents.handled, start + 37.5)


def test_desk_agents_leave_at_the_rate_the_staffs_satisfaction_sets():
    """People.month_passed hands the agents the turnover factor exp(-k (J - J0)): at J = J0
    + 0.2 (k = 3), 400 agents at 0.6/yr leave a month w.p. 1 - exp(-0.05 e^-0.6); over 24
    months Binomial(9,600, that) (99.9 % interval): the factor-1 rate (0.049) is outside."""
    people, *_ = _people(agents=400, turnover=0.6)
    people.satisfaction.satisfaction = 0.85
    left = sum(people.month_passed() for _ in range(24))
    rate = -math.expm1(-0.05 * math.exp(-0.6))
    low, high = stats.binom(9_600, rate).interval(0.999)
    assert low <= left <= high
    assert not low <= 9_600 * -math.expm1(-0.05) <= high


@pytest.mark.parametrize(
    ("skill", "rate", "gap", "handled"),
    [
        (0.3, 0.8, 0.7, 0.0),  # at the new hire's skill: a new hire
        (0.2, 0.8, 0.8, 0.0),  # below it: a larger gap, nothing handled
        (0.7, 1.0, 0.3, 0.0),  # a flat curve
        (1.0, 0.8, 0.0, 0.0),  # full proficiency: no gap (and no log of 0)
        (0.44, 0.8, 0.7, 50.0),  # (c + c0) / c0 = 2: the gap 0.7 x 0.8 = 0.56
    ],
)
def test_an_agent_starts_on_the_curve_at_the_configured_skill(skill, rate, gap, handled):
    """(gap at hire, complaints handled) of the starting agents, by hand (c0 = 50)."""
    staff = DeskStaff(
        _context(
            {
                "people.model": "on",
                "people.agent_skill": skill,
                "workforce.new_hire_skill": 0.3,
                "workforce.learning_rate": rate,
            }
        )
    )
    np.testing.assert_allclose(staff.gap_at_hire, gap, rtol=1e-12)
    np.testing.assert_allclose(staff.handled, handled, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(staff.skills(), skill, rtol=1e-12)


def test_an_agent_on_a_nearly_flat_curve_starts_at_the_cap_with_their_skill():
    """Learning rate 0.999999 (exponent -1.44e-6): skill 0.9 from a new hire's 0.3 would
    need (c + c0) / c0 = (0.1 / 0.7) ** (1 / exponent), far beyond a float (this
    overflowed); the agent starts at exp(600) with the gap that gives 0.9 exactly."""
    staff = DeskStaff(
        _context(
            {
                "people.model": "on",
                "people.agent_skill": 0.9,
                "workforce.new_hire_skill": 0.3,
                "workforce.learning_rate": 0.999999,
            }
        )
    )
    exponent = math.log2(0.999999)
    np.testing.assert_allclose(staff.gap_at_hire, 0.1 / math.exp(600.0) ** exponent, rtol=1e-12)
    np.testing.assert_allclose(staff.handled, 50.0 * (math.exp(600.0) - 1.0), rtol=1e-12)
    np.testing.assert_allclose(staff.skills(), 0.9, rtol=1e-9)


def test_a_desk_without_agents_has_no_skill_and_loses_nobody():
    """No agents: mean skill 0 (not the mean of nothing), and a month loses nobody."""
    staff = DeskStaff(_context({"people.model": "on", "service.desk_staff": 0}))
    assert staff.average_skill() == 0.0
    assert staff.month_passed(10, 1.0) == 0


def test_an_agent_who_leaves_is_replaced_by_a_new_hire():
    """A turnover factor so large that every agent leaves (1 - exp(-huge) = 1): each of the
    3 is replaced by a hire with nothing handled and the new hire's gap (skill 0.3)."""
    staff = DeskStaff(_context({"people.model": "on", "service.desk_staff": 3}))
    assert staff.month_passed(300, 1e9) == 3
    np.testing.assert_array_equal(staff.handled, 0.0)
    np.testing.assert_allclose(staff.gap_at_hire, 0.7)
    np.testing.assert_allclose(staff.skills(), 0.3)
    assert staff.hired == 3


def test_an_adjustment_time_of_one_month_keeps_e_to_the_minus_one_of_the_gap():
    """tau = 1 month (the smallest delay, not 'at once'): J_1 = J* + (J0 - J*) e^-1."""
    state = EmployeeSatisfaction(PEOPLE.model_copy(update={"adjustment_months": 1.0}))
    assert state.month(math.log(2.0), 0.5, 0.5, 1.0) == pytest.approx(
        0.575 + (0.65 - 0.575) * math.exp(-1.0)
    )
