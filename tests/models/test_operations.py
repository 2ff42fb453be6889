"""Operations: defect generation, line capacity, the (s, S) policy and process drift."""

from __future__ import annotations

import math
from itertools import pairwise

import pytest
from scipy import stats

from sqm_sim import Config, simulate
from sqm_sim.models.initiatives import lever_schedule
from sqm_sim.models.operations import (
    defect_probability,
    prevention_factor,
    process_defect_share,
    unit_defect_probability,
)
from sqm_sim.models.units import DAYS_PER_MONTH, MINUTES_PER_DAY
from tests.support import NO_ACQUISITION, fixed_loyalty

# No customers now and none to come: neither prospects nor any inflow (diffusion,
# competitor churn back to the prospect pool), so only the production-side machinery runs.
NOBODY = {"market.initial_customers": 0, "market.prospects": 0, **NO_ACQUISITION}
# A fixed customer base that never shrinks or grows: every customer repurchases for sure.
LOYAL_FIXED_BASE = {"market.prospects": 0, **NO_ACQUISITION, **fixed_loyalty(1.0)}

# -- defect probabilities (closed forms) ---------------------------------------------------


def test_cpk_1_gives_2700_ppm():
    expected = 2.0 * stats.norm.cdf(-3.0)
    assert process_defect_share(1.0) == pytest.approx(expected, rel=1e-12)
    assert process_defect_share(1.0) == pytest.approx(0.0027, abs=1e-5)


def test_cpk_1_33_gives_about_63_ppm():
    expected = 2.0 * stats.norm.sf(3.0 * 1.33)
    assert process_defect_share(1.33) == pytest.approx(expected, rel=1e-9)
    assert 60e-6 < process_defect_share(1.33) < 70e-6
    # exactly four sigma: the textbook 63 ppm
    assert process_defect_share(4.0 / 3.0) == pytest.approx(63.3e-6, rel=1e-3)


def test_six_sigma_with_shift_gives_3_4_ppm():
    # Six sigma: limits at +-6 sigma (centred Cpk 2.0), mean shifted by 1.5 sigma, which
    # leaves a capability of 1.5 on the near side: Phi(-4.5) + Phi(-7.5) = 3.4 ppm.
    expected = stats.norm.sf(4.5) + stats.norm.sf(7.5)
    assert process_defect_share(2.0, 1.5) == pytest.approx(expected, rel=1e-9)
    assert process_defect_share(2.0, 1.5) == pytest.approx(3.4e-6, rel=0.02)


@pytest.mark.parametrize("cpk", [0.3, 0.5, 0.9, 1.0, 1.5, 3.0])
@pytest.mark.parametrize("shift", [0.0, 0.5, 1.5, 3.0])
def test_process_defect_share_matches_normal_tails(cpk, shift):
    expected = stats.norm.sf(3.0 * cpk - shift) + stats.norm.sf(3.0 * cpk + shift)
    assert process_defect_share(cpk, shift) == pytest.approx(expected, rel=1e-9, abs=1e-300)
    assert process_defect_share(cpk, -shift) == pytest.approx(expected, rel=1e-9, abs=1e-300)


def test_process_defect_share_monotone():
    cpks = [0.3 + 0.1 * i for i in range(28)]
    shares = [process_defect_share(c) for c in cpks]
    assert all(a > b for a, b in pairwise(shares))
    shifts = [0.25 * i for i in range(25)]
    shares = [process_defect_share(0.9, s) for s in shifts]
    assert all(a < b for a, b in pairwise(shares))


def _config(**values) -> Config:
    return Config().with_overrides(values)


def test_unit_defect_probability_combines_three_causes():
    config = Config().with_overrides(
        {
            "operations.design_defect_ppm": 5000.0,
            "operations.process_capability_cpk": 0.8,
            "operations.human_error_probability_untrained": 0.04,
            "workforce.skill": 0.25,
            "quality.drift_shift_sigma": 1.0,
        }
    )
    a = 5000.0 / 1e6
    b_in = 2.0 * stats.norm.sf(2.4)
    b_out = stats.norm.sf(2.4 - 1.0) + stats.norm.sf(2.4 + 1.0)
    c = 0.04 * (1.0 - 0.25)
    expected_in = 1.0 - (1.0 - a) * (1.0 - b_in) * (1.0 - c)
    expected_out = 1.0 - (1.0 - a) * (1.0 - b_out) * (1.0 - c)
    assert unit_defect_probability(config, out_of_control=False) == pytest.approx(expected_in)
    assert unit_defect_probability(config, out_of_control=True) == pytest.approx(expected_out)


