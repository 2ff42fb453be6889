"""The workforce: Wright's learning curve, turnover, training and the suggestion system,
each on a reduced company with a hand-derivable answer (learning, turnover or
involvement switched off where they would blur it).

Timing (time series row j = the end of month j): the workforce works off the previous
month's output and turnover happens at the start of every month after the first, so row j
has seen j turnover draws and the output of months 0 .. j-1.
"""

from __future__ import annotations

import itertools
import math
from typing import Any

import numpy as np
import pytest
import simpy
from scipy import stats

from sqm_sim import Config, simulate
from sqm_sim.models.context import Context
from sqm_sim.models.ledger import Ledger
from sqm_sim.models.random_streams import RandomStreams
from sqm_sim.models.tally import Tally
from sqm_sim.models.workforce import Workforce
from tests.support import NO_ACQUISITION, mean_interval

NOBODY: dict[str, Any] = {"market.initial_customers": 0, "market.prospects": 0, **NO_ACQUISITION}
NO_LEARNING = {"workforce.learning_rate": 1.0}
NO_TURNOVER = {"workforce.turnover_rate_per_year": 0.0}
NO_INVOLVEMENT = {"involvement.share_involved": 0.0}


def _config(overrides: dict[str, Any]) -> Config:
    return Config().with_overrides(overrides)


@pytest.mark.parametrize("learning_rate", [1.0, 0.8], ids=["no-learning", "no-output"])
def test_turnover_pulls_skill_geometrically_towards_new_hire_skill(learning_rate):
    """No learning (learning rate 1, or no output at all): each month an operator is
    replaced with p = 1 - exp(-turnover / 12) by a new hire with no experience, so
    E[skill after m months] = s_hire + (s0 - s_hire) (1 - p)^m. Each seed's mean over 200
    operators is one observation; a 99.9% t-interval over 20 seeds must cover it."""
    s0, s_hire, turnover, months = 0.9, 0.3, 0.6, 24
    config = _config(
        {
            "simulation.horizon_months": months,
            **NOBODY,
            "workforce.learning_rate": learning_rate,
            "workforce.learning_reference_units": 1.0,  # one unit of experience would show
            **NO_INVOLVEMENT,
            "workforce.operators": 200,
            "workforce.skill": s0,
            "workforce.new_hire_skill": s_hire,
            "workforce.turnover_rate_per_year": turnover,
        }
    )
    p = -math.expm1(-turnover / 12.0)
    rows = np.array(
        [simulate(config, seed).timeseries["average_skill"].to_numpy() for seed in range(20)]
    )
    np.testing.assert_allclose(rows[:, 0], s0, rtol=1e-12)
    for month in (6, 12, months - 1):
        expected = s_hire + (s0 - s_hire) * (1.0 - p) ** month
        low, high = mean_interval(rows[:, month], confidence=0.999)
        assert low <= expected <= high, (month, expected, low, high)


def _learning_curve(s0: float, s_hire: float, rate: float, reference: float):
    """skill(e) = 1 - g ((e + e0) / e0)^b, b = log2(rate), for an operator present at t = 0:
    g = 1 - s_hire and the experience that gives s0 if s0 is above the new-hire skill,
    else g = 1 - s0 and no experience."""
    b = math.log2(rate)
    if s0 > s_hire:
        gap = 1.0 - s_hire
        start = reference * (((1.0 - s0) / gap) ** (1.0 / b) - 1.0)
    else:
        gap, start = 1.0 - s0, 0.0
    return lambda units: 1.0 - gap * ((start + units + reference) / reference) ** b


@pytest.mark.parametrize("s0", [0.6, 0.1], ids=["experienced", "below-new-hire-skill"])
def test_skill_follows_wrights_learning_curve_on_shared_output(make_config, s0):
    """Turnover off: each operator's experience grows by the month's output / operators,
    and skill is the learning curve at that experience (deterministic given the output)."""
    operators, rate, reference, s_hire = 8, 0.8, 200.0, 0.2
    config = make_config(
        {
            **NO_TURNOVER,
            "workforce.operators": operators,
            "workforce.skill": s0,
            "workforce.new_hire_skill": s_hire,
            "workforce.learning_rate": rate,
            "workforce.learning_reference_units": reference,
        }
    )
    series = simulate(config, seed=3).timeseries
    made_before = np.concatenate([[0.0], np.cumsum(series["units_produced"].to_numpy())[:-1]])
    assert made_before[-1] > 500  # enough output to move along the curve
    curve = _learning_curve(s0, s_hire, rate, reference)
    expected = [curve(units / operators) for units in made_before]
    np.testing.assert_allclose(series["average_skill"], expected, rtol=1e-12)
    assert series["average_skill"].iloc[0] == pytest.approx(s0, rel=1e-12)


