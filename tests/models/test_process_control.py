"""Deming's funnel and Shewhart's chart against their known results (pure functions of
sqm_sim.models.process_control, fixed seeds, tolerances derived below)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from sqm_sim.models.process_control import (
    Adjuster,
    false_alarm_probability,
    run_adjustment_policy,
    shewhart_signals,
)

N = 200_000
"""Points of one long run (seconds of pure Python per policy)."""


def noise(seed: int, size: int = N) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(size)


def test_rule1_keeps_and_rule2_doubles_the_variance_of_a_stable_process():
    """Rule 1: x_t = e_t, iid, so s^2 has sd sigma^2 sqrt(2 / n). Rule 2: x_t = e_t - e_{t-1},
    an MA(1) with gamma_0 = 2, gamma_1 = -1 (sigma = 1); for a Gaussian series
    Var(s^2) ~ (2 / n) sum_k gamma_k^2 = (2 / n)(4 + 2) = 12 / n. Both ratios must lie
    within 4 sd of 1 and 2 (a chance of about 6e-5 each to fail by accident)."""
    e = noise(1)
    one = run_adjustment_policy("rule1", e).var()
    two = run_adjustment_policy("rule2", e).var()
    assert abs(one - 1.0) < 4 * math.sqrt(2 / N)
    assert abs(two - 2.0) < 4 * math.sqrt(12 / N)
    # rule 2's lag-1 autocorrelation is -1/2 (sd about 1 / sqrt(n) for this estimate)
    x = run_adjustment_policy("rule2", e)
    lag1 = np.corrcoef(x[:-1], x[1:])[0, 1]
    assert abs(lag1 + 0.5) < 4 * math.sqrt(1.5 / N) + 4 / math.sqrt(N)


@pytest.mark.parametrize("rule", ["rule3", "rule4"])
def test_rules_3_and_4_diverge_with_variance_t_sigma_squared(rule):
    """x_t - T is a (signed) sum of t independent errors: Var(x_t) = t sigma^2. Over R
    independent runs, (R - 1) s_t^2 / t ~ chi-square(R - 1): s_t^2 / t must lie in its
    central 99.9 % interval at t = 100 and t = 400 (and so grow fourfold)."""
    runs, steps = 2_000, 400
    rng = np.random.default_rng(7)
    paths = np.array([run_adjustment_policy(rule, rng.standard_normal(steps)) for _ in range(runs)])
    low, high = stats.chi2.interval(0.999, runs - 1)
    for t in (100, 400):
        ratio = paths[:, t - 1].var(ddof=1) / t
        assert low / (runs - 1) < ratio < high / (runs - 1), (rule, t, ratio)


def test_shewhart_adjustment_leaves_a_stable_process_nearly_alone():
    """Adjusting only on a 3-sigma signal, by the mean deviation since the last adjustment:
    each false alarm leaves an offset of variance 1 / m (m points since the last one,
    geometric with p = 0.0027), E[1 / m] = -p ln p / (1 - p) = 0.016; so the variance
    ratio lies between 1 and about 1 + 0.016, give or take 4 sd of s^2 (4 sqrt(2 / n))."""
    p = false_alarm_probability(3.0)
    extra = -p * math.log(p) / (1 - p)
    sd = math.sqrt(2 / N)
    for seed in (1, 2):
        ratio = run_adjustment_policy("shewhart", noise(seed)).var()
        assert 1.0 - 4 * sd < ratio < 1.0 + extra + 4 * sd, ratio


def test_shewhart_adjustment_removes_a_real_shift_and_rule1_does_not():
    """A step of +2 sigma at t = 500: rule 1 keeps it (mean 2 afterwards); the Shewhart
    policy brings the mean back near the target within a few signals."""
    e = noise(5, 5_000)
    shift = np.where(np.arange(5_000) >= 500, 2.0, 0.0)
    left = run_adjustment_policy("rule1", e, shift=shift)
    charted = run_adjustment_policy("shewhart", e, shift=shift)
    assert left[1_000:].mean() == pytest.approx(2.0, abs=4 / math.sqrt(4_000))
    assert abs(charted[1_000:].mean()) < 0.2


def test_false_alarms_come_at_the_rate_the_limits_imply(assert_binomial):
    """A stable process on a 3-sigma chart: signals ~ Binomial(n, 2 Phi(-3) = 0.0027)."""
    p = false_alarm_probability(3.0)
    assert p == pytest.approx(0.0026998, rel=1e-4)
    assert false_alarm_probability(2.0) == pytest.approx(0.0455003, rel=1e-5)
    x = noise(11, 1_000_000)
    signals = int(shewhart_signals(x, 0.0, 1.0).sum())
    assert_binomial(signals, 1_000_000, p)


def test_signals_are_points_strictly_outside_target_plus_minus_k_sigma():
    """Target 10, sigma 2, k = 1.5: the limits are 10 +- 3, i.e. 7 and 13; a point on a
    limit does not signal. Any k > 0 is allowed: k = 0.5 gives 2 Phi(-0.5) = erfc(0.5/sqrt 2)."""
    results = np.array([10.0, 13.0, 13.5, 7.0, 6.5, 12.9])
    signals = shewhart_signals(results, target=10.0, sigma=2.0, limit_sigma=1.5)
    assert signals.tolist() == [False, False, True, False, True, False]
    assert shewhart_signals([1, 5], target=1, sigma=1).tolist() == [False, True]
    assert false_alarm_probability(0.5) == pytest.approx(2 * stats.norm.cdf(-0.5), rel=1e-12)


@pytest.mark.parametrize(
    ("policy", "expected"),
    [
        # x_t = z_t + e_t, z_0 = 1.5, T = 1, e = 0.2, -0.4, 1.2, 0.1
        ("rule1", [1.7, 1.1, 2.7, 1.6]),  # z stays 1.5
        ("rule2", [1.7, 0.4, 2.6, -0.1]),  # z -= x - T: 0.8, 1.4, -0.2
        ("rule3", [1.7, -0.1, 3.3, -1.2]),  # z = T - (x - T): 0.3, 2.1, -1.3
        ("rule4", [1.7, 1.3, 2.5, 2.6]),  # z = x: 1.7, 1.3, 2.5
        # limits 1 +- 3 * 0.5: only 2.7 (deviation 1.7) signals; z -= (0.7 + 0.1 + 1.7) / 3
        ("shewhart", [1.7, 1.1, 2.7, 1.6 - 2.5 / 3]),
    ],
)
def test_each_policy_moves_the_setting_by_its_update_rule_on_a_hand_worked_run(policy, expected):
    results = run_adjustment_policy(
        policy, np.array([0.2, -0.4, 1.2, 0.1]), target=1.0, start=1.5, sigma=0.5
    )
    assert results == pytest.approx(expected, abs=1e-12)


def test_the_shewhart_policy_adjusts_only_outside_the_limits_it_is_given():
    """The same run with limits at 4 sigma (1 +- 2): 2.7 is inside, nothing moves."""
    noise = np.array([0.2, -0.4, 1.2, 0.1])
    left = run_adjustment_policy("shewhart", noise, 1.0, 1.5, sigma=0.5, limit_sigma=4.0)
    assert left == pytest.approx([1.7, 1.1, 2.7, 1.6], abs=1e-12)
    operator = Adjuster("shewhart", target=1.0, setting=1.5, limit=1.5)
    for result in (1.7, 1.1, 2.7, 1.6 - 2.5 / 3):
        operator.observe(result)
    assert operator.adjustments == 1
    assert operator.setting == pytest.approx(1.5 - 2.5 / 3)


def test_whole_number_noise_and_shift_give_results_off_the_whole_numbers():
    """Noise and shift given as integers are still numbers of process sigmas: the setting
    0.5 is added, not truncated away."""
    assert run_adjustment_policy("rule1", [0, 1, -1], start=0.5).tolist() == [0.5, 1.5, -0.5]
    results = run_adjustment_policy("rule1", [0, 1, -1], start=0.5, shift=[0, 0, 2])
    assert results.tolist() == [0.5, 1.5, 1.5]


def test_the_shewhart_operator_averages_the_deviations_since_its_last_adjustment():
    """Target 0, limits +-3 (the default): 1.0 then 3.5 signals, the setting moves by
    -(1.0 + 3.5) / 2 = -2.25; a deviation of exactly 3 does not signal; then 0.5 and -4.0
    signal again and the setting moves by -(0.5 - 4.0) / 2 (only the points since the
    last adjustment count)."""
    operator = Adjuster("shewhart")
    assert [operator.observe(x) for x in (1.0, 3.5)] == [0.0, -2.25]
    assert operator.observe(3.0) == -2.25  # a result on the limit
    operator = Adjuster("shewhart")
    for x in (1.0, 3.5, 0.5):
        operator.observe(x)
    assert operator.observe(-4.0) == pytest.approx(-2.25 + 1.75)
    assert operator.adjustments == 2


def test_bad_inputs_are_refused():
    with pytest.raises(ValueError, match="policy = 'rule5': allowed rule1, rule2, rule3"):
        run_adjustment_policy("rule5", noise(1, 10))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="limit_sigma"):
        false_alarm_probability(0.0)
    with pytest.raises(ValueError, match="sigma"):
        shewhart_signals(np.zeros(3), 0.0, 0.0)


# -- the opt-in policy in production -----------------------------------------------------------


def test_tampering_in_production_raises_defects_and_the_chart_does_not(make_config):
    """Cpk 1, no drift, one measured unit a day. Rule 2 leaves the setting at minus the
    last unit's noise, mu ~ N(0, 1), so the process share is E[Phi(-3 - mu) + Phi(-3 + mu)]
    = 2 Phi(-3 / sqrt 2) = 0.034 instead of 2 Phi(-3) = 0.0027; with design and human
    defects about 0.036 against 0.005. The Shewhart policy moves the setting about twice a
    year and leaves the rate near that of no adjustment. Tolerances: the rate averages
    about 365 daily settings and some 4,000 units (sd below 0.006), so +-0.02 is > 3 sd."""
    from sqm_sim.models.operations import process_defect_share

    base = {
        "simulation.horizon_months": 12,
        "operations.process_capability_cpk": 1.0,
        "quality.drift_rate_per_month": 0.0,
    }
    rates = {}
    for policy in ("none", "rule2", "shewhart"):
        config = make_config({**base, "operations.adjustment_policy": policy})
        rates[policy] = simulate_rate(config)
    tampered_share = 2 * stats.norm.cdf(-3 / math.sqrt(2))
    assert tampered_share == pytest.approx(0.0339, abs=1e-4)
    extra = tampered_share - process_defect_share(1.0)
    assert rates["rule2"] - rates["none"] == pytest.approx(extra, abs=0.02)
    assert abs(rates["shewhart"] - rates["none"]) < 0.005


def simulate_rate(config) -> float:
    from sqm_sim import simulate

    summary = simulate(config, seed=21).summary
    return summary["defects_produced"] / summary["units_produced"]


def test_without_a_policy_production_draws_no_measurements(make_config):
    from sqm_sim import simulate

    plain = simulate(make_config({}), seed=3)
    left_alone = simulate(make_config({"operations.adjustment_policy": "rule1"}), seed=3)
    # rule 1 measures but never moves: the same run, bit for bit
    assert plain.summary == left_alone.summary