def test_each_cause_alone():
    # each cause set to a hand-picked value, the others switched off
    no_human = {"operations.human_error_probability_untrained": 0.0}
    no_design = {"operations.design_defect_ppm": 0.0}
    design = {"operations.design_defect_ppm": 2000.0}
    process = {"operations.process_capability_cpk": 0.9}
    human = {"operations.human_error_probability_untrained": 0.02}
    # process capability 3.0: 2 Phi(-9), negligible
    no_process = {"operations.process_capability_cpk": 3.0}
    design_only = Config().with_overrides({**no_human, **no_process, **design})
    assert unit_defect_probability(design_only, False) == pytest.approx(2000e-6, rel=1e-9)
    process_only = Config().with_overrides({**no_human, **no_design, **process})
    assert unit_defect_probability(process_only, False) == pytest.approx(
        2.0 * stats.norm.sf(2.7), rel=1e-9
    )
    human_only = Config().with_overrides(
        {**no_design, **no_process, **human, "workforce.skill": 0.0}
    )
    assert unit_defect_probability(human_only, False) == pytest.approx(0.02, rel=1e-9)
    fully_skilled = Config().with_overrides({**no_design, **no_process, "workforce.skill": 1.0})
    assert unit_defect_probability(fully_skilled, False) == pytest.approx(0.0, abs=1e-15)


def test_unit_defect_probability_monotone_in_cpk_and_skill():
    by_cpk = [
        unit_defect_probability(_config(**{"operations.process_capability_cpk": c}), False)
        for c in (0.3, 0.5, 0.7, 0.9, 1.1, 1.5)
    ]
    assert all(a > b for a, b in pairwise(by_cpk))
    by_skill = [
        unit_defect_probability(_config(**{"workforce.skill": s}), False)
        for s in (0.0, 0.2, 0.5, 0.7, 0.9, 1.0)
    ]
    assert all(a > b for a, b in pairwise(by_skill))


def test_out_of_control_is_worse_unless_no_shift():
    config = Config()
    assert unit_defect_probability(config, True) > unit_defect_probability(config, False)
    no_shift = _config(**{"quality.drift_shift_sigma": 0.0})
    assert unit_defect_probability(no_shift, True) == unit_defect_probability(no_shift, False)


# -- defects in simulation -------------------------------------------------------------------


@pytest.mark.parametrize(
    "overrides",
    [
        {},
        {"operations.process_capability_cpk": 0.5},
        {"workforce.skill": 0.0, "operations.design_defect_ppm": 20_000.0},
        {
            "operations.process_capability_cpk": 1.5,
            "operations.human_error_probability_untrained": 0.0,
        },
    ],
    ids=["baseline", "low-cpk", "unskilled-bad-design", "capable"],
)
def test_simulated_defect_rate_matches_probability_without_drift(
    make_config, assert_binomial, overrides
):
    config = make_config(
        {"quality.drift_rate_per_month": 0.0, "simulation.horizon_months": 12, **overrides}
    )
    summary = simulate(config, seed=314).summary
    assert summary["drift_events"] == 0
    assert summary["out_of_control_days"] == 0.0
    assert summary["units_produced"] > 1000
    p = unit_defect_probability(config, out_of_control=False)
    assert_binomial(summary["defects_produced"], summary["units_produced"], p)


def test_out_of_control_process_makes_more_defects(make_config):
    # Drift within about a day and never detected: nearly all units are made out of control.
    config = make_config(
        {
            "quality.drift_rate_per_month": 30.0,
            "quality.monitoring_detection_probability": 0.0,
            "simulation.horizon_months": 6,
        }
    )
    summary = simulate(config, seed=5).summary
    assert summary["drift_events"] == 1
    assert summary["drift_detections"] == 0
    n, k = summary["units_produced"], summary["defects_produced"]
    p_in = unit_defect_probability(config, False)
    p_out = unit_defect_probability(config, True)
    assert k > stats.binom.ppf(0.999, n, p_in)
    assert k <= stats.binom.ppf(0.999, n, p_out)


# -- capacity and inventory policy -----------------------------------------------------------


