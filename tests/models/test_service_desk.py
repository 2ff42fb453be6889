"""The service desk: handling time, resolution, the fast-resolution rule and the
satisfaction each outcome leaves, on a reduced company where every order is cancelled.

Every customer is won by acquisition and orders at once, at a whole day t. There is no
supply, so the order is cancelled at the end of day t + patience + 1, an experience of 0
that makes every customer complain (complaint probability 1). Agents are plentiful, so a
complaint is handled at once for a deterministic time H and closed at t + patience + 1 + H;
the outcome sets the customer's satisfaction, and with no loyalty the customer leaves.
"""

from __future__ import annotations

from typing import Any

import pytest

from sqm_sim import Config, simulate
from tests.support import NO_ACQUISITION, fixed_loyalty

PATIENCE, HANDLING = 3.0, 2.0
FAST, SLOW, FAILED = 0.95, 0.6, 0.05
EVERYONE_COMPLAINS: dict[str, Any] = {
    "simulation.horizon_months": 2,
    "market.initial_customers": 0,
    "market.prospects": 400,
    **NO_ACQUISITION,
    "acquisition.marketing_rate_per_year": 3.0,
    **fixed_loyalty(0.0),
    "market.purchase_cycle": {"kind": "deterministic", "mean": 30.0},
    "operations.reorder_point_units": -1,
    "operations.order_up_to_units": 0,
    "operations.cycle_time": {"kind": "deterministic", "mean": 5e6},
    "distribution.backorder_patience_days": PATIENCE,
    "service.complaint_probability": 1.0,
    "service.desk_staff": 1000,
    "service.handling_time": {"kind": "deterministic", "mean": HANDLING},
    "service.satisfaction_after_fast_recovery": FAST,
    "service.satisfaction_after_slow_recovery": SLOW,
    "service.satisfaction_after_failed_recovery": FAILED,
}


def _run(overrides: dict[str, Any], seed: int = 6):
    return simulate(Config().with_overrides({**EVERYONE_COMPLAINS, **overrides}), seed)


@pytest.mark.parametrize(
    ("recovery", "fast_days", "level"),
    [(1.0, HANDLING, FAST), (1.0, HANDLING - 1e-6, SLOW), (0.0, HANDLING, FAILED)],
    ids=["resolved-exactly-in-time", "resolved-a-hair-late", "not-resolved"],
)
def test_each_outcome_sets_its_satisfaction_level(recovery, fast_days, level):
    result = _run({"service.recovery_quality": recovery, "service.fast_resolution_days": fast_days})
    summary, lost = result.summary, result.customers.dropna(subset=["lost_day"])
    closed = summary["complaints_closed"]
    assert closed > 50
    assert len(lost) == closed
    assert summary["complaint_days_total"] == closed * HANDLING
    assert (lost["lost_day"] - lost["joined_day"] == PATIENCE + 1.0 + HANDLING).all()
    assert (lost["satisfaction_end"] == level).all()
    assert summary["complaints_resolved"] == (closed if recovery else 0)
    assert summary["complaints_resolved_fast"] == (closed if level == FAST else 0)


def test_resolution_is_a_binomial_share_of_closed_complaints(assert_binomial):
    summary = _run({"service.recovery_quality": 0.6, "market.prospects": 3000}).summary
    assert summary["complaints_closed"] > 500
    assert_binomial(summary["complaints_resolved"], summary["complaints_closed"], 0.6)
    assert summary["complaints_resolved_fast"] == summary["complaints_resolved"]


def test_complaints_are_a_binomial_share_of_disappointments(assert_binomial):
    summary = _run({"service.complaint_probability": 0.3, "market.prospects": 3000}).summary
    assert_binomial(summary["complaints_filed"], summary["orders_cancelled"], 0.3)


def test_without_staff_a_complaint_closes_at_once_unresolved():
    result = _run({"service.desk_staff": 0, "service.recovery_quality": 1.0})
    summary, lost = result.summary, result.customers.dropna(subset=["lost_day"])
    assert summary["complaints_closed"] == summary["complaints_filed"] == len(lost) > 50
    assert summary["complaints_resolved"] == 0
    assert (lost["lost_day"] - lost["joined_day"] == PATIENCE + 1.0).all()
    assert (lost["satisfaction_end"] == FAILED).all()


def test_one_agent_makes_complaints_queue():
    """One agent and complaints arriving in batches at whole days: a complaint waits for
    those ahead of it, so the mean time to close exceeds the handling time."""
    summary = _run({"service.desk_staff": 1}).summary
    closed = summary["complaints_closed"]
    assert closed > 10
    assert summary["complaint_days_total"] > closed * HANDLING


def test_the_handling_time_factor_scales_each_complaints_handling():
    """A free customer-service upgrade with handling-time factor 0.5, complete from the
    first month: every complaint is handled in 0.5 H."""
    upgrade = {
        "kind": "customer_service",
        "name": "faster_desk",
        "start_month": 0,
        "duration_months": 1,
        "effect_delay_months": 0,
        "one_off_cost": 0.0,
        "recurring_cost_per_month": 0.0,
        "disruption": 0.0,
        "recovery_quality_gain": 0.0,
        "handling_time_factor": 0.5,
    }
    summary = _run(
        {"portfolio": {"name": "desk", "budget_per_year": None, "initiatives": [upgrade]}}
    ).summary
    closed = summary["complaints_closed"]
    assert closed > 50
    assert summary["complaint_days_total"] == closed * 0.5 * HANDLING
