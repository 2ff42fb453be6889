"""Named random streams: reproducibility, independence (CRN) and distribution moments."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from sqm_sim import Config, simulate
from sqm_sim.config import DurationDistribution
from sqm_sim.models.random_streams import (
    BLOCK_SIZE,
    BlockDraws,
    RandomStreams,
    duration_block,
    residual_block,
    stream_seed,
)

SAMPLE_SIZE = 200_000
Z = 5.0  # standard errors allowed for moment checks (two-sided p ~ 6e-7 each)

SPECS = [
    DurationDistribution(kind="deterministic", mean=3.0),
    DurationDistribution(kind="exponential", mean=2.5),
    DurationDistribution(kind="gamma", mean=30.0, cv=0.5),
    DurationDistribution(kind="gamma", mean=40.0, cv=0.3),
    DurationDistribution(kind="gamma", mean=1.0, cv=1.8),
    DurationDistribution(kind="lognormal", mean=3.0, cv=0.4),
    DurationDistribution(kind="lognormal", mean=10.0, cv=1.0),
]


def _spec_id(spec: DurationDistribution) -> str:
    return f"{spec.kind}-{spec.mean}-{spec.effective_cv}"


def _scipy_distribution(spec: DurationDistribution, scale: float = 1.0):
    """The frozen scipy distribution the spec describes (None if deterministic)."""
    mean, cv = spec.mean * scale, spec.effective_cv
    if spec.kind == "exponential":
        return stats.expon(scale=mean)
    if spec.kind == "gamma":
        shape = 1.0 / cv**2
        return stats.gamma(shape, scale=mean / shape)
    if spec.kind == "lognormal":
        sigma = math.sqrt(math.log1p(cv**2))
        return stats.lognorm(sigma, scale=mean / math.sqrt(1.0 + cv**2))
    return None


def _draw(block_sampler, seed: int, n: int = SAMPLE_SIZE) -> np.ndarray:
    return block_sampler(np.random.default_rng(seed), n)


# -- reproducibility and independence ------------------------------------------------------


def test_same_seed_and_name_give_same_sequence():
    a = RandomStreams(7).uniform("demand")
    b = RandomStreams(7).uniform("demand")
    assert [a() for _ in range(5000)] == [b() for _ in range(5000)]


def test_different_names_give_different_sequences():
    streams = RandomStreams(7)
    a, b = streams.uniform("demand"), streams.uniform("defects")
    assert [a() for _ in range(100)] != [b() for _ in range(100)]


def test_different_seeds_give_different_sequences():
    a, b = RandomStreams(7).uniform("demand"), RandomStreams(8).uniform("demand")
    assert [a() for _ in range(100)] != [b() for _ in range(100)]


def test_stream_seed_depends_on_seed_and_name():
    seeds = {
        tuple(stream_seed(seed, name).generate_state(4))
        for seed in range(5)
        for name in ("a", "b", "cycle_time", "inspection")
    }
    assert len(seeds) == 20


def test_stream_does_not_depend_on_other_streams():
    """Common random numbers: a stream's numbers depend only on (seed, name)."""
    alone = RandomStreams(99).uniform("inspection")
    reference = [alone() for _ in range(3000)]

    crowded = RandomStreams(99)
    others = [crowded.uniform(name) for name in ("demand", "rework", "drift", "spc_check")]
    for other in others:  # use the other streams heavily, before and in between
        for _ in range(5000):
            other()
    target = crowded.uniform("inspection")
    got = []
    for i in range(3000):
        got.append(target())
        others[i % len(others)]()
    assert got == reference


def test_generator_of_a_stream_is_fresh_each_time():
    streams = RandomStreams(3)
    first = streams.generator("x").random(10)
    streams.generator("y").random(1000)
    assert np.array_equal(streams.generator("x").random(10), first)