def test_saturated_lines_produce_at_capacity():
    """With a work-order queue that never empties, each line is a renewal process of cycle
    times, so output over t days is about normal with mean t/mu and variance t sigma^2/mu^3
    per line (renewal CLT)."""
    lines, mean_minutes, cv, months = 2, 40.0, 0.3, 3
    config = Config().with_overrides(
        {
            "simulation.horizon_months": months,
            "market.initial_customers": 2000,  # 200 orders/day against 72 units/day capacity
            **LOYAL_FIXED_BASE,
            "market.purchase_cycle.mean": 10.0,
            "operations.production_lines": lines,
            "operations.cycle_time": {"kind": "gamma", "mean": mean_minutes, "cv": cv},
            "operations.reorder_point_units": 0,
            "operations.order_up_to_units": 1,
            "quality.inspection_coverage": 0.0,  # no rework competing for line time
        }
    )
    summary = simulate(config, seed=8).summary
    assert summary["work_orders_open_end"] > 1000  # the queue never ran dry
    t = months * DAYS_PER_MONTH
    mu = mean_minutes / MINUTES_PER_DAY
    expected = lines * t / mu
    sd = math.sqrt(lines * t * (cv * mu) ** 2 / mu**3)
    assert abs(summary["units_produced"] - expected) < 5.0 * sd + lines


def test_more_lines_more_output_when_saturated():
    def output(lines: int) -> float:
        config = Config().with_overrides(
            {
                "simulation.horizon_months": 2,
                "market.initial_customers": 2000,
                **LOYAL_FIXED_BASE,
                "market.purchase_cycle.mean": 10.0,
                "operations.production_lines": lines,
                "operations.reorder_point_units": 0,
                "operations.order_up_to_units": 1,
            }
        )
        return simulate(config, seed=4).summary["units_produced"]

    one, three = output(1), output(3)
    assert three == pytest.approx(3 * one, rel=0.05)


def test_make_to_order_releases_one_work_order_per_order(make_config):
    # s = -1, S = 0: every order becomes a backorder and releases one work order; a scrapped
    # unit leaves the pipeline and is replaced. With unlimited patience nothing is cancelled,
    # so no unit ever waits in stock.
    config = make_config(
        {
            "operations.reorder_point_units": -1,
            "operations.order_up_to_units": 0,
            "distribution.backorder_patience_days": 3650.0,
            "quality.inspection_coverage": 1.0,
        }
    )
    summary = simulate(config, seed=17).summary
    assert summary["orders_cancelled"] == 0
    assert summary["units_scrapped"] > 0
    assert summary["work_orders_released"] == summary["orders_placed"] + summary["units_scrapped"]
    assert summary["orders_filled_from_stock"] == 0
    assert summary["stock_on_hand_end"] == 0


def test_no_production_without_demand(make_config):
    config = make_config(NOBODY)
    summary = simulate(config, seed=1).summary
    assert summary["orders_placed"] == 0
    assert summary["work_orders_released"] == 0
    assert summary["units_produced"] == 0
    assert summary["stock_on_hand_end"] == config.operations.order_up_to_units


# -- process drift and SPC -------------------------------------------------------------------

INTERVAL_DAYS = 1.0
DRIFT_PER_MONTH = 1.0  # mean in-control time ~30 days, long against the 1-day SPC interval
LONG_MONTHS = 600


def _drift_run(detection: float, correction: float, seed: int = 2718):
    """600 months of a company with no customers (and none to come): only the drift/SPC
    machinery is active."""
    config = Config().with_overrides(
        {
            "simulation.horizon_months": LONG_MONTHS,
            **NOBODY,
            "quality.drift_rate_per_month": DRIFT_PER_MONTH,
            "quality.monitoring_interval_days": INTERVAL_DAYS,
            "quality.monitoring_detection_probability": detection,
            "quality.correction_time_days": correction,
        }
    )
    return simulate(config, seed=seed).summary


def _episode_moments(detection: float, correction: float) -> tuple[float, float]:
    """Mean and variance of one out-of-control episode (quality.py docstring): uniform
    phase of the drift within an interval plus a geometric number of further checks."""
    mean = INTERVAL_DAYS * (1.0 / detection - 0.5) + correction
    variance = INTERVAL_DAYS**2 * ((1.0 - detection) / detection**2 + 1.0 / 12.0)
    return mean, variance


DRIFT_CASES = [(1.0, 0.0), (1.0, 0.5), (0.5, 0.5), (0.2, 0.0), (0.2, 0.5)]


@pytest.fixture(scope="module")
def drift_runs():
    return {case: _drift_run(*case) for case in DRIFT_CASES}


@pytest.mark.parametrize("case", DRIFT_CASES, ids=lambda c: f"p{c[0]}-corr{c[1]}")
def test_mean_episode_length_matches_formula(drift_runs, case):
    summary = drift_runs[case]
    episodes = summary["drift_events"]
    assert episodes > 300
    expected, variance = _episode_moments(*case)
    observed = summary["out_of_control_days"] / episodes
    # CLT over episodes; the last episode may be cut by the horizon (at most one episode
    # plus one interval of bias spread over all episodes)
    tolerance = 5.0 * math.sqrt(variance / episodes) + (expected + INTERVAL_DAYS) / episodes
    assert abs(observed - expected) < tolerance


