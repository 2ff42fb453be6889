"""Analytic cross-checks: with Poisson demand, exponential cycle times and make-to-order,
production is an M/M/c queue whose waiting time is known in closed form.

Demand: N customers each ordering on an exponential renewal process (a Poisson process)
with mean gap G days, all staying forever, so orders form a Poisson process of rate
lambda = N / G per day. Make-to-order ((s, S) = (-1, 0)): every order releases one work
order, served first come first served by c lines with exponential cycle times of mean
1/mu days. The order's fulfilment wait is then its M/M/c sojourn time.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

import sqm_sim
from sqm_sim.models.units import DAYS_PER_MONTH, MINUTES_PER_DAY

from .support import FREE_FULL_WALLET, NO_ACQUISITION, fixed_loyalty

pytestmark = pytest.mark.slow  # replications and intervals: the slow tier

REPLICATIONS = 30
HORIZON_MONTHS = 120
CONFIDENCE = 0.99


def queue_config(lines: int, arrival_rate: float, service_rate: float) -> sqm_sim.Config:
    customers = 50
    return sqm_sim.Config().with_overrides(
        {
            "simulation.horizon_months": HORIZON_MONTHS,
            "market.initial_customers": customers,
            "market.prospects": 0,
            **NO_ACQUISITION,
            **FREE_FULL_WALLET,  # one order per purchase cycle: a Poisson stream of orders
            **fixed_loyalty(1.0),
            "market.purchase_cycle": {"kind": "exponential", "mean": customers / arrival_rate},
            "operations.production_lines": lines,
            "operations.cycle_time": {
                "kind": "exponential",
                "mean": MINUTES_PER_DAY / service_rate,
            },
            "operations.reorder_point_units": -1,
            "operations.order_up_to_units": 0,
            "operations.process_capability_cpk": 3.0,
            "operations.design_defect_ppm": 0.0,
            "operations.human_error_probability_untrained": 0.0,
            "quality.inspection_coverage": 0.0,
            "quality.drift_rate_per_month": 0.0,
            "distribution.backorder_patience_days": 3650.0,
            "distribution.shipping_capacity_per_day": 1000,
        }
    )


def erlang_c_sojourn(lines: int, arrival_rate: float, service_rate: float) -> float:
    """Mean time in system of an M/M/c queue (Erlang C waiting + service)."""
    offered = arrival_rate / service_rate
    rho = offered / lines
    terms = sum(offered**k / math.factorial(k) for k in range(lines))
    tail = offered**lines / (math.factorial(lines) * (1.0 - rho))
    wait_probability = tail / (terms + tail)
    return wait_probability / (lines * service_rate - arrival_rate) + 1.0 / service_rate


def t_interval(values: np.ndarray) -> tuple[float, float]:
    """Two-sided t confidence interval for the mean of independent replications."""
    half = stats.t.ppf(0.5 + CONFIDENCE / 2, len(values) - 1) * stats.sem(values)
    return values.mean() - half, values.mean() + half


@pytest.mark.parametrize(
    ("lines", "arrival_rate", "service_rate"),
    [(1, 0.5, 1.0), (2, 1.5, 1.0)],
    ids=["M/M/1 rho=0.5", "M/M/2 rho=0.75"],
)
def test_fulfilment_wait_matches_erlang_formula(lines, arrival_rate, service_rate):
    config = queue_config(lines, arrival_rate, service_rate)
    results = [sqm_sim.simulate(config, seed) for seed in range(REPLICATIONS)]
    waits = np.array([r.summary["mean_fulfilment_wait_days"] for r in results])
    low, high = t_interval(waits)
    expected = erlang_c_sojourn(lines, arrival_rate, service_rate)
    assert low <= expected <= high, f"W = {expected:.3f} outside [{low:.3f}, {high:.3f}]"
    # every order had to be made: nothing is ever filled from stock, nothing cancelled
    assert all(r.summary["fill_rate"] == 0.0 for r in results)
    assert all(r.summary["orders_cancelled"] == 0.0 for r in results)


def test_orders_form_a_poisson_process():
    arrival_rate, months, replications = 0.5, 24, 100
    config = queue_config(1, arrival_rate, 1.0).with_overrides(
        {"simulation.horizon_months": months}
    )
    horizon_days = months * DAYS_PER_MONTH
    counts = np.array(
        [sqm_sim.simulate(config, seed).summary["orders_placed"] for seed in range(replications)]
    )
    expected = arrival_rate * horizon_days
    # sum of independent Poisson counts is Poisson: exact two-sided 99% interval
    low, high = stats.poisson.interval(CONFIDENCE, expected * len(counts))
    assert low <= counts.sum() <= high
    # Poisson dispersion: variance equals the mean (chi-square index of dispersion test)
    dispersion = ((counts - counts.mean()) ** 2).sum() / counts.mean()
    assert stats.chi2.sf(dispersion, len(counts) - 1) > 1.0 - CONFIDENCE


def test_littles_law_at_month_ends():
    """L = lambda W: the number of orders in production, sampled at month ends (times
    independent of the queue), averages to lambda times the mean sojourn time."""
    arrival_rate, service_rate = 0.5, 1.0
    config = queue_config(1, arrival_rate, service_rate)
    results = [sqm_sim.simulate(config, seed) for seed in range(REPLICATIONS)]
    in_system = np.array([r.timeseries["work_orders_open"].mean() for r in results])
    low, high = t_interval(in_system)
    rho = arrival_rate / service_rate
    assert low <= rho / (1.0 - rho) <= high  # M/M/1: L = rho / (1 - rho)
    waits = np.array([r.summary["mean_fulfilment_wait_days"] for r in results])
    orders = np.array([r.summary["orders_placed"] for r in results])
    measured_rate = orders / (HORIZON_MONTHS * DAYS_PER_MONTH)
    little = measured_rate * waits
    assert abs(little.mean() - in_system.mean()) <= (
        stats.t.ppf(0.5 + CONFIDENCE / 2, REPLICATIONS - 1) * stats.sem(little - in_system)
    )