def test_block_draws_hand_out_numbers_in_drawn_order_across_refills():
    block = 7
    draws = BlockDraws(np.random.default_rng(2024), lambda rng, n: rng.random(n), block=block)
    got = [draws() for _ in range(5 * block + 3)]

    reference_rng = np.random.default_rng(2024)
    expected = np.concatenate([reference_rng.random(block) for _ in range(6)])[: len(got)]
    assert got == expected.tolist()
    assert all(isinstance(x, float) for x in got)


def test_block_draws_call_the_sampler_once_per_block():
    calls = []

    def sampler(rng, n):
        calls.append(n)
        return np.arange(len(calls) * 100, len(calls) * 100 + n, dtype=float)

    draws = BlockDraws(np.random.default_rng(0), sampler, block=4)
    got = [draws() for _ in range(10)]
    assert got == [100.0, 101.0, 102.0, 103.0, 200.0, 201.0, 202.0, 203.0, 300.0, 301.0]
    assert calls == [4, 4, 4]


@pytest.mark.parametrize("seed", [-1, 1.5, "3", None, True, np.float64(2.0)])
def test_random_streams_reject_bad_seeds(seed):
    with pytest.raises(ValueError, match="non-negative integer"):
        RandomStreams(seed)  # type: ignore[arg-type]


def test_simulate_rejects_bad_seed():
    config = Config().with_overrides({"simulation.horizon_months": 1})
    with pytest.raises(ValueError, match="non-negative integer"):
        simulate(config, seed=-5)


def test_seed_zero_and_large_seeds_are_fine():
    for seed in (0, 2**63 + 11):
        draws = RandomStreams(seed).uniform("x")
        assert 0.0 <= draws() < 1.0


# -- distributions ---------------------------------------------------------------------------


@pytest.mark.parametrize("scale", [1.0, 1.0 / 1440.0])
@pytest.mark.parametrize("spec", SPECS, ids=_spec_id)
def test_duration_block_has_configured_mean_and_cv(spec, scale):
    sample = _draw(duration_block(spec, scale), seed=11)
    assert np.all(sample > 0.0)
    mean = spec.mean * scale
    sd = spec.effective_cv * mean
    if spec.kind == "deterministic":
        assert np.all(sample == mean)
        return
    dist = _scipy_distribution(spec, scale)
    # the reference distribution itself has the configured moments
    assert dist.mean() == pytest.approx(mean, rel=1e-12)
    assert dist.std() == pytest.approx(sd, rel=1e-9)
    # sample mean: standard error sd / sqrt(n)
    se_mean = sd / math.sqrt(SAMPLE_SIZE)
    assert abs(sample.mean() - mean) < Z * se_mean
    # sample variance: standard error sqrt((mu4 - sd^4) / n), mu4 from the excess kurtosis
    excess_kurtosis = float(dist.stats(moments="k"))
    mu4 = sd**4 * (excess_kurtosis + 3.0)
    se_var = math.sqrt((mu4 - sd**4) / SAMPLE_SIZE)
    assert abs(sample.var(ddof=1) - sd**2) < Z * se_var


@pytest.mark.parametrize("spec", SPECS, ids=_spec_id)
def test_duration_block_follows_the_distribution(spec):
    if spec.kind == "deterministic":
        return
    sample = _draw(duration_block(spec), seed=12, n=20_000)
    result = stats.kstest(sample, _scipy_distribution(spec).cdf)
    assert result.pvalue > 1e-4


@pytest.mark.parametrize("spec", SPECS, ids=_spec_id)
def test_residual_block_mean_is_equilibrium_residual(spec):
    """Renewal theory: the equilibrium residual life has mean E[X^2] / (2 E[X])."""
    sample = _draw(residual_block(spec), seed=13)
    assert np.all(sample >= 0.0)
    mean, cv = spec.mean, spec.effective_cv
    expected = mean * (1.0 + cv**2) / 2.0
    # E[R^2] = E[X^3] / (3 E[X]) gives the standard deviation of the residual
    if spec.kind == "deterministic":
        third_moment = mean**3
    else:
        third_moment = float(_scipy_distribution(spec).moment(3))
    variance = third_moment / (3.0 * mean) - expected**2
    se = math.sqrt(variance / SAMPLE_SIZE)
    assert abs(sample.mean() - expected) < Z * se