@pytest.mark.parametrize("case", DRIFT_CASES, ids=lambda c: f"p{c[0]}-corr{c[1]}")
def test_out_of_control_share_matches_renewal_reward(drift_runs, case):
    """Cycles of in-control time I ~ Exp(M) and episode R: share = E[R] / (M + E[R]), with
    asymptotic variance Var((1 - r) R - r I) / (E[C] t)."""
    summary = drift_runs[case]
    episode_mean, episode_var = _episode_moments(*case)
    in_control_mean = DAYS_PER_MONTH / DRIFT_PER_MONTH
    cycle = in_control_mean + episode_mean
    share = episode_mean / cycle
    horizon = LONG_MONTHS * DAYS_PER_MONTH
    variance = (1.0 - share) ** 2 * episode_var + share**2 * in_control_mean**2
    se = math.sqrt(variance / (cycle * horizon))
    assert summary["out_of_control_share"] == pytest.approx(
        summary["out_of_control_days"] / horizon
    )
    assert abs(summary["out_of_control_share"] - share) < 5.0 * se


def test_perfect_monitoring_detects_at_the_next_check(drift_runs):
    summary = drift_runs[(1.0, 0.0)]
    # every episode except possibly one open at the horizon is detected
    assert summary["drift_events"] - 1 <= summary["drift_detections"] <= summary["drift_events"]
    # and none can last longer than one interval
    assert summary["out_of_control_days"] <= summary["drift_events"] * INTERVAL_DAYS


def test_better_monitoring_means_less_time_out_of_control():
    """Over several seeds, mean out-of-control share falls as detection probability rises;
    the differences are compared with their standard errors across seeds."""
    seeds = range(6)
    shares = {}
    for detection in (0.1, 0.4, 1.0):
        values = [_short_drift_share(detection, seed) for seed in seeds]
        shares[detection] = values
    means = {p: sum(v) / len(v) for p, v in shares.items()}

    def se(values):
        m = sum(values) / len(values)
        return math.sqrt(sum((x - m) ** 2 for x in values) / (len(values) - 1) / len(values))

    for worse, better in ((0.1, 0.4), (0.4, 1.0)):
        gap = means[worse] - means[better]
        assert gap > 3.0 * math.hypot(se(shares[worse]), se(shares[better]))


def _short_drift_share(detection: float, seed: int) -> float:
    config = Config().with_overrides(
        {
            "simulation.horizon_months": 120,
            **NOBODY,
            "quality.drift_rate_per_month": 2.0,
            "quality.monitoring_interval_days": 2.0,
            "quality.monitoring_detection_probability": detection,
            "quality.correction_time_days": 0.0,
        }
    )
    return simulate(config, seed=seed).summary["out_of_control_share"]


def test_no_drift_no_time_out_of_control():
    config = Config().with_overrides(
        {
            "simulation.horizon_months": 12,
            **NOBODY,
            "quality.drift_rate_per_month": 0.0,
        }
    )
    summary = simulate(config, seed=3).summary
    assert summary["drift_events"] == 0
    assert summary["drift_detections"] == 0
    assert summary["out_of_control_share"] == 0.0
    assert summary["spc_checks"] > 0  # SPC checks still run (and cost) without drift


# -- equations on hand-worked cases ------------------------------------------------------------


def test_defect_probability_on_a_hand_worked_case():
    """1000 ppm design, Cpk 1 in control, 5% untrained human error at skill 0.5, line
    factor 0.5 (which scales the process and human causes, not the design):
    1 - 0.999 (1 - 0.5 * 2 Phi(-3)) (1 - 0.5 * 0.05 * 0.5)."""
    p_process = 2.0 * stats.norm.cdf(-3.0)
    expected = 1.0 - 0.999 * (1.0 - 0.5 * p_process) * (1.0 - 0.0125)
    assert defect_probability(1000.0, 1.0, 0.0, 0.05, 0.5, 0.5) == pytest.approx(expected)
    assert defect_probability(1000.0, 3.0, 0.0, 0.0, 0.5, 0.5) == pytest.approx(0.001)
    assert defect_probability(0.0, 3.0, 0.0, 0.05, 0.0, 0.2) == pytest.approx(0.01)
    shifted = stats.norm.cdf(-(3.0 - 1.5)) + stats.norm.cdf(-(3.0 + 1.5))
    assert defect_probability(0.0, 1.0, 1.5, 0.0, 1.0, 0.4) == pytest.approx(0.4 * shifted)