@pytest.mark.parametrize("share", [1.0, 0.5])
def test_training_closes_a_share_of_the_trainees_skill_gap(share):
    """Learning and turnover off, 10 operators: one session trains round(share * 10) of
    them and closes a share c of their gap, so mean skill = 1 - (1 - s0)(1 - share * c)."""
    s0, closed = 0.4, 0.5
    base = _config(
        {
            "simulation.horizon_months": 6,
            **NOBODY,
            **NO_LEARNING,
            **NO_TURNOVER,
            **NO_INVOLVEMENT,
            "workforce.operators": 10,
            "workforce.skill": s0,
        }
    )
    training = {
        "kind": "training",
        "name": "once",
        "start_month": 0,
        "duration_months": 1,
        "trained_share": share,
        "hours_per_trainee": 8.0,
        "skill_gap_closed": closed,
    }
    config = base.with_overrides(
        {"portfolio": {"name": "train", "budget_per_year": None, "initiatives": [training]}}
    )
    summary = simulate(config, seed=1).summary
    assert summary["average_skill_end"] == pytest.approx(1.0 - (1.0 - s0) * (1.0 - share * closed))
    assert simulate(base, seed=1).summary["average_skill_end"] == pytest.approx(s0)


def test_accepted_suggestions_are_poisson_and_each_cuts_the_factor():
    """Learning and turnover off (skill s0 throughout): each month the accepted suggestions
    are Poisson(operators * involved * suggestions per month * s0 * acceptance) and each
    multiplies the gap between the improvement factor and its floor F_min by (1 - delta);
    so the number of suggestions read off the final factor,
    log((F - F_min) / (1 - F_min)) / log(1 - delta), is a whole number, Poisson(months *
    that rate) per run."""
    operators, involved, per_month, s0, acceptance, delta = 50, 0.4, 0.5, 0.6, 0.5, 0.01
    months, seeds = 12, range(10)
    config = _config(
        {
            "simulation.horizon_months": months,
            **NOBODY,
            **NO_LEARNING,
            **NO_TURNOVER,
            "workforce.operators": operators,
            "workforce.skill": s0,
            "involvement.share_involved": involved,
            "involvement.suggestions_per_month": per_month,
            "involvement.acceptance_probability": acceptance,
            "involvement.defect_reduction_per_suggestion": delta,
        }
    )
    floor = config.involvement.improvement_floor
    assert floor > 0.0
    accepted = 0
    for seed in seeds:
        factor = simulate(config, seed).summary["improvement_factor_end"]
        count = math.log((factor - floor) / (1.0 - floor)) / math.log1p(-delta)
        assert count == pytest.approx(round(count), abs=1e-6)
        accepted += round(count)
    rate = operators * involved * per_month * s0 * acceptance  # 3 a month
    low, high = stats.poisson.interval(0.999, rate * months * len(seeds))
    assert low <= accepted <= high


def _workforce(overrides: dict) -> Workforce:
    config = _config({**NO_LEARNING, **NO_TURNOVER, **overrides})
    env = simpy.Environment()
    ledger = Ledger(env, config.simulation.horizon_months)
    return Workforce(Context(env, config, RandomStreams(1), Tally(), ledger))


def test_improvement_approaches_its_floor_and_never_passes_it():
    """A thousand months of heavy involvement: the factor ends at the floor (within the
    rounding of the gap), never below it."""
    floor = 0.25
    workforce = _workforce(
        {
            "involvement.improvement_floor": floor,
            "involvement.suggestions_per_month": 5.0,
            "involvement.defect_reduction_per_suggestion": 0.05,
        }
    )
    factors = [workforce.improve(1.0) for _ in range(1000)]
    assert min(factors) >= floor
    assert factors[-1] == pytest.approx(floor, abs=1e-12)
    assert all(a >= b for a, b in itertools.pairwise(factors))