@pytest.mark.parametrize(
    "spec", [s for s in SPECS if s.kind in ("gamma", "lognormal")], ids=_spec_id
)
def test_residual_block_follows_the_equilibrium_distribution(spec):
    """Renewal theory: the equilibrium residual has CDF (1/m) * int_0^x S(t) dt, which is
    x S(x) / m + F_b(x) with F_b the CDF of the length-biased gap (integrate by parts:
    int_0^x t f(t) dt = m F_b(x)). The mean alone cannot tell a gamma residual from a
    lognormal one with the same mean and cv; the whole distribution can."""
    gap = _scipy_distribution(spec)
    mean, cv = spec.mean, spec.effective_cv
    if spec.kind == "gamma":
        shape = 1.0 / cv**2
        biased = stats.gamma(shape + 1.0, scale=mean / shape)
    else:
        sigma = math.sqrt(math.log1p(cv**2))
        biased = stats.lognorm(sigma, scale=math.exp(math.log(mean) + sigma**2 / 2.0))

    def cdf(x):
        return x * gap.sf(x) / mean + biased.cdf(x)

    sample = _draw(residual_block(spec), seed=14)
    assert stats.kstest(sample, cdf).pvalue > 1e-4


def test_deterministic_residual_is_uniform_over_the_gap():
    sample = _draw(residual_block(DurationDistribution(kind="deterministic", mean=4.0)), 5)
    assert sample.max() <= 4.0
    result = stats.kstest(sample[:20_000], stats.uniform(0.0, 4.0).cdf)
    assert result.pvalue > 1e-4


def test_exponential_residual_is_exponential():
    spec = DurationDistribution(kind="exponential", mean=2.0)
    sample = _draw(residual_block(spec), 6, n=20_000)
    assert stats.kstest(sample, stats.expon(scale=2.0).cdf).pvalue > 1e-4


def test_stream_methods_use_the_block_samplers():
    spec = DurationDistribution(kind="gamma", mean=30.0, cv=0.5)
    streams = RandomStreams(21)
    durations = streams.duration("d", spec, scale=2.0)
    got = np.array([durations() for _ in range(10)])
    expected = duration_block(spec, 2.0)(streams.generator("d"), BLOCK_SIZE)[:10]
    assert np.array_equal(got, expected)
    residuals = streams.residual_duration("r", spec)
    got = np.array([residuals() for _ in range(10)])
    expected = residual_block(spec)(streams.generator("r"), BLOCK_SIZE)[:10]
    assert np.array_equal(got, expected)


def test_every_mechanism_of_the_model_has_its_own_stream(monkeypatch):
    """CRN needs one stream per mechanism: no name requested twice in a run, and no two
    names mapped to the same stream seed (names are keyed by CRC-32)."""
    requested: list[str] = []
    original = RandomStreams.generator

    def recording(self, name):
        requested.append(name)
        return original(self, name)

    monkeypatch.setattr(RandomStreams, "generator", recording)
    # every mechanism on: production, inspection, SPC, transit, customers, complaints,
    # acquisition, competitor churn and random technology shocks
    config = Config().with_overrides(
        {
            "simulation.horizon_months": 2,
            "market.initial_customers": 100,
            "environment.technology_shock_rate_per_year": 2.0,
        }
    )
    simulate(config, seed=1)
    assert len(requested) >= 15
    assert len(requested) == len(set(requested)), sorted(requested)
    keys = {tuple(stream_seed(1, name).spawn_key) for name in requested}
    assert len(keys) == len(requested)