@pytest.mark.parametrize("spend", [0.0, 1000.0, 2500.0, 10_000.0])
def test_prevention_multiplier_is_0_2_plus_0_8_exp_minus_spend_over_2500(spend):
    config = _config()
    assert prevention_factor(config.quality, spend) == pytest.approx(
        0.2 + 0.8 * math.exp(-spend / 2500.0)
    )
    other = _config(
        **{
            "quality.prevention_max_reduction": 0.5,
            "quality.prevention_effect_scale": 1000.0,
        }
    )
    assert prevention_factor(other.quality, spend) == pytest.approx(
        0.5 + 0.5 * math.exp(-spend / 1000.0)
    )


def test_prevention_spend_lowers_simulated_defects_by_its_multiplier(make_config, assert_binomial):
    """Skill, capability and design fixed (no learning, turnover, involvement or drift), the
    prevention capability in place from the start (spent at that level before): every unit
    is defective with defect_probability(..., line factor = prevention)."""
    config = make_config(
        {
            "simulation.horizon_months": 12,
            "quality.prevention_spend_per_month": 2500.0,
            "quality.prevention_spend_before_per_month": 2500.0,
            "quality.drift_rate_per_month": 0.0,
            "operations.process_capability_cpk": 0.7,
            "workforce.learning_rate": 1.0,
            "workforce.turnover_rate_per_year": 0.0,
            "involvement.share_involved": 0.0,
        }
    )
    ops = config.operations
    factor = 0.2 + 0.8 * math.exp(-1.0)
    p = defect_probability(
        ops.design_defect_ppm,
        ops.process_capability_cpk,
        0.0,
        ops.human_error_probability_untrained,
        config.workforce.skill,
        factor,
    )
    summary = simulate(config, seed=77).summary
    assert summary["units_produced"] > 1000
    assert_binomial(summary["defects_produced"], summary["units_produced"], p)


def _inventory_positions(timeseries) -> list[float]:
    """Stock + work in process - backorders at every month end."""
    released = timeseries["work_orders_released"].cumsum()
    done = (timeseries["units_to_stock"] + timeseries["units_scrapped"]).cumsum()
    return list(timeseries["stock_on_hand"] + released - done - timeseries["backorders_open"])


@pytest.mark.parametrize(("s", "big_s"), [(149, 150), (60, 150), (0, 40)])
def test_s_big_s_policy_keeps_the_inventory_position_above_s_and_at_most_big_s(
    make_config, s, big_s
):
    """Reviewed at every order and scrap: a position at or below s is raised to S at once,
    so at any instant (after a review) s < position <= S; with s = S - 1 every order is
    replaced at once and the position is always S."""
    config = make_config(
        {
            "operations.reorder_point_units": s,
            "operations.order_up_to_units": big_s,
            "quality.inspection_coverage": 1.0,  # scrap too
        }
    )
    result = simulate(config, seed=8)
    positions = _inventory_positions(result.timeseries)
    assert result.summary["units_scrapped"] > 0
    assert all(s < position <= big_s for position in positions), positions
    if s == big_s - 1:
        assert positions == [big_s] * len(positions)


def test_the_month_end_defect_probability_combines_skill_and_improvement(make_config):
    """Learning, turnover and suggestions all on: at every month end the in-control defect
    probability is defect_probability(design, Cpk, 0, human error, mean skill, prevention x
    improvement factor) of that month's skill and improvement factor."""
    config = make_config(
        {
            "simulation.horizon_months": 12,
            "quality.prevention_spend_per_month": 1000.0,
            "workforce.turnover_rate_per_year": 0.5,
            "involvement.share_involved": 0.5,
        }
    )
    series = simulate(config, seed=19).timeseries
    capability = [month.prevention_capability for month in lever_schedule(config)]
    assert capability[0] < capability[-1] < 1000.0  # the stock builds toward the spend
    ops = config.operations
    assert series["improvement_factor"].iloc[-1] < 0.999  # suggestions did something
    for row in series.to_dict("records"):
        expected = defect_probability(
            ops.design_defect_ppm,
            ops.process_capability_cpk,
            0.0,
            ops.human_error_probability_untrained,
            row["average_skill"],
            prevention_factor(config.quality, capability[row["period"] - 1])
            * row["improvement_factor"],
        )
        assert row["defect_probability"] == pytest.approx(expected, rel=1e-12)


