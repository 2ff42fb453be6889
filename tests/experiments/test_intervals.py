"""t intervals: coverage on data with a known mean, and agreement with scipy's tests."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from sqm_sim.experiments.intervals import paired_interval, t_interval, welch_interval


@pytest.mark.slow  # a coverage test over 4,000 samples, 3-5 s each
@pytest.mark.parametrize(("n", "confidence"), [(5, 0.95), (12, 0.90)])
def test_t_interval_covers_the_true_mean_at_its_level(n, confidence):
    """Over many samples from a normal distribution with a known mean, the t interval
    covers the mean in a share of the samples inside the 99.9 % binomial band around the
    nominal level (exact for normal data)."""
    rng = np.random.default_rng(20240601 + n)
    trials, true_mean = 4000, 3.0
    samples = rng.normal(true_mean, 2.0, size=(trials, n))
    covered = 0
    for sample in samples:
        interval = t_interval(sample, confidence)
        covered += interval.low <= true_mean <= interval.high
    low, high = stats.binom.interval(0.999, trials, confidence)
    assert low <= covered <= high


def test_t_interval_matches_the_textbook_formula():
    values = [2.0, 4.0, 4.0, 5.0, 7.0]
    interval = t_interval(values, 0.95)
    sd = np.std(values, ddof=1)
    half = stats.t.ppf(0.975, 4) * sd / math.sqrt(5)
    assert interval.mean == pytest.approx(4.4)
    assert interval.sd == pytest.approx(sd)
    assert interval.half_width == pytest.approx(half)
    assert (interval.low, interval.high) == pytest.approx((4.4 - half, 4.4 + half))
    assert interval.relative_half_width == pytest.approx(half / 4.4)


def test_nan_values_are_left_out_and_small_samples_have_no_width():
    interval = t_interval([1.0, float("nan"), 3.0], 0.95)
    assert interval.n == 2
    assert interval.mean == 2.0
    single = t_interval([5.0], 0.95)
    assert single.n == 1
    assert math.isnan(single.half_width)
    assert t_interval([], 0.95).n == 0


def test_paired_interval_is_the_t_interval_of_the_differences():
    a, b = [10.0, 12.0, 9.0, 14.0], [9.0, 11.5, 8.0, 12.0]
    paired = paired_interval(a, b, 0.95)
    direct = t_interval(np.subtract(a, b), 0.95)
    assert paired == direct
    assert paired.excludes_zero


def test_welch_interval_matches_scipy():
    rng = np.random.default_rng(7)
    a, b = rng.normal(0, 1, 9), rng.normal(0.5, 3, 14)
    ours = welch_interval(a, b, 0.90)
    theirs = stats.ttest_ind(a, b, equal_var=False).confidence_interval(0.90)
    assert (ours.low, ours.high) == pytest.approx((theirs.low, theirs.high))


def test_confidence_outside_zero_one_is_refused():
    with pytest.raises(ValueError, match="between 0 and 1"):
        t_interval([1.0, 2.0], 1.5)
