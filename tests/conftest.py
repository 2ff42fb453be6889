"""Shared fixtures: small, fast configurations of the model and a binomial check."""

from __future__ import annotations

import signal
from collections.abc import Callable, Mapping
from typing import Any

import pytest
from scipy import stats

from sqm_sim import Config, RunResult, simulate
from tests.app.browser import browser, server  # one Chromium and page server per session

# A scaled-down baseline company: ~7 orders/day against a capacity of ~72 units/day, so a
# run of a few months takes a few hundredths of a second.
SMALL_OVERRIDES: dict[str, Any] = {
    "simulation.horizon_months": 6,
    "market.initial_customers": 200,
    "market.prospects": 100,
    "environment.competitor_customers": 200,
    "operations.reorder_point_units": 60,
    "operations.order_up_to_units": 150,
    "distribution.shipping_capacity_per_day": 20,
}


def pytest_configure(config: pytest.Config) -> None:
    """Ctrl-C acts in the tests and the commands they start, however pytest was started:
    a shell starts a background job (``make test &``, ``nohup``) with SIGINT ignored,
    Python then installs no KeyboardInterrupt handler, children inherit the ignored
    signal, and the tests of Ctrl-C (tests/faults/test_signals.py,
    tests/experiments/test_interrupt_latency.py) would see no interrupt at all."""
    if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)


@pytest.fixture(scope="session")
def small_config() -> Config:
    """The baseline company, scaled down (see ``SMALL_OVERRIDES``)."""
    return Config().with_overrides(SMALL_OVERRIDES)


@pytest.fixture(scope="session")
def make_config(small_config: Config) -> Callable[[Mapping[str, Any]], Config]:
    """``make_config({...})``: the small config with further dotted-key overrides."""

    def make(overrides: Mapping[str, Any] | None = None) -> Config:
        return small_config.with_overrides(dict(overrides or {}))

    return make


@pytest.fixture(scope="session")
def small_run(small_config: Config) -> RunResult:
    """One replication of the small config (shared, read-only)."""
    return simulate(small_config, seed=12345)


def binomial_check(successes: float, trials: float, p: float, confidence: float = 0.999) -> None:
    """Assert that ``successes`` lies in the central ``confidence`` interval of
    Binomial(``trials``, ``p``) (exact quantiles, not a normal approximation)."""
    n, k = int(trials), int(successes)
    assert n == trials, "trials must be a whole number"
    assert k == successes, "successes must be a whole number"
    low, high = stats.binom.interval(confidence, n, p)
    assert low <= k <= high, (
        f"{k} successes in {n} trials is outside the {confidence:.1%} binomial interval "
        f"[{low:.0f}, {high:.0f}] for p = {p:.6g} (observed share {k / max(n, 1):.6g})"
    )


@pytest.fixture(scope="session")
def assert_binomial() -> Callable[..., None]:
    """``assert_binomial(k, n, p, confidence=0.999)``, see :func:`binomial_check`."""
    return binomial_check


__all__ = ["browser", "server"]