def _saturated(overrides: dict) -> Config:
    """Two lines with deterministic 40-minute cycles and a queue that never empties."""
    return Config().with_overrides(
        {
            "simulation.horizon_months": 2,
            "market.initial_customers": 2000,
            **LOYAL_FIXED_BASE,
            "market.purchase_cycle.mean": 10.0,
            "operations.production_lines": 2,
            "operations.cycle_time": {"kind": "deterministic", "mean": 40.0},
            "operations.reorder_point_units": 0,
            "operations.order_up_to_units": 1,
            **overrides,
        }
    )


def test_a_rework_takes_its_fraction_of_a_cycle_on_the_lines():
    """Every defective unit is caught and reworked once, successfully: the lines' busy time
    is c * (units made + f * reworks), i.e. the horizon on each line, less the job in
    progress and the first minutes before the first order (two cycles per line)."""
    fraction = 0.5
    config = _saturated(
        {
            "operations.process_capability_cpk": 0.5,
            "quality.inspection_coverage": 1.0,
            "quality.detection_probability": 1.0,
            "quality.false_reject_probability": 0.0,
            "quality.rework_share": 1.0,
            "quality.rework_success_probability": 1.0,
            "quality.rework_time_fraction": fraction,
        }
    )
    summary = simulate(config, seed=3).summary
    assert summary["units_reworked"] > 150
    cycle = 40.0 / MINUTES_PER_DAY
    busy = cycle * (summary["units_produced"] + fraction * summary["units_reworked"])
    available = 2 * 2 * DAYS_PER_MONTH
    assert available - 2 * 2 * cycle <= busy <= available


def test_lost_capacity_stretches_every_cycle():
    """Disruption 0.5 for the whole horizon (a free initiative): cycle times double, so the
    saturated lines make half as many units."""
    disruption = {
        "kind": "process_improvement",
        "name": "disruptive",
        "start_month": 0,
        "duration_months": 2,
        "effect_delay_months": 0,
        "one_off_cost": 0.0,
        "recurring_cost_per_month": 0.0,
        "disruption": 0.5,
        "cpk_gain": 0.0,
        "drift_rate_reduction": 0.0,
    }
    portfolio = {"name": "slow", "budget_per_year": None, "initiatives": [disruption]}
    config = _saturated({"portfolio": portfolio, "quality.inspection_coverage": 0.0})
    summary = simulate(config, seed=3).summary
    cycle = 40.0 / MINUTES_PER_DAY / (1.0 - 0.5)
    busy = cycle * summary["units_produced"]
    available = 2 * 2 * DAYS_PER_MONTH
    assert available - 2 * 2 * cycle <= busy <= available


# -- the month-0 defect chance and the operators' measurements, on their own ------------------


def test_the_unit_defect_probability_is_that_of_month_0():
    """A process improvement of Cpk +0.4 over two months from month 0, no delay: in month 0
    half of it is in force (ramp (0 + 1) / 2), so Cpk is 1.0 + 0.2 (month 1 would be 1.4)."""
    project = {
        "kind": "process_improvement",
        "name": "p",
        "start_month": 0,
        "duration_months": 2,
        "effect_delay_months": 0,
        "one_off_cost": 0.0,
        "cpk_gain": 0.4,
        "drift_rate_reduction": 0.0,
    }
    config = Config().with_overrides(
        {
            "operations.design_defect_ppm": 0.0,
            "operations.process_capability_cpk": 1.0,
            "operations.human_error_probability_untrained": 0.0,
            "quality.prevention_max_reduction": 0.0,
            "portfolio": {"name": "one", "budget_per_year": None, "initiatives": [project]},
        }
    )
    assert unit_defect_probability(config, False) == pytest.approx(2 * stats.norm.sf(3 * 1.2))


class _Process:
    """A process that stays in control, or out of control, all the time."""

    def __init__(self, out_of_control: bool) -> None:
        self.out_of_control = out_of_control


class _Operators:
    """Operators of fixed skill, no improvement and the starting capability."""

    improvement_factor = 1.0

    def __init__(self, skill: float) -> None:
        self.skill = skill

    def average_skill(self) -> float:
        return self.skill

    def capability_factor(self) -> float:
        return 1.0