def test_without_involvement_the_improvement_is_forgotten_at_its_rate():
    """From F = 0.4 with nobody involved: 1 - F shrinks by exp(-phi / 12) a month, so after
    12 months 1 - F = 0.6 exp(-phi) (phi = 0.5: F = 1 - 0.6 * 0.60653 = 0.63608)."""
    phi = 0.5
    workforce = _workforce({"involvement.forgetting_rate_per_year": phi})
    workforce.improvement_factor = 0.4
    path = [workforce.improve(0.0) for _ in range(12)]
    expected = [1.0 - 0.6 * math.exp(-phi * month / 12.0) for month in range(1, 13)]
    assert path == pytest.approx(expected, rel=1e-12)  # every month, not only the last
    factor = path[-1]
    assert factor == pytest.approx(0.63608, abs=1e-5)


def test_each_operator_leaves_a_month_with_the_monthly_hazard():
    """Turnover 1.2 a year is a monthly leave probability p = 1 - exp(-1.2 / 12): over 120
    months of 500 operators the leavers (experience reset to 0 while every stayer gains
    some) are Binomial(60,000, p) (99.9% interval; a yearly rate read as 13 months a year
    would give about 5,290 leavers against 5,710 expected, 5.8 standard deviations)."""
    operators, months, rate = 500, 120, 1.2
    workforce = _workforce(
        {"workforce.operators": operators, "workforce.turnover_rate_per_year": rate}
    )
    leavers = 0
    for _ in range(months):
        workforce.month_passed(units_made=operators)
        leavers += int(np.count_nonzero(workforce.experience == 0.0))
    binomial = stats.binom(operators * months, -math.expm1(-rate / 12.0))
    low, high = binomial.interval(0.999)
    assert low <= leavers <= high


@pytest.mark.parametrize("per_month", [0.0, 0.05], ids=["none", "rare"])
def test_rare_or_no_suggestions_cut_the_factor_as_often_as_poisson_says(per_month):
    """Learning and turnover off, 10 operators of skill 0.5, all involved, acceptance 1:
    Poisson(10 * per_month * 0.5) accepted a month (0.25 for 'rare': below one, where a
    Poisson draw is still often 1; none at all for 0). Each cuts the gap to the floor by
    delta, so the count over 400 months is read off the factor (as above)."""
    delta, months = 0.001, 400
    workforce = _workforce(
        {
            "workforce.operators": 10,
            "workforce.skill": 0.5,
            "involvement.suggestions_per_month": per_month,
            "involvement.acceptance_probability": 1.0,
            "involvement.defect_reduction_per_suggestion": delta,
        }
    )
    floor = _config({}).involvement.improvement_floor
    for _ in range(months):
        factor = workforce.improve(1.0)
    count = round(math.log((factor - floor) / (1.0 - floor)) / math.log1p(-delta))
    mean = 10 * per_month * 0.5 * months
    if mean == 0.0:
        assert factor == 1.0
    else:
        low, high = stats.poisson.interval(0.999, mean)
        assert low <= count <= high


def _start(skill: float, rate: float, new_hire: float = 0.3) -> Workforce:
    """A workforce of 3 at ``skill`` on a curve of learning rate ``rate`` (e0 = 200)."""
    return _workforce(
        {
            "workforce.operators": 3,
            "workforce.skill": skill,
            "workforce.new_hire_skill": new_hire,
            "workforce.learning_rate": rate,
            "workforce.learning_reference_units": 200.0,
        }
    )


