"""The service desk: handling time, resolution, the fast-resolution rule and the
satisfaction each outcome leaves, on a reduced company where every order is cancelled.

Every customer is won by acquisition and orders at once, at a whole day t. There is no
supply, so the order is cancelled at the end of day t + patience + 1, an experience of 0
that makes every customer complain (complaint probability 1). Agents are plentiful, so a
complaint is handled at once for a deterministic time H and closed at t + patience + 1 + H;
the outcome gives back its credit times the satisfaction the cancellation took, and with no
loyalty the customer leaves. With initial satisfaction S0 and memory m, the cancellation (a
transaction of 0) leaves (1 - m) S0, a loss of m S0; the outcome with credit c leaves
(1 - m) S0 + c m S0 (clipped to [0, 1]).
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

import pytest
import simpy

from sqm_sim import Config, simulate
from sqm_sim.models.context import Context
from sqm_sim.models.initiatives import levers
from sqm_sim.models.ledger import EXTERNAL_FAILURE, Ledger
from sqm_sim.models.random_streams import RandomStreams
from sqm_sim.models.service_desk import ServiceDesk
from sqm_sim.models.tally import Tally
from tests.support import FREE_FULL_WALLET, NO_ACQUISITION, fixed_loyalty

PATIENCE, HANDLING = 3.0, 2.0
S0, MEMORY = 0.8, 0.5
FAST_CREDIT, SLOW_CREDIT, FAILED_CREDIT = 1.2, 0.6, 0.15
# 0.4 + c * 0.4: 0.88, 0.64, 0.46
FAST, SLOW, FAILED = (0.4 + c * 0.4 for c in (FAST_CREDIT, SLOW_CREDIT, FAILED_CREDIT))
EVERYONE_COMPLAINS: dict[str, Any] = {
    **FREE_FULL_WALLET,
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
    "service.recovery_credit_fast": FAST_CREDIT,
    "service.recovery_credit_slow": SLOW_CREDIT,
    "service.recovery_credit_failed": FAILED_CREDIT,
    "customers.initial_satisfaction": S0,
    "customers.satisfaction_memory_positive": MEMORY,
    "customers.satisfaction_memory_negative": MEMORY,
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
    assert lost["satisfaction_end"].to_numpy() == pytest.approx(level, rel=1e-12)
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


def test_a_second_failure_gets_a_smaller_credit_and_no_paradox():
    """Loyal customers (they always stay) whose every order is cancelled, each complaint
    resolved fast: the first recovery gives back 1.2 times the loss (the paradox:
    S1 = 0.4 + 1.2 * 0.4 = 0.88 > S0 = 0.8); the second only 1.2 * 0.5 = 0.6 of it
    (repeat_failure_credit_factor 0.5: S2 = 0.44 + 0.6 * 0.44 = 0.704 < S1)."""
    result = _run(
        {
            **fixed_loyalty(1.0),
            "simulation.horizon_months": 3,
            "service.recovery_quality": 1.0,
            "service.fast_resolution_days": HANDLING,
            "service.repeat_failure_credit_factor": 0.5,
        }
    )
    customers = result.customers
    second_closed = customers["joined_day"] + 30.0 + PATIENCE + 1.0 + HANDLING
    twice = customers[(customers["orders"] == 2) & (second_closed < 3 * 30.4)]
    assert len(twice) > 30
    first = (1.0 - MEMORY) * S0 + FAST_CREDIT * MEMORY * S0
    assert first == pytest.approx(0.88)
    assert first > S0
    second = (1.0 - MEMORY) * first + FAST_CREDIT * 0.5 * MEMORY * first
    assert second == pytest.approx(0.704)
    assert second < first
    assert twice["satisfaction_end"].to_numpy() == pytest.approx(second, rel=1e-12)


def _desk(overrides: dict[str, Any]) -> tuple[ServiceDesk, Context, list[tuple[bool, bool]]]:
    """A desk on its own (no customers) with its month-0 levers; outcomes are recorded."""
    config = Config().with_overrides(
        {"service.handling_time": {"kind": "deterministic", "mean": HANDLING}, **overrides}
    )
    env = simpy.Environment()
    context = Context(env, config, RandomStreams(1), Tally(), Ledger(env, 60))
    return ServiceDesk(context, levers(config, 0)), context, []


def test_with_people_on_the_desk_resolves_and_handles_at_its_staffs_levels():
    """Lever 0.7, handling factor 0.5 (a free upgrade in force at month 0): at K0 = 0.7 and
    J0 the desk keeps the levers; told K = 0.8 and J = 0.75 (g_K 4, g_J 3, h 1.5) it
    resolves with logit^-1(logit 0.7 + 0.4 + 0.3) = 0.82452 and handles a complaint in
    H x 0.5 x exp(-0.15) days, and the next month's levers are moved the same way."""
    people = {"people.model": "on", "service.recovery_quality": 0.7}
    desk, context, outcomes = _desk(people)
    assert desk.recovery_quality == pytest.approx(0.7, abs=1e-15)
    desk.apply_levers(levers(context.config, 0))  # not yet told: at K0 and J0
    assert desk.recovery_quality == pytest.approx(0.7, abs=1e-15)
    desk.staff_changed(0.8, 0.75)
    assert desk.recovery_quality == pytest.approx(0.82452, abs=1e-5)
    upgraded = replace(levers(context.config, 0), handling_time_factor=0.5, recovery_quality=0.6)
    desk.apply_levers(upgraded)
    odds = 0.6 / 0.4 * math.exp(0.7)
    assert desk.recovery_quality == pytest.approx(odds / (1.0 + odds))
    desk.file("customer", lambda _c, resolved, fast: outcomes.append((resolved, fast)))
    context.env.run()
    assert desk.busy_days == pytest.approx(HANDLING * 0.5 * math.exp(-0.15))
    assert context.tally.complaint_days_total == pytest.approx(desk.busy_days)
    assert len(outcomes) == 1


def test_with_people_off_the_desk_takes_the_levers_as_they_are():
    """People off: a desk on its own handles at the levers it was built with (factor 1);
    being told of skill and satisfaction changes nothing; the month's levers are taken as
    they are (recovery 0.6, handling 0.5 H); each of the three closed complaints costs the
    handling cost (external failure)."""
    desk, context, outcomes = _desk({"service.recovery_quality": 0.7})
    desk.file("customer", lambda _c, resolved, fast: outcomes.append((resolved, fast)))
    context.env.run()  # with the levers it was built with: handling factor 1
    assert desk.busy_days == HANDLING
    desk.busy_days = 0.0
    desk.staff_changed(0.8, 0.75)
    assert desk.recovery_quality == 0.7
    desk.apply_levers(
        replace(levers(context.config, 0), handling_time_factor=0.5, recovery_quality=0.6)
    )
    assert desk.recovery_quality == 0.6
    desk.file("customer", lambda _c, resolved, fast: outcomes.append((resolved, fast)))
    desk.file("customer", lambda _c, resolved, fast: outcomes.append((resolved, fast)))
    assert desk.complaints_open == 2
    context.env.run()
    assert desk.complaints_open == 0
    assert desk.busy_days == pytest.approx(2 * HANDLING * 0.5)
    cost = context.config.finance.complaint_handling_cost
    assert sum(context.ledger.entries[EXTERNAL_FAILURE]) == pytest.approx(3 * cost)
    assert len(outcomes) == 3