@pytest.mark.parametrize("out_of_control", [False, True])
def test_operators_measure_the_drift_and_the_defect_chance_follows_each_new_setting(
    out_of_control,
):
    """Policy rule 4 (set at the last result), one measurement a day, the process in
    control, or out of control with shift 1.5 sigma: the result is setting (+ 1.5) + z_t,
    so after n days the setting is (1.5 n +) z_1 + ... + z_n (z_t the stream's standard
    normals, drawn again here), and the defect chances are those of a process offset by
    the setting (in control) and by setting + 1.5 (out of control) at once, not from the
    next month."""
    import simpy

    from sqm_sim.models.context import Context
    from sqm_sim.models.initiatives import levers
    from sqm_sim.models.ledger import Ledger
    from sqm_sim.models.operations import Production
    from sqm_sim.models.random_streams import RandomStreams
    from sqm_sim.models.tally import Tally

    shift, days = 1.5, 7
    config = Config().with_overrides(
        {
            "operations.adjustment_policy": "rule4",
            "operations.adjustment_interval_days": 1.0,
            "quality.drift_shift_sigma": shift,
        }
    )
    env = simpy.Environment()
    context = Context(env, config, RandomStreams(5), Tally(), Ledger(env, 12))
    month_0 = levers(config, 0)
    production = Production(context, month_0, _Process(out_of_control), _Operators(0.6))
    assert production.operator is not None
    env.run(until=days + 0.5)
    noise = RandomStreams(5).generator("process_measurement")
    drift = shift if out_of_control else 0.0
    setting = sum(drift + float(noise.standard_normal()) for _ in range(days))
    assert production.operator.setting == pytest.approx(setting, rel=1e-12)
    ops = config.operations
    factor = prevention_factor(config.quality, month_0.prevention_capability)
    for state, offset in ((False, setting), (True, setting + shift)):
        expected = defect_probability(
            month_0.design_defect_ppm,
            month_0.process_capability_cpk,
            offset,
            ops.human_error_probability_untrained,
            0.6,
            factor,
        )
        assert production.current_defect_probability(state) == pytest.approx(expected)


class _Goods:
    """Finished goods with no stock and no backorders (the policy releases S units)."""

    def stock_on_hand(self) -> int:
        return 0

    def backorders_open(self) -> int:
        return 0


@pytest.mark.parametrize("added_line", [False, True])
def test_lines_work_each_job_for_its_stretched_cycle_and_count_their_busy_time(added_line):
    """Two lines (or three: one added after the build), deterministic 40-minute cycles c,
    capacity loss 0.5 and line speed 0.8 (slowdown 1 / 0.5 / 0.8 = 2.5, so a unit takes
    d = 2.5 c and a rework, fraction 0.5, d / 2), every unit defective (design 10^6 ppm).
    The policy (s = 0, S = 3, nothing on hand) releases 3 work orders; 2 reworks are
    queued after them. Two lines: units at d, d, 2d, reworks at 1.5d, 2d; three lines:
    units at d, d, d, reworks at 1.5d, 1.5d. Busy time 3 d + 2 d / 2 = 4 d either way."""
    from dataclasses import replace

    import simpy

    from sqm_sim.models.context import Context
    from sqm_sim.models.initiatives import levers
    from sqm_sim.models.ledger import PRODUCTION_COST, Ledger
    from sqm_sim.models.operations import Production
    from sqm_sim.models.random_streams import RandomStreams
    from sqm_sim.models.tally import Tally

    config = Config().with_overrides(
        {
            "operations.production_lines": 2,
            "operations.cycle_time": {"kind": "deterministic", "mean": 40.0},
            "operations.reorder_point_units": 0,
            "operations.order_up_to_units": 3,
            "quality.rework_time_fraction": 0.5,
        }
    )
    env = simpy.Environment()
    context = Context(env, config, RandomStreams(5), Tally(), Ledger(env, 12))
    month_0 = replace(
        levers(config, 0), capacity_loss=0.5, line_speed_factor=0.8, design_defect_ppm=1e6
    )
    production = Production(context, month_0, _Process(False), _Operators(0.6))
    inspected: list[tuple[float, bool]] = []
    reworked: list[float] = []
    production.connect(
        _Goods(),
        lambda defective: inspected.append((env.now, defective)),
        lambda: reworked.append(env.now),
    )
    if added_line:
        production.add_line()
    assert production.lines == (3 if added_line else 2)
    production.review()
    production.request_rework()
    production.request_rework()
    env.run(until=10.0)
    d = 2.5 * 40.0 / MINUTES_PER_DAY
    units = [d, d, d] if added_line else [d, d, 2 * d]
    reworks = [1.5 * d, 1.5 * d] if added_line else [1.5 * d, 2 * d]
    assert [t for t, _ in inspected] == pytest.approx(units, rel=1e-12)
    assert all(defective for _, defective in inspected)
    assert reworked == pytest.approx(reworks, rel=1e-12)
    assert production.busy_days == pytest.approx(4 * d, rel=1e-12)
    tally = context.tally
    assert (tally.work_orders_released, tally.units_produced, tally.defects_produced) == (3, 3, 3)
    assert tally.rework_started == 2
    assert sum(context.ledger.entries[PRODUCTION_COST]) == pytest.approx(
        3 * config.finance.unit_cost
    )