@pytest.mark.parametrize(
    ("skill", "rate", "gap", "experience"),
    [
        (0.3, 0.8, 0.7, 0.0),  # at the new hire's skill: a new hire
        (0.2, 0.8, 0.8, 0.0),  # below it: a new hire with a larger gap
        (0.7, 1.0, 0.3, 0.0),  # a flat curve: no experience moves the skill
        (1.0, 0.8, 0.0, 0.0),  # full proficiency: no gap (and no log of 0)
        (0.44, 0.8, 0.7, 200.0),  # (e + e0) / e0 = 2: the gap 0.7 x 0.8 = 0.56
    ],
)
def test_an_operator_starts_on_the_curve_at_the_configured_skill(skill, rate, gap, experience):
    """(gap at hire, experience) of the starting operators, by hand: skill 1 - g ((e +
    e0) / e0)^b, b = log2(rate)."""
    workforce = _start(skill, rate)
    np.testing.assert_allclose(workforce.gap_at_hire, gap, rtol=1e-12)
    np.testing.assert_allclose(workforce.experience, experience, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(workforce.skills(), skill, rtol=1e-12)


@pytest.mark.parametrize("log_ratio", [500.0, 700.0], ids=["below-the-cap", "capped"])
def test_a_nearly_flat_curve_caps_the_starting_experience_at_e600(log_ratio):
    """Skill 0.7, new hire 0.3, b = ln(3/7) / L so that (e + e0) / e0 = e^L gives the skill
    from a new hire's gap: L = 500 starts there (gap 0.7, e = e0 (e^500 - 1)); L = 700
    passes the cap of e^600, so the operator starts at e = e0 (e^600 - 1) with the gap that
    gives 0.7 there, 0.3 e^(-600 b)."""
    b = math.log(3.0 / 7.0) / log_ratio
    workforce = _start(0.7, 2.0**b)
    kept = min(log_ratio, 600.0)
    np.testing.assert_allclose(workforce.experience, 200.0 * math.expm1(kept), rtol=1e-9)
    gap = 0.7 if log_ratio <= 600.0 else 0.3 * math.exp(-600.0 * b)
    np.testing.assert_allclose(workforce.gap_at_hire, gap, rtol=1e-9)
    np.testing.assert_allclose(workforce.skills(), 0.7, rtol=1e-12)


def test_hires_join_with_no_experience_and_the_new_hires_gap():
    """3 operators of skill 0.7 (on the curve), 2 hires: 5 operators, the hires at e = 0
    with gap 1 - 0.3 (skill 0.3), the others unchanged: mean skill (3 x 0.7 + 2 x 0.3) / 5."""
    workforce = _start(0.44, 0.8)
    before = workforce.experience.copy()
    workforce.hire(2)
    assert workforce.operators == 5
    np.testing.assert_array_equal(workforce.experience, [*before, 0.0, 0.0])
    np.testing.assert_allclose(workforce.gap_at_hire, [0.7] * 5)
    np.testing.assert_allclose(workforce.skills(), [0.44, 0.44, 0.44, 0.3, 0.3])
    assert workforce.average_skill() == pytest.approx((3 * 0.44 + 2 * 0.3) / 5)


def test_capability_moves_exactly_towards_its_steady_state_each_month():
    """a = 2/yr, e = 1/yr, K0 = 0 (no improvement time before): K* = a s / (a s + e) is
    1 / 2 at s = 0.5 and 1 / 3 at s = 0.25; a month at s = 0.5 has a s + e = 2, so
    K = 0.5 - 0.5 exp(-2 / 12); with a = e = 0 nothing moves (no 0 / 0)."""
    workforce = _workforce(
        {
            "workforce.capability_build_per_year": 2.0,
            "workforce.capability_erosion_per_year": 1.0,
            "workforce.improvement_time_share_before": 0.0,
        }
    )
    assert workforce.capability == 0.0
    assert workforce.steady_capability(0.5) == pytest.approx(0.5)
    assert workforce.steady_capability(0.25) == pytest.approx(0.5 / 1.5)
    assert workforce.build_capability(0.5) == pytest.approx(0.5 - 0.5 * math.exp(-2.0 / 12.0))
    still = _workforce(
        {
            "workforce.capability_build_per_year": 0.0,
            "workforce.capability_erosion_per_year": 0.0,
            "workforce.improvement_time_share_before": 0.0,
        }
    )
    assert still.build_capability(0.5) == 0.0


@pytest.mark.parametrize("factor", [0.5, 2.0])
def test_a_turnover_factor_scales_the_yearly_rate_before_the_monthly_hazard(factor):
    """2,000 operators at 0.6/yr times a factor f over 60 months leave a month with
    1 - exp(-0.6 f / 12): Binomial(120,000, that) (99.9 % interval), which a rate read
    over 13 months or the unscaled rate (at least 8 standard deviations off) fall outside."""
    workforce = _workforce({"workforce.operators": 2000, "workforce.turnover_rate_per_year": 0.6})
    left = sum(workforce.month_passed(0, factor) for _ in range(60))
    binomial = stats.binom(120_000, -math.expm1(-0.6 * factor / 12.0))
    low, high = binomial.interval(0.999)
    assert low <= left <= high
    for wrong in (-math.expm1(-0.6 * factor / 13.0), -math.expm1(-0.6 / 12.0)):
        assert not low <= 120_000 * wrong <= high