def test_cycle_times_and_defect_draws_come_from_their_own_named_streams():
    """One line, gamma cycle times, six work orders, a defect chance p near 0.5 (design
    500,000 ppm): unit k finishes at the sum of the first k draws of the stream
    ``cycle_time`` (minutes -> days) and is defective exactly when the k-th draw of the
    stream ``unit_defect`` is below p. Named streams give other mechanisms' changes no
    hold on these numbers (common random numbers across scenarios)."""
    from dataclasses import replace

    import simpy

    from sqm_sim.models.context import Context
    from sqm_sim.models.initiatives import levers
    from sqm_sim.models.ledger import Ledger
    from sqm_sim.models.operations import Production
    from sqm_sim.models.random_streams import RandomStreams
    from sqm_sim.models.tally import Tally

    config = Config().with_overrides(
        {
            "operations.production_lines": 1,
            "operations.cycle_time": {"kind": "gamma", "mean": 40.0, "cv": 0.5},
            "operations.reorder_point_units": 0,
            "operations.order_up_to_units": 6,
        }
    )
    env = simpy.Environment()
    context = Context(env, config, RandomStreams(9), Tally(), Ledger(env, 12))
    month_0 = replace(levers(config, 0), design_defect_ppm=5e5)
    production = Production(context, month_0, _Process(False), _Operators(0.6))
    inspected: list[tuple[float, bool]] = []
    production.connect(
        _Goods(), lambda defective: inspected.append((env.now, defective)), lambda: None
    )
    production.review()
    env.run(until=10.0)
    streams = RandomStreams(9)
    cycle = streams.duration("cycle_time", config.operations.cycle_time, 1 / MINUTES_PER_DAY)
    draw = streams.uniform("unit_defect")
    p = production.current_defect_probability(False)
    assert 0.5 < p < 0.6
    finish, expected = 0.0, []
    for _ in range(6):
        finish += cycle()
        expected.append((finish, draw() < p))
    assert [t for t, _ in inspected] == pytest.approx([t for t, _ in expected], rel=1e-12)
    assert [d for _, d in inspected] == [d for _, d in expected]
    assert 0 < sum(d for _, d in expected) < 6


class _ImprovedOperators(_Operators):
    """Operators whose suggestions halve the fixable defects and whose improvement time
    built the capability to a factor 0.8."""

    improvement_factor = 0.5

    def capability_factor(self) -> float:
        return 0.8


@pytest.mark.parametrize("out_of_control", [False, True])
def test_improvement_and_capability_factors_multiply_the_fixable_defects(out_of_control):
    """No design defects, Cpk 1, no prevention capability (factor 1), skill 0.6,
    improvement factor 0.5 and capability factor 0.8: k = 0.5 x 0.8 = 0.4, so a unit
    is defective with p = 1 - (1 - 0.4 [Phi(-(3 - delta)) + Phi(-(3 + delta))])
    (1 - 0.4 h 0.4), h the untrained error chance, delta 0 in control and the drift
    shift out of control (in control 2 Phi(-3) = 0.0027)."""
    from dataclasses import replace

    import simpy

    from sqm_sim.models.context import Context
    from sqm_sim.models.initiatives import levers
    from sqm_sim.models.ledger import Ledger
    from sqm_sim.models.operations import Production
    from sqm_sim.models.random_streams import RandomStreams
    from sqm_sim.models.tally import Tally

    config = Config()
    env = simpy.Environment()
    context = Context(env, config, RandomStreams(3), Tally(), Ledger(env, 12))
    month_0 = replace(
        levers(config, 0),
        design_defect_ppm=0.0,
        process_capability_cpk=1.0,
        prevention_capability=0.0,
    )
    production = Production(context, month_0, _Process(False), _ImprovedOperators(0.6))
    delta = config.quality.drift_shift_sigma if out_of_control else 0.0
    outside = stats.norm.cdf(-(3.0 - delta)) + stats.norm.cdf(-(3.0 + delta))
    human = config.operations.human_error_probability_untrained
    expected = 1.0 - (1.0 - 0.4 * outside) * (1.0 - 0.4 * human * 0.4)
    assert production.current_defect_probability(out_of_control) == pytest.approx(
        expected, rel=1e-12
    )
